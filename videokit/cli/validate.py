"""``videokit validate``: list every problem in an annotation source and/or a folder of videos;
exit 1 if any is an error."""
from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path
from typing import List

from ..annotations import Finding, validate
from ._common import add_source_arguments, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="check annotations (and videos) and report errors and warnings",
                            description="Print findings as file:record: field: message (value), then a "
                                        "summary. Exit status 1 when there are errors.")
    add_source_arguments(parser, optional=True)
    parser.add_argument("--videos", default=None, metavar="DIR",
                        help="also check the videos: every annotated video (or, without SRC, every video "
                             "in DIR) must exist and decode")
    parser.add_argument("--show", type=int, default=5,
                        help="warnings shown per kind before they are only counted (errors: all; default 5)")
    parser.set_defaults(run=run)


def video_findings(video_dir: str, paths: List[str]) -> List[Finding]:
    """Missing or unreadable videos, checked in parallel."""
    import concurrent.futures as futures

    from tqdm import tqdm

    from ..video import check_video

    full = [str(Path(video_dir) / p) for p in paths]
    with futures.ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        reasons = list(tqdm(pool.map(check_video, full, chunksize=4), total=len(full), desc="videos",
                            unit="video", leave=False))
    return [Finding("error", path, None, "video", reason, code="unreadable-video")
            for path, reason in zip(full, reasons) if reason]


def run(args: argparse.Namespace) -> int:
    if args.src is None and args.videos is None:
        raise SystemExit("videokit validate: give SRC --from FORMAT, or --videos DIR, or both")
    findings: List[Finding] = []
    summary = []
    if args.src is not None:
        if args.src_format is None:
            raise SystemExit("videokit validate: --from is required with SRC")
        annotations = read_source(args)
        findings += validate(annotations).findings
        segments = sum(len(v.segments) for v in annotations)
        summary.append(f"{args.src}: {len(annotations)} videos, {segments} segments")
    if args.videos is not None:
        if args.src is not None:
            paths = [v.path or f"{v.video_id}.mp4" for v in annotations]
        else:
            from ..video import find_videos

            paths = [str(p.relative_to(args.videos)) for p in find_videos(args.videos)]
        findings += video_findings(args.videos, paths)
        summary.append(f"{args.videos}: {len(paths)} videos checked")
    shown: Counter = Counter()
    for finding in findings:
        key = (finding.severity, finding.code)
        shown[key] += 1
        if finding.severity == "error" or shown[key] <= args.show:
            print(f"{finding.severity}: {finding}")
    for (severity, code), count in sorted(shown.items()):
        if severity == "warning" and count > args.show:
            print(f"warning: ... and {count - args.show} more '{code}' warnings")
    errors = sum(1 for f in findings if f.severity == "error")
    print(f"\n{'; '.join(summary)}: {errors} error(s), {len(findings) - errors} warning(s)")
    if shown:
        width = max(len(code) for _, code in shown)
        print(f"{'severity':>8}  {'check':<{width}}  count")
        for (severity, code), count in sorted(shown.items()):
            print(f"{severity:>8}  {code:<{width}}  {count:5d}")
    print("validation " + ("passed" if errors == 0 else "FAILED"))
    return 0 if errors == 0 else 1
