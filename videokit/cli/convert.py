"""``videokit convert``: read annotations in one format, check them, write another format."""
from __future__ import annotations

import argparse
import sys

from ..annotations import validate, write_annotations
from ..annotations.formats import WRITERS
from ._common import add_source_arguments, frame_rates, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("convert", help="convert annotations between formats",
                            description="Convert annotations. Errors found by validation stop the "
                                        "conversion before anything is written.")
    add_source_arguments(parser)
    parser.add_argument("--to", dest="dst_format", required=True, choices=sorted(WRITERS), help="target format")
    parser.add_argument("-o", "--out", required=True, help="output file (folder for nurvid / ophnet)")
    parser.add_argument("--level", default=None, help="taxonomy level to write (default: the finest)")
    parser.add_argument("--subset", default=None, help="only this split (e.g. train)")
    parser.add_argument("--as-predictions", action="store_true",
                        help="model output as pre-annotations an annotator corrects: labelstudio writes Label Studio "
                             "predictions (with their scores); elan marks the tiers as a model's; via names the "
                             "project so (elan and via keep each segment's score either way)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.as_predictions and args.dst_format not in ("labelstudio", "elan", "via"):
        print(f"error: --as-predictions: pre-annotations are written for labelstudio, elan and via, not "
              f"{args.dst_format}", file=sys.stderr)
        return 2
    annotations = read_source(args)
    report = validate(annotations)
    if not report.ok:
        for finding in report.errors:
            print(f"error: {finding}", file=sys.stderr)
        print(f"nothing written: {len(report.errors)} error(s) in {args.src} "
              f"(`videokit validate` lists warnings too)", file=sys.stderr)
        return 1
    if args.dst_format in ("labelstudio", "cvat") and args.videos:
        rates = frame_rates(args.videos)
        unknown = [video for video in annotations if not video.fps]
        for video in unknown:  # frames are counted at the video's own rate
            video.fps = rates(video.video_id, video.path)
        found = sum(1 for video in unknown if video.fps)
        print(f"frame rates of {found} / {len(unknown)} videos probed from {args.videos}"
              + (f" ({len(rates.unreadable)} unreadable)" if rates.unreadable else ""), file=sys.stderr)
    options = {"level": args.level, "subset": args.subset}
    if args.dst_format == "frames":
        options["fps"] = args.fps or 1.0
    if args.as_predictions:
        options["as_predictions"] = True
    if args.dst_format in ("labelstudio", "cvat") and args.fps:
        options["fps"] = args.fps  # for videos whose frame rate the annotations do not know
    if args.dst_format == "mmaction":
        options["style"] = args.style
    if args.dst_format == "ophnet":
        options["variant"] = args.variant
    write_annotations(annotations, args.out, args.dst_format, **options)
    segments = sum(len(v.segments) for v in annotations)
    print(f"wrote {args.out} ({args.dst_format}) from {len(annotations)} videos, {segments} segments; "
          f"{len(report.warnings)} warning(s)", file=sys.stderr)
    return 0
