"""``videokit configs``: the stock configs shipped in the package, by name: list them, show one, copy one to edit."""
from __future__ import annotations

import argparse
import sys

from .. import configs


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("configs", help="list, show or copy the stock configs (named as in tools/train.py)",
                            description="Stock configs are named by their path under the package's configs folder, "
                                        "e.g. nurvid/tsm_r50_1x1x8_trimmed-procedure; every command that takes a "
                                        "config takes such a name or a file.")
    verbs = parser.add_subparsers(dest="configs_verb", metavar="ACTION", required=True)
    listing = verbs.add_parser("list", help="every stock config with its first comment line")
    listing.add_argument("pattern", nargs="?", default="", help="only names containing this text")
    show = verbs.add_parser("show", help="the config as mmengine resolves it (bases merged)")
    show.add_argument("name", metavar="NAME")
    copy = verbs.add_parser("copy", help="copy a stock config and the _base_ files it inherits into DIR, to edit")
    copy.add_argument("name", metavar="NAME")
    copy.add_argument("folder", metavar="DIR")
    parser.set_defaults(run=run)


def _summary(name: str) -> str:
    for line in open(configs.resolve(name), encoding="utf-8"):
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def run(args: argparse.Namespace) -> int:
    try:
        if args.configs_verb == "list":
            shown = [n for n in configs.names() if args.pattern in n]
            width = max((len(n) for n in shown), default=0)
            for name in shown:
                print(f"{name:<{width}}  {_summary(name)}")
        elif args.configs_verb == "show":
            from mmengine.config import Config

            print(Config.fromfile(configs.resolve(args.name)).pretty_text)
        else:
            target = configs.copy(args.name, args.folder)
            print(f"copied {args.name} to {target} (with the _base_ files it inherits); "
                  f"train it with: videokit train {target}")
    except (configs.ConfigNotFound, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
