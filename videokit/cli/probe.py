"""``videokit probe``: duration, fps, frames, resolution and codec of every video in a folder."""
from __future__ import annotations

import argparse

from ..video import probe_folder


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("probe", help="probe every video in a folder into a metadata CSV",
                            description="Writes video_id,path,duration,fps,num_frames,width,height,codec,error. "
                                        "Resumable: rows already in OUT are kept. Use the table with "
                                        "`--meta` to fill the durations that OphNet's CSVs lack.")
    parser.add_argument("video_dir", metavar="VIDEO_DIR")
    parser.add_argument("-o", "--out", required=True, help="metadata CSV to write")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-resume", action="store_true", help="probe every file again")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    table = probe_folder(args.video_dir, args.out, workers=args.workers, resume=not args.no_resume)
    bad = table[table.error.notna()]
    for row in bad.itertuples():
        print(f"warning: {row.path}: video: {row.error}")
    print(f"wrote {args.out}: {len(table)} videos, {len(bad)} unreadable")
    return 0
