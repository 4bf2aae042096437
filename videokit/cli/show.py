"""``videokit show SRC --from FMT --video ID -o out.png``: the ground-truth timeline of one video."""
from __future__ import annotations

import argparse

from ..annotations import AnnotationError
from ._common import add_source_arguments, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("show", help="draw the annotated timeline of one video", description=__doc__)
    add_source_arguments(parser)
    parser.add_argument("--video", required=True, help="video id (write --video=ID when it starts with -)")
    parser.add_argument("--levels", default=None, help="comma-separated levels to draw (default: all)")
    parser.add_argument("-o", "--out", required=True, help="PNG to write")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..visualization import plot_timeline

    annotations = read_source(args)
    if args.video not in annotations.videos:
        raise AnnotationError(args.src, f"video {args.video}", "id", "no such video")
    levels = args.levels.split(",") if args.levels else None
    if levels:
        unknown = [lvl for lvl in levels if lvl not in annotations.taxonomy.level_names]
        if unknown:
            raise SystemExit(f"error: --levels: {unknown[0]!r} is not one of {annotations.taxonomy.level_names}")
    plot_timeline(annotations.videos[args.video], annotations.taxonomy, args.out, levels=levels)
    print(f"wrote {args.out}")
    return 0
