"""``videokit train`` and ``videokit test``: tools/train.py and tools/test.py for an installed copy (same flags)."""
from __future__ import annotations

import argparse
from typing import List


def add_parser(sub: argparse._SubParsersAction) -> None:
    for verb, what in (("train", "train a config (tools/train.py: --work-dir --resume --amp --cfg-options --launcher)"),
                       ("test",
                        "test a checkpoint (tools/test.py: CONFIG CHECKPOINT --work-dir --dump --cfg-options)")):
        parser = sub.add_parser(verb, help=what, add_help=False,
                                description=f"{what}; CONFIG is a file or a stock config's name "
                                            "(videokit configs list)")
        parser.add_argument("arguments", nargs=argparse.REMAINDER, help="as tools/%s.py takes them" % verb)
        parser.set_defaults(run=run, runs_verb=verb)


def run(args: argparse.Namespace) -> int:
    return run_tool(args.runs_verb, args.arguments)


def run_tool(verb: str, argv: List[str]) -> int:
    """``videokit train ...`` is ``tools/train.py ...`` (its own parser: ``--help`` lists its flags)."""
    if verb == "train":
        from ..engine.train import main

        main(argv, prog="videokit train")
    else:
        from ..engine.test import main

        main(argv, prog="videokit test")
    return 0
