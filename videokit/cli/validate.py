"""``videokit validate``: list every problem in an annotation source; exit 1 if any is an error."""
from __future__ import annotations

import argparse
from collections import Counter

from ..annotations import validate
from ._common import add_source_arguments, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="check annotations and report errors and warnings",
                            description="Print findings as file:record: field: message (value), then a "
                                        "summary. Exit status 1 when there are errors.")
    add_source_arguments(parser)
    parser.add_argument("--show", type=int, default=5,
                        help="warnings shown per kind before they are only counted (errors: all; default 5)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    annotations = read_source(args)
    report = validate(annotations)
    shown: Counter = Counter()
    for finding in report.findings:
        key = (finding.severity, finding.code)
        shown[key] += 1
        if finding.severity == "error" or shown[key] <= args.show:
            print(f"{finding.severity}: {finding}")
    for (severity, code), count in sorted(shown.items()):
        if severity == "warning" and count > args.show:
            print(f"warning: ... and {count - args.show} more '{code}' warnings")
    segments = sum(len(v.segments) for v in annotations)
    print(f"\n{args.src}: {len(annotations)} videos, {segments} segments, "
          f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    table = report.summary()
    if not table.empty:
        print(table[["severity", "check", "count"]].to_string(index=False))
    print("validation " + ("passed" if report.ok else "FAILED"))
    return 0 if report.ok else 1
