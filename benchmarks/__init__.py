"""videokit's benchmarks: each measures against a named baseline in the same run, interleaved in rounds
(:mod:`.rounds`), and prints the ratio. Run them as modules from the repository root:
``python -m benchmarks.bench_loader`` (shared inputs in :mod:`.fixtures`)."""
