"""The ``videokit`` command: one small module per verb, each a thin layer over a library function."""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from ..annotations import AnnotationError
from ..configs import ConfigNotFound
from . import (
    analyze,
    compare,
    configs,
    convert,
    crash,
    demo,
    evaluate,
    export,
    labelstudio,
    predict,
    prepare,
    preprocess,
    probe,
    review,
    runs,
    serve,
    show,
    stats,
    validate,
    weights,
)

VERBS = [convert, validate, stats, show, review, compare, probe, prepare, preprocess, configs, weights, runs, predict,
         export, evaluate, analyze, serve, labelstudio, demo]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="videokit", description=__doc__)
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"videokit {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb in VERBS:
        verb.add_parser(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run one verb. Exit codes (``crash.py``): 0 done; 1 bad input, one ``error:`` line naming file, record and
    field; 2 a bad command line; 70 a bug in videokit, one line naming the input and the log holding the
    traceback; 130 interrupted."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] in (["train"], ["test"]):  # tools/train.py and tools/test.py's own parsers, every flag as there
        return runs.run_tool(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (AnnotationError, ConfigNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return crash.EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return crash.EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of our output went away (`videokit configs list | head`): not a bug
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # anything else is videokit's bug, not the user's data
        return crash.report(exc, args, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
