"""``videokit stats``: videos, segments and classes per level and split; lengths; long-tail groups."""
from __future__ import annotations

import argparse

from ..annotations import stats
from ._common import add_source_arguments, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("stats", help="dataset statistics (and a plot)")
    add_source_arguments(parser)
    parser.add_argument("--plot", default=None, help="write a PNG of segment lengths and class frequencies")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    annotations = read_source(args)
    for title, table in stats.summary(annotations).items():
        if table.empty:
            continue
        print(f"== {title}")
        print(table.to_string(index=False))
        print()
    if args.plot:
        stats.plot(annotations, args.plot)
        print(f"wrote {args.plot}")
    return 0
