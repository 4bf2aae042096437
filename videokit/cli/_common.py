"""Arguments that several verbs share: where annotations come from and how to read them."""
from __future__ import annotations

import argparse

from ..annotations import AnnotationSet, read_annotations
from ..annotations.formats import READERS


def add_source_arguments(parser: argparse.ArgumentParser, optional: bool = False) -> None:
    parser.add_argument("src", metavar="SRC", nargs="?" if optional else None,
                        help="NurViD annotations folder, an OphNet folder or CSV, or a file of the named format")
    parser.add_argument("--from", dest="src_format", required=not optional, choices=sorted(READERS),
                        help="format of SRC")
    parser.add_argument("--variant", default="challenge", choices=["all", "challenge"],
                        help="OphNet folder: which operation table to read (default: challenge)")
    parser.add_argument("--style", default="video", choices=["video", "segments", "clips"],
                        help="mmaction list style (reading: video or segments; default: video)")
    parser.add_argument("--meta", default=None,
                        help="video metadata table (video_id,duration,fps) filling missing durations")


def read_source(args: argparse.Namespace) -> AnnotationSet:
    options = {"variant": args.variant} if args.src_format == "ophnet" else {}
    if args.src_format in ("mmaction", "anet"):
        options["level"] = getattr(args, "level", None)
    if args.src_format == "mmaction":
        options["style"] = args.style
    return read_annotations(args.src, args.src_format, metadata=args.meta, **options)
