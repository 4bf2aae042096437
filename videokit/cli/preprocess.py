"""``videokit preprocess``: re-encode a folder of videos (short side, fps, GOP) with ffmpeg."""
from __future__ import annotations

import argparse
import sys

from ..video.preprocess import FFmpegMissing, preprocess


def keyframe_interval(text: str) -> int:
    """``--gop``: a keyframe every N frames, 0 for the encoder's choice; a negative N is refused."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (the encoder's choice) or a number of frames, not {value}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("preprocess", help="re-encode videos with ffmpeg (resumable), writing meta.csv")
    parser.add_argument("video_dir", metavar="VIDEO_DIR")
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--short-side", type=int, default=256, help="0 keeps the size (default 256)")
    parser.add_argument("--fps", type=float, default=25.0, help="0 keeps the frame rate (default 25)")
    parser.add_argument("--gop", type=keyframe_interval, default=None,
                        help="keyframe interval in frames (default: every 2 s; 0: the encoder's choice, "
                        "up to 250 frames)")
    parser.add_argument("--workers", type=int, default=2)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        table = preprocess(args.video_dir, args.out_dir, args.short_side or None, args.fps or None, args.gop,
                           workers=args.workers)
    except FFmpegMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out_dir}: {len(table)} videos; metadata in {args.out_dir}/meta.csv")
    return 0
