"""Clip loading from long untrimmed videos: videokit vs mmaction2's stock decord pipeline, and the limit.

Makes a long 720p H.264 video from the sample clips with ffmpeg (default 10 min, 25 fps, GOP 250)
plus a preprocessed copy (`videokit preprocess`'s defaults: short side 256, 25 fps, a keyframe every 2 s,
no B-pyramid), then for each file measures, on
the same samples, in one run, one decoding thread:

- (a) TSN, 8 segments over the whole video (training offsets);
- (b) dense 32x2 clips inside annotated segments (20-40 s segments spread over the video);

for: mmaction2 ``DecordInit + SampleFrames + DecordDecode`` (for (b), ``DecordInit + DecordDecode``
on the same indices, as mmaction2 has no time-range sampler), videokit's ``VideoInit +
SampleTimeRangeFrames + VideoDecode`` with its default backend (PyAV) and with decord, videokit's
keyframe-aware TSN sampling, and the limit: PyAV decoding only what the frames need (from the keyframe
before each frame to the frame, no colour conversion). Each method runs in a process of its own (decord
and PyAV bundle different FFmpeg builds: in one process PyAV then leaks and slows, see docs/video.md),
timing itself; the parent interleaves them in rounds (order alternating, ``benchmarks/rounds.py``) and
takes each ratio as the median of the per-round ratios with its min-max. The last line is
``speedup_vs_mmaction2=<x> over_limit=<y>``: the WORST case over both files and both sampling patterns
for what a user gets by default.

Usage: python -m benchmarks.bench_loader [--minutes 10] [--samples 4] [--rounds 5] [--cache DIR]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np

from .fixtures import ROOT, make_long_video, preprocessed_copy
from .rounds import interleaved, median, ratio, show_ratio


def limit_decode(path: Path, index_sets: List[np.ndarray]) -> Callable[[], None]:
    """Decode only the GOP prefixes that hold the needed frames (no RGB conversion)."""
    from videokit.video.decode import PyAVReader

    reader = PyAVReader(path)
    state = {"i": 0}

    def run() -> None:
        indices = np.unique(index_sets[state["i"] % len(index_sets)])
        state["i"] += 1
        position = -1
        for index in indices:
            key = reader.keyframes[np.searchsorted(reader.keyframes, index, side="right") - 1]
            if key > position or position >= index:
                reader._container.seek(int(reader._pts[key]), stream=reader._stream, backward=True)
                decoder = reader._container.decode(reader._stream)
                position = -1
            while position < index:
                frame = next(decoder)
                position = reader._index_of_pts.get(int(frame.pts), position)
    return run


def serve(connection, method: str, path: str, case: str, samples: List[Dict]) -> None:
    """A method's own process: runs sample ``k`` on request and answers with the seconds it took."""
    import time

    from mmaction.datasets.transforms import DecordDecode, DecordInit
    from mmaction.utils import register_all_modules

    register_all_modules()
    from videokit.datasets.transforms import SampleTimeRangeFrames, VideoDecode, VideoInit

    limit = limit_decode(Path(path), [s["frame_inds"] for s in samples]) if method == "limit" else None
    keyframe_sampler = SampleTimeRangeFrames(num_clips=8, keyframe_aware=True, max_lag=8)

    def run(s: Dict) -> None:
        if method == "mmaction2 decord":
            results = DecordInit()(dict(filename=path, start_index=0))
            results["frame_inds"] = s["frame_inds"]
            results["clip_len"], results["num_clips"] = (1, 8) if case == "tsn8_whole" else (32, 1)
            DecordDecode()(results)
        elif method == "limit":
            limit()
        elif method == "videokit pyav keyframe-aware":
            VideoDecode()(keyframe_sampler(VideoInit()(dict(filename=path, start=None, end=None))))
        else:
            backend = "decord" if method == "videokit decord" else "pyav"
            results = VideoInit(backend=backend)(dict(filename=path, start=s["start"], end=s["end"]))
            results["frame_inds"] = s["frame_inds"]
            VideoDecode()(results)

    while True:
        k = connection.recv()
        if k is None:
            return
        start = time.perf_counter()
        run(samples[k % len(samples)])
        connection.send(time.perf_counter() - start)


class Worker:
    """One method in a process of its own (spawned: nothing inherited), called sample after sample."""

    def __init__(self, method: str, path: str, case: str, samples: List[Dict]) -> None:
        import multiprocessing as mp

        context = mp.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, method, path, case, samples), daemon=True)
        self.process.start()
        self.k = 0

    def call(self) -> float:
        self.connection.send(self.k)
        self.k += 1
        return float(self.connection.recv())

    def close(self) -> None:
        self.connection.send(None)
        self.process.join(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=4, help="clips per method in each round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (at least 5)")
    parser.add_argument("--cache", default=str(ROOT / "benchmarks" / ".cache"))
    args = parser.parse_args()

    from mmaction.datasets.transforms import SampleFrames

    from videokit.video import dense_indices, open_video, time_range_to_frames

    cache = Path(args.cache)
    (cache / "raw").mkdir(parents=True, exist_ok=True)
    raw = make_long_video(cache / "raw" / f"long_{args.minutes:g}min_720p.mp4", args.minutes)
    files = {"raw 720p": raw, "preprocessed 256p": preprocessed_copy(raw, cache)}

    worst, rows = [], []
    for label, path in files.items():
        info = open_video(path, "pyav", cache=False)
        duration = info.num_frames / info.fps
        rng = np.random.default_rng(0)
        segments = []
        t = 5.0
        while t + 45 < duration:
            length = float(rng.uniform(20, 40))
            segments.append((t, t + length))
            t += length + float(rng.uniform(5, 60))
        cases: Dict[str, List[Dict]] = {"tsn8_whole": [], "dense32x2_segments": []}
        # the same samples for everyone: mmaction2's SampleFrames draws the TSN indices
        sampler = SampleFrames(clip_len=1, frame_interval=1, num_clips=8)
        np.random.seed(0)
        for _ in range(args.samples + 1):
            s = sampler(dict(total_frames=info.num_frames, start_index=0))
            cases["tsn8_whole"].append(dict(start=None, end=None, frame_inds=s["frame_inds"].copy()))
        for k in range(args.samples + 1):
            start, end = segments[k % len(segments)]
            first, last = time_range_to_frames(start, end, info.num_frames, info.fps, info.frame_times)
            inds = dense_indices(first, last, 32, 2, 1, rng=rng)
            cases["dense32x2_segments"].append(dict(start=start, end=end, frame_inds=inds))

        for case, samples in cases.items():
            names = ["mmaction2 decord", "videokit pyav (default)", "videokit decord", "limit"]
            if case == "tsn8_whole":
                names.append("videokit pyav keyframe-aware")
            workers = {name: Worker(name, str(path), case, samples) for name in names}
            try:
                times = interleaved({name: w.call for name, w in workers.items()}, rounds=args.rounds,
                                    calls=args.samples)
            finally:
                for w in workers.values():
                    w.close()
            speedup = ratio(times, "mmaction2 decord", "videokit pyav (default)")
            over = ratio(times, "videokit pyav (default)", "limit")
            worst.append((label, case, speedup, over))
            for method, seconds in times.items():
                rows.append((label, case, method, median(seconds), ratio(times, "mmaction2 decord", method)))
    print(f"\n{'file':18} {'case':20} {'method':30} {'s/clip':>8} {'clips/s':>8}  "
          f"{'vs mmaction2 (median [min-max])':>30}")
    for label, case, method, seconds, versus in rows:
        print(f"{label:18} {case:20} {method:30} {seconds:8.3f} {1 / seconds:8.2f}  {show_ratio(versus):>30}")
    print("\ndefault path per case: speedup vs mmaction2, and time over the decode limit")
    for label, case, speedup, over in worst:
        print(f"{label:18} {case:20} speedup {show_ratio(speedup)}  over limit {show_ratio(over)}")
    print(f"speedup_vs_mmaction2={min(w[2][0] for w in worst):.2f} over_limit={max(w[3][0] for w in worst):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
