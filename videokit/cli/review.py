"""``videokit review``: a local web page to see, check and fix a dataset's segments under the video."""
from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from ._common import add_source_arguments, read_source

TOKEN_ENV = "VIDEOKIT_REVIEW_TOKEN"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "review", help="review and fix segments in the browser, checked by videokit's validator as you edit",
        description="Starts a local web server and prints its address (with a one-time sign-in token): the video "
                    "list with finding counts, the player with one timeline row per level under it, the findings "
                    "of the current video; edits (boundaries, labels, new and deleted segments, undo) are validated "
                    "on the server and journaled to OUT.journal before they are acknowledged, so a crash loses "
                    "none; Save writes the whole set as canonical JSON to OUT (the previous file kept as OUT.bak) "
                    "and refuses to overwrite a file another session saved meanwhile. When OUT exists, review "
                    "continues from it.")
    add_source_arguments(parser, videos_option=False)
    parser.add_argument("--videos", required=True, metavar="DIR",
                        help="folder the videos' paths are relative to (CVAT / Label Studio frames are counted at "
                             "the rates probed here where the file states none)")
    parser.add_argument("--predictions", default=None, metavar="PRED", help="predictions to show in their own row")
    parser.add_argument("--predictions-format", default="canonical")
    parser.add_argument("--compare", default=None, metavar="B",
                        help="a second annotator's file (canonical), shown as a row under the reviewed set")
    parser.add_argument("-o", "--out", default=None,
                        help="where Save writes (default: <SRC name>.reviewed.json beside SRC)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: this machine only; any other still needs TLS in front "
                             "on an untrusted network)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="another name the page may be opened by (Host header), e.g. the machine's DNS name")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default=None,
                        help=f"the sign-in token (default: ${TOKEN_ENV}, else a new random one per start)")
    parser.add_argument("--annotator", default=None, help="your name in the journal and OUT (default: login name)")
    parser.add_argument("--discard-journal", action="store_true",
                        help="start over, keeping an unusable OUT.journal as OUT.journal.discarded")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..annotations import read_annotations
    from ..review import ReviewSession, create_app
    from ..review.journal import JournalError
    from ..review.lock import OutputLock, OutputLocked
    from ..services import Server, serve_until_interrupted

    predictions = read_annotations(args.predictions, args.predictions_format) if args.predictions else None
    compare = read_annotations(args.compare, "canonical") if args.compare else None
    source = Path(args.src)
    out = Path(args.out) if args.out else source.with_name(f"{source.stem}.reviewed.json")
    if not Path(args.videos).is_dir():
        raise SystemExit(f"error: {args.videos}: no such folder")
    token = args.token or os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(24)
    lock = OutputLock(out)
    try:
        lock.acquire(f"pid {os.getpid()}, starting")
    except OutputLocked as exc:
        raise SystemExit(f"error: {exc}") from None
    try:
        try:
            session = ReviewSession.open(args.src, args.src_format, out, predictions, args.annotator,
                                         args.discard_journal, read=lambda _src: read_source(args), compare=compare)
        except JournalError as exc:
            raise SystemExit(f"error: {exc}") from None
        app = create_app(session, args.videos, token=token, allowed_hosts=[args.host, *args.allow_host])
        server = Server(args.host, args.port, app)
        shown = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{shown}:{server.server_port}/"
        lock.describe(f"pid {os.getpid()}, {url}")
        flagged = sum(1 for v in session.videos() if v["errors"] + v["warnings"])
        print(f"{len(session.annotations)} videos ({flagged} with findings); saving to {session.out}"
              + (" (continuing from it)" if out.exists() else ""))
        if session.recovered:
            print(f"recovered {session.recovered} unsaved edits from {session.journal.path} (Save keeps them)")
        try:
            serve_until_interrupted(server, f"videokit review: open {url}?token={token}  (Ctrl+C to stop)")
        finally:
            session.close()
        if session.dirty:
            print(f"note: {session.unsaved} unsaved edit(s) are kept in {session.journal.path}; "
                  f"the next `videokit review` on {session.out} recovers them")
    finally:
        lock.release()
    return 0
