"""``videokit review``: a local web page to see, check and fix a dataset's segments under the video."""
from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_source_arguments, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "review", help="review and fix segments in the browser, checked by videokit's validator as you edit",
        description="Starts a local web server and prints its address: the video list with finding counts, the "
                    "player with one timeline row per level under it, the findings of the current video; edits "
                    "(boundaries, labels, new and deleted segments, undo) are validated on the server; Save writes "
                    "the whole set as canonical JSON to OUT (the previous file kept as OUT.bak).")
    add_source_arguments(parser)
    parser.add_argument("--videos", required=True, metavar="DIR", help="folder the videos' paths are relative to")
    parser.add_argument("--predictions", default=None, metavar="PRED", help="predictions to show in their own row")
    parser.add_argument("--predictions-format", default="canonical")
    parser.add_argument("-o", "--out", default=None,
                        help="where Save writes (default: <SRC name>.reviewed.json beside SRC)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, default=8765)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from ..annotations import read_annotations
    from ..review import ReviewSession, create_app

    annotations = read_source(args)
    predictions = read_annotations(args.predictions, args.predictions_format) if args.predictions else None
    source = Path(args.src)
    out = Path(args.out) if args.out else source.with_name(f"{source.stem}.reviewed.json")
    if not Path(args.videos).is_dir():
        raise SystemExit(f"error: {args.videos}: no such folder")
    session = ReviewSession(annotations, out, predictions)
    server = make_server(args.host, args.port, create_app(session, args.videos), threaded=True)
    flagged = sum(1 for v in session.videos() if v["errors"] + v["warnings"])
    print(f"{len(annotations)} videos ({flagged} with findings); saving to {out}")
    print(f"videokit review: open http://{args.host}:{server.server_port}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    if session.dirty:
        print(f"warning: unsaved edits were dropped (Save writes {out})")
    return 0
