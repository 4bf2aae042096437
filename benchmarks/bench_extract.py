"""Feature extraction throughput: one process decoding and running the backbone in turn vs
DataLoader workers decoding while the model runs vs two torchrun ranks, against the limit.

On a made 10-min video (the sample clip looped, preprocessed to 256p 25 fps as users train on), the
demo's ResNet-18 (random init) cuts windows of ``--window`` frames every ``--stride`` frames, 4 frames
each at 112 px. Methods, each a fresh process timed by itself (model loading and start-up left out):

- ``today``: ``tools/extract_features.py`` with ``--workers 0``;
- ``workers``: the same with ``--workers N``;
- ``torchrun x2``: ``tools/dist_extract_features.sh ... 2`` on two copies of the video (one per rank);
- ``decode only`` / ``model only``: the same windows decoded without the model / the model on
  random frames of the same shape; the limit is the slower of the two. Both also report the CPU time
  a window takes (decoding: one thread; the model: measured again on one thread, its least CPU time per
  window), which gives a second bound: the machine's cores divided by the CPU seconds a window needs
  (decode + model). Where the model runs on the same CPU (no GPU), no pipeline beats it.

They run interleaved in rounds (``benchmarks/rounds.py``); ratios are per-round medians with min-max.
Last line: ``extract_speedup=<workers vs today> over_limit=<limit rate / workers rate>
over_cpu_bound=<CPU-bound rate / workers rate>``.

Usage: python -m benchmarks.bench_extract [--minutes 10] [--rounds 5] [--workers 1] [--device cpu]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from .fixtures import ROOT
from .rounds import MIN_ROUNDS, median, ratio, show_ratio

CONFIG = ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py"


def setup(cache: Path, minutes: float) -> Path:
    """The 10-min 256p video (bench_loader's), an annotation list naming it, the demo config's taxonomy."""
    from .fixtures import make_long_video, preprocessed_copy

    raw = make_long_video(cache / "raw" / f"long_{minutes:g}min_720p.mp4", minutes)
    video = preprocessed_copy(raw, cache)
    work = cache / "extract"
    (work / "converted").mkdir(parents=True, exist_ok=True)
    (work / "converted" / "taxonomy.csv").write_text(
        "level,id,name,abbrev,group,parents,names\nprocedure,0,p,,,,{}\naction,0,a,,,0,{}\n")
    for name in ("a", "b"):  # torchrun: one video per rank, the same video twice
        target = work / f"{name}.mp4"
        if target.exists() and not target.samefile(video):
            target.unlink()  # made from an older preprocessed copy
        if not target.exists():
            os.link(video, target) if hasattr(os, "link") else shutil.copy(video, target)
    (work / "one.txt").write_text("a.mp4 0\n")
    (work / "two.txt").write_text("a.mp4 0\nb.mp4 0\n")
    return work


def run_method(method: str, work: Path, args) -> Tuple[float, float]:
    """Windows per second of one method, measured inside its own process, and the CPU seconds per window
    it reports (decode only / model only; NaN for the others)."""
    from videokit.engine.extract import SUMMARY  # the counts file tools/extract_features.py writes

    env = dict(os.environ, VIDEOKIT_DEMO_ROOT=str(work), PYTHONUNBUFFERED="1")
    out = Path(tempfile.mkdtemp(prefix="feats.", dir=work))
    common = ["--video-root", str(work), "--out", str(out), "--window", str(args.window), "--stride",
              str(args.stride), "--frames-per-window", "4", "--size", "112", "--no-progress", "--device", args.device,
              "--ann-format", "mmaction"]
    try:
        if method in ("today", "workers"):
            workers = "0" if method == "today" else str(args.workers)
            command = [sys.executable, str(ROOT / "tools" / "extract_features.py"), str(CONFIG), "none",
                       "--annotations", str(work / "one.txt"), "--workers", workers, *common]
        elif method == "torchrun x2":
            command = ["bash", str(ROOT / "tools" / "dist_extract_features.sh"), str(CONFIG), "none", "2",
                       "--annotations", str(work / "two.txt"), *common]
            env.update(PYTHON=sys.executable, PORT=str(29600 + int(time.time()) % 300))
        else:
            if args.device.startswith("cpu"):  # the wait policy the extraction tool uses on the CPU
                env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            command = [sys.executable, "-m", "benchmarks.bench_extract", "--inner", method, "--window",
                       str(args.window), "--stride", str(args.stride), "--device", args.device,
                       "--video", str(work / "a.mp4"), "--summary", str(out / SUMMARY)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"{method} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        summary = json.loads((out / SUMMARY).read_text())  # the run's own counts, not its printed line
        return float(summary["windows_per_s"]), float(summary.get("cpu_s_per_window", float("nan")))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def inner(method: str, video: str, window: int, stride: int, device: str, summary: str) -> None:
    """decode only / model only, on the windows ``tools/extract_features.py`` would cut."""
    import numpy as np
    import torch

    from videokit.features import FeatureSpec
    from videokit.features.extraction import WindowChunks, plan_video
    from videokit.features.window_features import window_features
    from videokit.inference.network import load_model

    spec = FeatureSpec(window=window, stride=stride, frames_per_window=4, size=112)
    plan = plan_video(0, "a", video, spec, 8)
    windows = len(plan.starts)
    if method == "decode only":
        start, cpu = time.perf_counter(), time.process_time()
        for _ in WindowChunks([plan], spec, 8):
            pass
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    else:
        os.environ.setdefault("VIDEOKIT_DEMO_ROOT", str(Path(video).parent))
        model, _ = load_model(str(CONFIG), "none", device)
        frames = np.random.default_rng(0).integers(0, 255, (8 * 4, 112, 112, 3), dtype=np.uint8)

        def run_model() -> None:
            for _ in range(0, windows, 8):
                window_features(model, frames, 4, device)
            if device.startswith("cuda"):
                torch.cuda.synchronize()

        start = time.perf_counter()
        run_model()
        seconds = time.perf_counter() - start
        # the CPU bound counts the model's least CPU time per window: one thread, no synchronisation
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        cpu = time.process_time()
        run_model()
        cpu = time.process_time() - cpu
        torch.set_num_threads(threads)
    print(f"{method}: {windows} windows in {seconds:.2f} s ({windows / seconds:.2f} windows/s, "
          f"cpu {cpu / windows:.5f} s/window)")
    Path(summary).write_text(json.dumps({"windows": windows, "seconds": seconds, "windows_per_s": windows / seconds,
                                         "cpu_s_per_window": cpu / windows}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    parser.add_argument("--workers", type=int, default=1, help="DataLoader workers of the 'workers' method")
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--stride", type=int, default=64, help="frames between windows (64: one every 2.56 s)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cache", default=str(ROOT / "benchmarks" / ".cache"))
    parser.add_argument("--inner", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--video", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--summary", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner, args.video, args.window, args.stride, args.device, args.summary)
        return 0
    if args.rounds < MIN_ROUNDS:
        raise SystemExit(f"--rounds: at least {MIN_ROUNDS}")
    work = setup(Path(args.cache), args.minutes)
    methods = ["today", "workers", "torchrun x2", "decode only", "model only"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rates: Dict[str, List[float]] = {m: [] for m in methods}
    cpu: Dict[str, List[float]] = {m: [] for m in methods}
    for r in range(args.rounds):
        for method in (methods if r % 2 == 0 else methods[::-1]):
            rate, cpu_per_window = run_method(method, work, args)
            rates[method].append(rate)
            cpu[method].append(cpu_per_window)
        print(f"round {r + 1}: " + ", ".join(f"{m} {rates[m][-1]:.1f}" for m in methods), flush=True)
    # as seconds per window, so that ratio() reads "a over b" like the other benchmarks
    times = {m: [1 / x for x in values] for m, values in rates.items()}
    times["limit"] = [max(a, b) for a, b in zip(times["decode only"], times["model only"])]
    # every core busy with decode + model work, nothing wasted (the bound when the model runs on the CPU)
    times["CPU bound"] = [(a + b) / cores for a, b in zip(cpu["decode only"], cpu["model only"])]
    print(f"\n{'method':14} {'windows/s':>10}  {'vs today (median [min-max])':>28}")
    for method in [*methods, "limit", "CPU bound"]:
        print(f"{method:14} {1 / median(times[method]):10.1f}  {show_ratio(ratio(times, 'today', method)):>28}")
    print(f"CPU seconds per window: decode {median(cpu['decode only']) * 1000:.1f} ms, model "
          f"{median(cpu['model only']) * 1000:.1f} ms, on {cores} cores")
    speedup = ratio(times, "today", "workers")
    over = ratio(times, "workers", "limit")
    over_cpu = ratio(times, "workers", "CPU bound")
    print(f"workers vs today {show_ratio(speedup)}; workers over the limit {show_ratio(over)}, over the CPU "
          f"bound {show_ratio(over_cpu)} ({args.device}, {cores} CPUs)")
    print(f"extract_speedup={speedup[0]:.2f} over_limit={over[0]:.2f} over_cpu_bound={over_cpu[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
