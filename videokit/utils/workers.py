"""How many worker processes a parallel step starts by default."""
import os


def count_cpus() -> int:
    """The CPUs this process may use (its affinity mask where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
