"""Full read + validate + write of each real dataset to each target format, timed, and for the annotation
tools' formats (ELAN, Label Studio, CVAT, VIA) the other way too: the tool's file read back to canonical.

Goal: < 1 s per conversion on this machine (2 cores). The conversions run interleaved in rounds (order
alternating, ``benchmarks/rounds.py``; there is no baseline to divide by, so the noise shows as the
min-max of each conversion's time). Prints one line per conversion (median and min-max of read,
validate, write), then ``slowest_conversion_s=<x>`` (the slowest median).

The formats of a folder with one file per video (elan, cvat, vtt) are timed twice: into a new folder each
round (``new``: every file created; the folders stay until the end, so that the bench's own deletions do
not slow its creations, see docs/annotations.md) and over the previous round's output (``again``: a
re-export of unchanged annotations, whose files are carried over, not rewritten).
The folders of tool files (ELAN, CVAT) are read on both CPUs (``videokit.utils.bulk.in_two``; a write's
read-back too): ``--baseline one-process`` also times each conversion that reads or writes one in a single process
(``VIDEOKIT_ONE_PROCESS=1``) in the same rounds, prints the ratio per round (two / one; median [min-max]), and
whether both ways wrote the same canonical bytes (``two_process_canonical_equal``).
A write's read-back runs the tool readers with ``checks_only`` (no set assembled): ``--baseline assembled-read-back``
also times each tool-format write (ELAN, Label Studio, CVAT, VIA) with a read-back that assembles the set, in the
same rounds, prints checks-only / assembled per round, and whether both outputs read back to the same set
(``assembled_read_back_equal``).
Usage: python -m benchmarks.bench_annotations [REAL_ANNOTATIONS_DIR] [--rounds 5]
       [--baseline one-process|assembled-read-back]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import videokit.annotations
from videokit.annotations import read_annotations, validate, write_annotations
from videokit.annotations.formats import canonical
from videokit.utils.bulk import ONE_PROCESS_ENV

from .fixtures import ROOT
from .rounds import MIN_ROUNDS, interleaved, median, ratio, show_ratio

TARGETS = {"anet": "x.json", "mmaction": "x.txt", "frames": "x.npz", "canonical": "x.json", "taxonomy": "x.csv",
           "splits": "x.csv",
           "elan": "x_eaf", "labelstudio": "x.json", "cvat": "x_xml", "via": "x.json", "vtt": "x_vtt"}
FOLDERS = ("elan", "cvat", "vtt")  # one file per video
TOOLS = ("elan", "labelstudio", "cvat", "via")  # also timed the other way: the tool's file -> canonical
FPS = 30.0  # OphNet publishes no frame rates; the frame-based tools get this one
TWO_PROCESSES = ("elan", "cvat")  # the folder readers that share their files with a second process
ONE = " [one process]"
ASSEMBLED = " [assembled read-back]"
#: each baseline's key suffix -> its name and the ratio printed
BASELINES = {ONE: ("one process", "two / one"), ASSEMBLED: ("assembled read-back", "checks-only / assembled")}


@contextlib.contextmanager
def assembled_read_back():
    """Within the block a write's read-back assembles the set it reads (the way before ``checks_only``)."""
    checks_only = videokit.annotations.checks_only
    videokit.annotations.checks_only = contextlib.nullcontext
    try:
        yield
    finally:
        videokit.annotations.checks_only = checks_only


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", nargs="?", default=str(ROOT.parent / "shared" / "real_annotations"))
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    parser.add_argument("--dir", default=None, help="the disk to write on (default: a temporary folder)")
    parser.add_argument("--baseline", choices=["one-process", "assembled-read-back"], default=None,
                        help="also time the ELAN / CVAT conversions in one process, or the tool-format writes with "
                             "a read-back that assembles the set, in the same rounds")
    args = parser.parse_args()
    real = Path(args.real)
    stages: Dict[str, List[tuple]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        def conversion(dataset: str, target: str, name: str, source_format: str = "", fresh: bool = False,
                       one_process: bool = False, assembled: bool = False):
            written = Path(tmp) / f"{dataset}-{source_format}-{TARGETS.get(source_format, '')}"
            source = real / dataset if not source_format else written
            key = f"{dataset} {target}" if not source_format else f"{dataset} {source_format}->canonical"
            if target in FOLDERS:
                key += " (new)" if fresh else " (again)"
            key += ONE if one_process else ASSEMBLED if assembled else ""
            calls = iter(range(10**6))

            def run() -> None:
                out = Path(tmp) / (f"{dataset}-{target}-{name}" + ("-one" if one_process else "")
                                   + ("-assembled" if assembled else "") + (f"-{next(calls)}" if fresh else ""))
                os.environ[ONE_PROCESS_ENV] = "1" if one_process else "0"
                t0 = time.perf_counter()
                annotations = read_annotations(source, source_format or dataset)
                t1 = time.perf_counter()
                report = validate(annotations)
                assert report.ok, report.errors[:3]
                t2 = time.perf_counter()
                with assembled_read_back() if assembled else contextlib.nullcontext():
                    write_annotations(annotations, out, target,
                                      **({"tool_fps": FPS} if target in ("labelstudio", "cvat") else {}))
                stages.setdefault(key, []).append((t1 - t0, t2 - t1, time.perf_counter() - t2))
            return key, run

        methods = dict(conversion(dataset, target, name)
                       for dataset in ("nurvid", "ophnet") for target, name in {**TARGETS, dataset: "native"}.items())
        methods.update(dict(conversion(dataset, target, TARGETS[target], fresh=True)
                            for dataset in ("nurvid", "ophnet") for target in FOLDERS))
        for dataset in ("nurvid", "ophnet"):  # the tools' files, written once, then read back
            source = read_annotations(real / dataset, dataset)
            for tool in TOOLS:
                write_annotations(source, Path(tmp) / f"{dataset}-{tool}-{TARGETS[tool]}", tool, tool_fps=FPS)
            methods.update(dict(conversion(dataset, "canonical", f"from-{tool}.json", tool) for tool in TOOLS))
        if args.baseline == "one-process":
            for dataset in ("nurvid", "ophnet"):
                for tool in TWO_PROCESSES:
                    methods.update([conversion(dataset, tool, TARGETS[tool], one_process=True),
                                    conversion(dataset, tool, TARGETS[tool], fresh=True, one_process=True),
                                    conversion(dataset, "canonical", f"from-{tool}.json", tool, one_process=True)])
        if args.baseline == "assembled-read-back":
            methods.update(conversion(dataset, tool, TARGETS[tool], assembled=True)
                           for dataset in ("nurvid", "ophnet") for tool in TOOLS)
        times = interleaved(methods, rounds=args.rounds, warmup=0)
        os.environ.pop(ONE_PROCESS_ENV, None)
        # equality beside the ratio: each tool folder read in two processes and in one, written to canonical
        same = None if args.baseline != "one-process" else all(
            (Path(tmp) / f"{dataset}-canonical-from-{tool}.json").read_bytes()
            == (Path(tmp) / f"{dataset}-canonical-from-{tool}.json-one").read_bytes()
            for dataset in ("nurvid", "ophnet") for tool in TWO_PROCESSES)
        # equality beside the ratio: what each tool write wrote, read back in full, both ways
        same_set = None if args.baseline != "assembled-read-back" else all(
            canonical.to_dict(_read_written(Path(tmp) / f"{dataset}-{tool}-{TARGETS[tool]}", tool))
            == canonical.to_dict(_read_written(Path(tmp) / f"{dataset}-{tool}-{TARGETS[tool]}-assembled", tool))
            for dataset in ("nurvid", "ophnet") for tool in TOOLS)
    print(f"{'dataset':8} {'target':24} {'read_s':>7} {'validate_s':>10} {'write_s':>8} "
          f"{'total_s (median [min-max])':>28}")
    for key, values in times.items():
        if key.endswith(tuple(BASELINES)):
            continue
        parts = [median([s[i] for s in stages[key]]) for i in range(3)]
        dataset, target = key.split(maxsplit=1)
        baseline = "".join(f"  {name} {median(times[key + b]):.3f}; {per} {show_ratio(ratio(times, key, key + b))}"
                           for b, (name, per) in BASELINES.items() if key + b in times)
        print(f"{dataset:8} {target:24} {parts[0]:7.3f} {parts[1]:10.3f} {parts[2]:8.3f} "
              f"{median(values):10.3f} [{min(values):.3f}-{max(values):.3f}]{baseline}")
    if same is not None:
        print(f"two_process_canonical_equal={same} (ELAN and CVAT folders read both ways, written to canonical)")
    if same_set is not None:
        print(f"assembled_read_back_equal={same_set} (each tool write's output read back in full, both ways)")
    print(f"slowest_conversion_s={max(median(v) for k, v in times.items() if not k.endswith(tuple(BASELINES))):.3f}")
    return 0


def _read_written(path: Path, tool: str):
    return read_annotations(path, tool, **({"tool_fps": FPS} if tool in ("labelstudio", "cvat") else {}))


if __name__ == "__main__":
    sys.exit(main())
