"""``videokit convert``: read annotations in one format, check them, write another format."""
from __future__ import annotations

import argparse
import sys

from ..annotations import validate, write_annotations
from ..annotations.errors import summarize
from ..annotations.formats import FORMATS, WRITERS
from ._common import add_option, add_source_arguments, format_options, frame_rates, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("convert", help="convert annotations between formats",
                            description="Convert annotations. Errors found by validation stop the "
                                        "conversion before anything is written.")
    add_source_arguments(parser)
    parser.add_argument("--to", dest="dst_format", required=True, choices=sorted(WRITERS), help="target format")
    parser.add_argument("-o", "--out", required=True, help="output file (folder for nurvid / ophnet)")
    for name in ("level", "subset", "label_fps", "as_predictions"):
        add_option(parser, name)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    target = FORMATS[args.dst_format]
    if args.as_predictions and "as_predictions" not in target.write_options:
        takes = [f.name for f in FORMATS.values() if "as_predictions" in f.write_options]
        print(f"error: --as-predictions: pre-annotations are written for {', '.join(takes[:-1])} and {takes[-1]}, not "
              f"{args.dst_format}", file=sys.stderr)
        return 2
    annotations = read_source(args, report=False)
    report = validate(annotations)
    if not report.ok:
        for finding in report.errors:
            print(f"error: {finding}", file=sys.stderr)
        print(f"nothing written: {len(report.errors)} error(s) in {args.src} "
              f"(`videokit validate` lists warnings too)", file=sys.stderr)
        return 1
    if target.frame_based and args.videos:  # frames are counted at each video's own rate
        rates = frame_rates(args.videos)
        found, lacking = annotations.fill_frame_rates(rates)
        print(f"frame rates of {found} / {lacking} videos probed from {args.videos}"
              + (f" ({len(rates.unreadable)} unreadable)" if rates.unreadable else ""), file=sys.stderr)
    if args.label_fps is None and args.fps is not None:
        args.label_fps = args.fps  # the older spelling: --fps with --to frames is the label rate
    options = format_options(args, target.write_options)
    if "label_fps" in target.write_options:
        options.setdefault("label_fps", 1.0)
    write_annotations(annotations, args.out, args.dst_format, **options)
    segments = sum(len(v.segments) for v in annotations)
    print(f"wrote {args.out} ({args.dst_format}) from {len(annotations)} videos, {segments} segments; "
          f"{len(report.warnings)} warning(s)", file=sys.stderr)
    for line in summarize(report.findings):
        print(line, file=sys.stderr)
    return 0
