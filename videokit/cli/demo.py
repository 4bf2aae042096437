"""``videokit demo``: the bundled demo, end to end on CPU (see videokit/demo/pipeline.py)."""
from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="make a small synthetic dataset and run videokit on it")
    parser.add_argument("--out", default="demo_output", help="output folder (default: demo_output)")
    parser.add_argument("--videos-per-procedure", type=int, default=None,
                        help="made videos per procedure (default: DemoSpec's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="training epochs (default: the config's)")
    parser.add_argument("--no-train", action="store_true", help="stop after the annotation stage")
    parser.add_argument("--quick", action="store_true",
                        help="every stage once on a smaller made set (12 videos of 10-15 s, one recognizer epoch): a "
                             "check that an installation works end to end, not numbers to compare")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import DemoSpec, run_demo
    from ..demo.pipeline import format_result

    sizes = dict(videos_per_procedure=4, min_seconds=10.0, max_seconds=15.0) if args.quick else {}
    if args.videos_per_procedure is not None:
        sizes["videos_per_procedure"] = args.videos_per_procedure
    spec = DemoSpec(seed=args.seed, **sizes)
    result = run_demo(args.out, spec, train=not args.no_train, epochs=args.epochs or (1 if args.quick else None))
    print(format_result(result))
    if args.quick:
        print("note: --quick trains 1 epoch on 12 short videos to show every stage runs; its numbers are not "
              "comparable with the full demo's (README: `make demo`)", file=sys.stderr)
    return 0
