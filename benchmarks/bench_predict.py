"""Real-time factor of ``videokit predict`` (seconds of video per second of computation), against the
cost of decoding the same frames alone, measured in the same run.

Makes a long 720p H.264 video from the sample clips (default 1 min, 25 fps), then runs
:func:`videokit.inference.predict_video` (2-s windows every second, the config's own test pipeline)
with random-init weights for:

- the demo recognizer (ResNet-18, 4 frames of 64x64 per window, procedure + step heads);
- NurViD's multi-level TSM-R50 (8 frames of 224x224 per window), the realistic model.

Baseline: decoding exactly the frames those windows read (the I/O floor of any predictor). Predict
and decode-only run interleaved in rounds (``benchmarks/rounds.py``): the real-time factor is the video's
length over the median predict time, the decode share the median per-round ratio with its min-max.
Prints one line per model and, last, ``real_time_factor=<demo> real_time_factor_tsm_r50=<x>
decode_share=<fraction of the TSM run spent decoding>``. Run on a GPU machine with ``--device cuda``.

Usage: python -m benchmarks.bench_predict [--minutes 1] [--rounds 5] [--device cpu] [--cache DIR]
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from .fixtures import ROOT
from .rounds import interleaved, median, ratio, show_ratio


def decode_only(path: str, grid: np.ndarray, frames_per_window: int) -> float:
    """Seconds to decode the frames a TSN test pipeline of ``frames_per_window`` takes from each window."""
    from videokit.video import open_video, read_frames, time_range_to_frames, tsn_indices

    started = time.perf_counter()
    reader = open_video(path, cache=False)
    for start, end in grid:
        first, last = time_range_to_frames(start, end, reader.num_frames, reader.fps, reader.frame_times)
        read_frames(path, tsn_indices(first, last, frames_per_window, 1, True), reader=reader)
    reader.close()
    return time.perf_counter() - started


def main() -> None:
    from .fixtures import long_video_arguments, make_long_video

    args = long_video_arguments(__doc__.splitlines()[0])
    os.chdir(ROOT)  # the NurViD config names annotations/ relative to the checkout
    from videokit.demo import DemoSpec
    from videokit.demo.pipeline import run_demo
    from videokit.inference import PredictOptions, TrainedRecognizer, predict_video, window_grid

    work = Path(args.cache or tempfile.mkdtemp(prefix="bench_predict_"))
    work.mkdir(parents=True, exist_ok=True)
    video = str(make_long_video(work / f"long_{args.minutes:g}min_720p.mp4", args.minutes))
    demo_root = work / "demo"
    if not (demo_root / "converted" / "taxonomy.csv").exists():  # the demo config's taxonomy
        run_demo(demo_root, DemoSpec(videos_per_procedure=1, min_seconds=4, max_seconds=5), train=False)
    os.environ["VIDEOKIT_DEMO_ROOT"] = str(demo_root)
    options = PredictOptions()
    models = {"demo_r18": (ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py", 4),
              "tsm_r50": (ROOT / "configs" / "nurvid" / "multilevel_tsm_r50_1x1x8_trimmed-procedure-action.py", 8)}
    factors, shares = {}, {}
    for name, (config, frames) in models.items():
        recognizer = TrainedRecognizer.from_files(str(config), None, device=args.device)
        found = {}

        def predict() -> None:
            found["prediction"] = predict_video(video, recognizer, options=options, progress=False)

        predict()  # warm-up (caches, threads); gives the window grid
        grid = window_grid(found["prediction"].video_seconds, options.window, options.stride)
        times = interleaved({"predict": predict, "decode": lambda: decode_only(video, grid, frames)},
                            rounds=args.rounds, warmup=0)  # predict() above warmed up
        seconds = found["prediction"].video_seconds
        factors[name] = seconds / median(times["predict"])
        share = ratio(times, "decode", "predict")
        shares[name] = share[0]
        print(f"{name:9s} {len(grid)} windows: predict {median(times['predict']):6.1f} s -> real-time factor "
              f"{factors[name]:6.2f}x; decoding the same frames alone {median(times['decode']):5.1f} s "
              f"({seconds / median(times['decode']):6.1f}x real time; share of predict {show_ratio(share)})",
              flush=True)
    print(f"real_time_factor={factors['demo_r18']:.2f} real_time_factor_tsm_r50={factors['tsm_r50']:.2f} "
          f"decode_share={shares['tsm_r50']:.2f} device={args.device}")


if __name__ == "__main__":
    main()
