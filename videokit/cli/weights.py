"""``videokit weights``: the published initial weights each stock config starts from, fetched only when asked."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional, Tuple

from .. import configs


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("weights", help="list or fetch the initial weights of the stock configs",
                            description="Stock recognition configs start from mmaction2's Kinetics-400 checkpoints "
                                        "(load_from). Files are fetched into the cache with a progress bar, resumed "
                                        "when cut off, and checked against the SHA-256 prefix in their name.")
    verbs = parser.add_subparsers(dest="weights_verb", metavar="ACTION", required=True)
    listing = verbs.add_parser("list", help="each stock config's initial weights and whether they are cached")
    listing.add_argument("pattern", nargs="?", default="")
    fetch = verbs.add_parser("fetch", help="fetch the initial weights of a config (a name or a file), or a URL")
    fetch.add_argument("source", metavar="CONFIG|URL")
    fetch.add_argument("--mirror", default=None, metavar="BASE",
                       help="fetch from BASE + the URL's path instead (a local copy of the zoo; default: "
                            "$VIDEOKIT_WEIGHTS_MIRROR)")
    parser.set_defaults(run=run)


def initial_weights(name: str) -> Optional[str]:
    """The ``load_from`` of a config (a name or a file), as the config writes it."""
    from mmengine.config import Config

    return Config.fromfile(configs.resolve(name)).get("load_from", None)


def table(pattern: str = "") -> List[Tuple[str, Optional[str]]]:
    return [(name, initial_weights(name)) for name in configs.names() if pattern in name]


def run(args: argparse.Namespace) -> int:
    from ..utils.download import DownloadError, cached_path, fetch

    if args.weights_verb == "list":
        for name, url in table(args.pattern):
            cached = cached_path(url) if url else None
            state = "-" if not url else (f"cached {cached}" if cached.is_file() else "not cached")
            print(f"{name}  {url.rsplit('/', 1)[-1] if url else '(random init)'}  {state}")
        return 0
    try:
        url = args.source if args.source.startswith(("http://", "https://")) else initial_weights(args.source)
    except configs.ConfigNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not url:
        print(f"error: {args.source}: the config starts from random weights (no load_from)", file=sys.stderr)
        return 1
    if not url.startswith(("http://", "https://")):
        print(f"{args.source}: load_from is a local file, nothing to fetch: {url}")
        return 0
    try:
        path = fetch(url, mirror=args.mirror)
    except DownloadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{path} (SHA-256 checked against {url.rsplit('/', 1)[-1]})")
    return 0
