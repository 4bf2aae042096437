"""``videokit validate``: list every problem in an annotation source and/or a folder of videos;
exit 1 if any is an error."""
from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path
from typing import List

from ..annotations import Finding, validate
from ..annotations.timeline import video_file
from ._common import add_source_arguments, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="check annotations (and videos) and report errors and warnings",
                            description="Print findings as file:record: field: message (value), then a "
                                        "summary. Exit status 1 when there are errors.")
    add_source_arguments(parser, optional=True, videos_option=False)
    parser.add_argument("--videos", default=None, metavar="DIR",
                        help="also check the videos: an annotated video that is absent is a 'missing-video' "
                             "warning (a partial download is normal); one that is present but does not decode "
                             "is an 'unreadable-video' error (CVAT / Label Studio frames are counted at the rates "
                             "probed here where the file states none)")
    parser.add_argument("--list-missing", default=None, metavar="FILE",
                        help="write the paths of every absent video to FILE (one per line)")
    parser.add_argument("--show", type=int, default=5,
                        help="warnings shown per kind before they are only counted (errors: all; default 5)")
    parser.set_defaults(run=run)


def video_findings(video_dir: str, paths: List[str]) -> List[Finding]:
    """Absent videos (``missing-video`` warnings, one stat each) and present ones that do not decode
    (``unreadable-video`` errors, checked in parallel)."""
    import concurrent.futures as futures

    from tqdm import tqdm

    from ..video import check_video

    full = [str(Path(video_dir) / p) for p in paths]
    present = [p for p in full if os.path.exists(p)]
    findings = [Finding("warning", path, None, "video", "absent (not downloaded?)", code="missing-video")
                for path in full if not os.path.exists(path)]
    if present:
        with futures.ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            reasons = list(tqdm(pool.map(check_video, present, chunksize=4), total=len(present), desc="videos",
                                unit="video", leave=False))
        findings += [Finding("error", path, None, "video", reason, code="unreadable-video")
                     for path, reason in zip(present, reasons) if reason]
    return findings


def run(args: argparse.Namespace) -> int:
    if args.src is None and args.videos is None:
        raise SystemExit("videokit validate: give SRC --from FORMAT, or --videos DIR, or both")
    findings: List[Finding] = []
    summary = []
    if args.src is not None:
        if args.src_format is None:
            raise SystemExit("videokit validate: --from is required with SRC")
        annotations = read_source(args, report=False)
        findings += validate(annotations).findings
        segments = sum(len(v.segments) for v in annotations)
        summary.append(f"{args.src}: {len(annotations)} videos, {segments} segments")
    if args.videos is not None:
        if args.src is not None:
            paths = [video_file(v) for v in annotations]
        else:
            from ..video import find_videos

            paths = [str(p.relative_to(args.videos)) for p in find_videos(args.videos)]
        found = video_findings(args.videos, paths)
        findings += found
        missing = [f.file for f in found if f.code == "missing-video"]
        unreadable = sum(1 for f in found if f.code == "unreadable-video")
        summary.append(f"{args.videos}: {len(paths)} videos, {len(paths) - len(missing)} present, "
                       f"{len(missing)} missing, {unreadable} unreadable")
        if args.list_missing:
            from ..utils import atomic_write_text

            atomic_write_text(args.list_missing, "".join(f"{p}\n" for p in missing))
            summary.append(f"missing list: {args.list_missing}")
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
