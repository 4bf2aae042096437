"""``videokit labelstudio pull PROJECT -o corrected.json``: a Label Studio project's annotations (the annotators'
corrections) through its API, as canonical annotations to train on (``tools/train.py`` as usual)."""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from ._common import add_option


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("labelstudio", help="Label Studio projects: pull the annotators' work",
                            description=__doc__)
    verbs = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    pull = verbs.add_parser("pull", help="a project's annotations -> canonical JSON", description=__doc__)
    pull.add_argument("project", metavar="PROJECT", type=int, help="the project's id (in its address)")
    pull.add_argument("-o", "--out", required=True, help="canonical JSON to write")
    pull.add_argument("--url", default=None, help="Label Studio's address (default: $LABEL_STUDIO_URL)")
    for name in ("taxonomy", "annotator"):
        add_option(pull, name)
    add_option(pull, "tool_fps", help="frame rate of tasks that state none (--fps: the older spelling)")
    pull.add_argument("--fps", dest="tool_fps", type=float, help=argparse.SUPPRESS)
    pull.add_argument("--split", default="train",
                      help="split of videos the tasks give none (tasks videokit wrote carry theirs; default train)")
    pull.set_defaults(run=run_pull)


def run_pull(args: argparse.Namespace) -> int:
    from ..annotations import read_annotations, write_annotations
    from ..services.labelstudio_client import TOKEN_ENV, URL_ENV, LabelStudioClient, LabelStudioError
    from ._common import format_options

    base = (args.url or os.environ.get(URL_ENV) or "").rstrip("/")
    token = os.environ.get(TOKEN_ENV)
    if not base or not token:
        raise SystemExit("error: Label Studio's address and an API token are needed: --url URL (or "
                         "$LABEL_STUDIO_URL) and $LABEL_STUDIO_API_KEY (Account & Settings > Access Token)")
    try:
        data = LabelStudioClient(base, token).export_project(args.project)  # a large project's takes a while
    except LabelStudioError as exc:
        raise SystemExit(f"error: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="videokit-pull-") as folder:
        export = Path(folder) / f"project-{args.project}.json"
        export.write_bytes(data)
        options = format_options(args, ("annotator", "taxonomy", "tool_fps"))
        annotations = read_annotations(export, "labelstudio", **options)
    for video in annotations:
        video.split = video.split or args.split
    write_annotations(annotations, args.out, "canonical")
    for finding in annotations.findings:
        print(f"warning: {finding}")
    print(f"{len(annotations)} videos, {sum(len(v.segments) for v in annotations)} segments from project "
          f"{args.project} -> {args.out}")
    return 0
