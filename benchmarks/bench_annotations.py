"""Full read + validate + write of each real dataset to each target format, timed.

Goal: < 1 s per conversion on this machine (2 cores). Prints one line per conversion, then
``slowest_conversion_s=<x>``. Usage: python benchmarks/bench_annotations.py [REAL_ANNOTATIONS_DIR]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from videokit.annotations import read_annotations, validate, write_annotations

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"anet": "x.json", "mmaction": "x.txt", "frames": "x.npz", "canonical": "x.json", "taxonomy": "x.csv",
           "splits": "x.csv"}


def main() -> int:
    real = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "real_annotations"
    sources = {"nurvid": real / "nurvid", "ophnet": real / "ophnet"}
    slowest = 0.0
    print(f"{'dataset':8} {'target':10} {'read_s':>7} {'validate_s':>10} {'write_s':>8} {'total_s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for dataset, src in sources.items():
            native = {**TARGETS, dataset: "native"}
            for target, name in native.items():
                t0 = time.perf_counter()
                annotations = read_annotations(src, dataset)
                t1 = time.perf_counter()
                report = validate(annotations)
                assert report.ok, report.errors[:3]
                t2 = time.perf_counter()
                write_annotations(annotations, Path(tmp) / f"{dataset}-{target}-{name}", target)
                t3 = time.perf_counter()
                slowest = max(slowest, t3 - t0)
                print(f"{dataset:8} {target:10} {t1 - t0:7.3f} {t2 - t1:10.3f} {t3 - t2:8.3f} {t3 - t0:8.3f}")
    print(f"slowest_conversion_s={slowest:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
