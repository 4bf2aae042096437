"""OpenMP's wait policy for feature extraction on the CPU.

The model's OpenMP threads spin between parallel regions by default. On a CPU that something else
uses too (decoding workers, a neighbour's job) a spinning thread holds a core that work needs, and one
preempted thread stalls all the others at the next barrier. Waiting passively lets the core go.
Measured on 2 cores (``benchmarks/bench_extract.py``, windows/s): with one decoding worker +10 %; with a
neighbour busy on one core +36 % (17.6 -> 23.9) without workers; alone and without workers -4 %. A
shared machine is the common case, so the extraction tool waits passively on the CPU. libgomp reads the
policy once, when torch loads, so it must be set before that.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence


def prefer_passive_openmp(argv: Sequence[str]) -> bool:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` for an extraction command line whose ``--device`` names no GPU,
    unless the user chose a policy or torch is already loaded; True when it was set."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--device", default=None)
    try:
        args, _ = parser.parse_known_args(list(argv))
    except SystemExit:  # a malformed command line: the real parser reports it
        return False
    on_cpu = args.device is None or args.device.startswith("cpu")
    if not on_cpu or "OMP_WAIT_POLICY" in os.environ or "torch" in sys.modules:
        return False
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    return True
