"""Interleaved timing for the benchmarks: the methods compared take turns call by call (A, B, C, then
C, B, A, ...), so a neighbour's load hits every side alike; ratios are taken per round (``calls`` turns),
then summarised by their median with the min-max. A figure that moves with the machine's other jobs is
not one a user can trust.
"""
from __future__ import annotations

import gc
import statistics
import time
from typing import Callable, Dict, List, Sequence, Tuple

MIN_ROUNDS = 5


def interleaved(methods: Dict[str, Callable[[], None]], rounds: int = MIN_ROUNDS, calls: int = 1,
                warmup: int = 1) -> Dict[str, List[float]]:
    """Seconds per call of each method in each round (each method warmed up ``warmup`` times first).
    A round makes ``calls`` calls of every method, one method after the other for each call (A B C,
    C B A, A B C, ...), so that a neighbour's load, which changes within seconds, hits every method
    alike. A method that returns a float reports its own seconds (one that runs in another process,
    say); otherwise the call is timed here."""
    if rounds < MIN_ROUNDS:
        raise ValueError(f"at least {MIN_ROUNDS} rounds, not {rounds}")
    for fn in methods.values():
        for _ in range(warmup):
            fn()
    names = list(methods)
    times: Dict[str, List[float]] = {name: [] for name in names}
    turn = 0
    for _ in range(rounds):
        total = dict.fromkeys(names, 0.0)
        for _ in range(calls):
            for name in (names if turn % 2 == 0 else names[::-1]):
                start = time.perf_counter()
                reported = methods[name]()
                total[name] += reported if isinstance(reported, float) else time.perf_counter() - start
                gc.collect()  # outside the timing: a method's garbage (mmaction2's decord readers) never piles up
            turn += 1
        for name in names:
            times[name].append(total[name] / calls)
    return times


def ratio(times: Dict[str, List[float]], numerator: str, denominator: str) -> Tuple[float, float, float]:
    """Median, min and max over rounds of ``time[numerator] / time[denominator]``."""
    values = [a / b for a, b in zip(times[numerator], times[denominator])]
    return statistics.median(values), min(values), max(values)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def show_ratio(value: Tuple[float, float, float]) -> str:
    return f"{value[0]:.2f}x [{value[1]:.2f}-{value[2]:.2f}]"
