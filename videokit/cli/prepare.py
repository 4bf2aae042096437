"""``videokit prepare``: one command from a (partial) download folder to what the configs read."""
from __future__ import annotations

import argparse
import sys

from ._common import add_source_arguments, read_source
from .preprocess import keyframe_interval

CONFIG_VARIABLES = {"nurvid": "NURVID", "ophnet": "OPHNET"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "prepare", help="probe the downloaded videos, fill durations, validate, write the usable annotations",
        description="Finds which annotated videos are present in --videos, probes them (parallel, resumable), "
                    "fills durations and fps from the files, validates the annotations against them, optionally "
                    "re-encodes them (--short-side / --fps), and writes OUT/annotations.json (canonical, usable "
                    "videos only), OUT/meta.csv, OUT/report.{txt,json}, OUT/missing_videos.txt, "
                    "OUT/unreadable_videos.txt and OUT/findings.txt.")
    add_source_arguments(parser, tool_options=False)
    parser.add_argument("--videos", required=True, metavar="DIR", help="the folder of downloaded videos")
    parser.add_argument("-o", "--out", required=True, metavar="OUT_DIR")
    parser.add_argument("--short-side", type=int, default=None, help="re-encode to this short side (e.g. 256)")
    parser.add_argument("--fps", type=float, default=None, help="re-encode to this frame rate (e.g. 25)")
    parser.add_argument("--gop", type=keyframe_interval, default=None,
                        help="keyframe interval of the re-encoded videos in frames (default: every 2 s; "
                        "0: the encoder's choice)")
    parser.add_argument("--workers", type=int, default=None, help="parallel probes / encodes (default: CPUs)")
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..prepare import prepare_dataset
    from ..utils import count_cpus

    annotations = read_source(args)
    print(f"{args.src}: {len(annotations)} annotated videos; looking for them in {args.videos}")
    try:
        report = prepare_dataset(annotations, args.videos, args.out, workers=args.workers or count_cpus(),
                                 short_side=args.short_side, fps=args.fps, gop=args.gop,
                                 progress=not args.no_progress)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.table())
    prefix = CONFIG_VARIABLES.get(args.src_format, "NURVID")
    print(f"\nwrote {report.annotations} and the report in {args.out}; train with:\n"
          f"  {prefix}_ANNOTATIONS={report.annotations} {prefix}_VIDEOS={report.video_root} "
          f"python tools/train.py CONFIG")
    return 0
