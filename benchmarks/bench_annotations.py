"""Full read + validate + write of each real dataset to each target format, timed.

Goal: < 1 s per conversion on this machine (2 cores). The conversions run interleaved in rounds (order
alternating, ``benchmarks/rounds.py``; there is no baseline to divide by, so the noise shows as the
min-max of each conversion's time). Prints one line per conversion (median and min-max of read,
validate, write), then ``slowest_conversion_s=<x>`` (the slowest median).
Usage: python -m benchmarks.bench_annotations [REAL_ANNOTATIONS_DIR] [--rounds 5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from videokit.annotations import read_annotations, validate, write_annotations

from .fixtures import ROOT
from .rounds import MIN_ROUNDS, interleaved, median

TARGETS = {"anet": "x.json", "mmaction": "x.txt", "frames": "x.npz", "canonical": "x.json", "taxonomy": "x.csv",
           "splits": "x.csv"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", nargs="?", default=str(ROOT.parent / "shared" / "real_annotations"))
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    args = parser.parse_args()
    real = Path(args.real)
    stages: Dict[str, List[tuple]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        def conversion(dataset: str, target: str, name: str):
            def run() -> None:
                t0 = time.perf_counter()
                annotations = read_annotations(real / dataset, dataset)
                t1 = time.perf_counter()
                report = validate(annotations)
                assert report.ok, report.errors[:3]
                t2 = time.perf_counter()
                write_annotations(annotations, Path(tmp) / f"{dataset}-{target}-{name}", target)
                stages.setdefault(f"{dataset} {target}", []).append((t1 - t0, t2 - t1, time.perf_counter() - t2))
            return run

        methods = {f"{dataset} {target}": conversion(dataset, target, name)
                   for dataset in ("nurvid", "ophnet") for target, name in {**TARGETS, dataset: "native"}.items()}
        times = interleaved(methods, rounds=args.rounds, warmup=0)
    print(f"{'dataset':8} {'target':10} {'read_s':>7} {'validate_s':>10} {'write_s':>8} {'total_s (median [min-max])':>28}")
    for key, values in times.items():
        parts = [median([s[i] for s in stages[key]]) for i in range(3)]
        dataset, target = key.split()
        print(f"{dataset:8} {target:10} {parts[0]:7.3f} {parts[1]:10.3f} {parts[2]:8.3f} "
              f"{median(values):10.3f} [{min(values):.3f}-{max(values):.3f}]")
    print(f"slowest_conversion_s={max(median(v) for v in times.values()):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
