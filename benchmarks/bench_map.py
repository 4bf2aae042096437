"""Detection mAP: videokit vs mmaction2's ``average_precision_at_temporal_iou`` applied per class.

1,000 videos x 100 predictions x 10 tIoU thresholds (ActivityNet's 0.5:0.05:0.95), 20 classes,
~10 ground-truth segments per video, predictions half near the ground truth (noisy boundaries, the
right class most of the time) and half random. Both run interleaved in rounds (order alternating,
``benchmarks/rounds.py``); their mAPs must agree (mmaction2 accumulates in float32). Last line:
``speedup_vs_mmaction2=<median per-round ratio>`` (goal >= 20).

Usage: python -m benchmarks.bench_map [--videos 1000] [--predictions 100] [--seed 0] [--rounds 5]
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from .rounds import MIN_ROUNDS, interleaved, median, ratio, show_ratio


def make_data(videos: int, per_video: int, classes: int, rng: np.random.Generator):
    gt, pred = [], []
    for v in range(videos):
        duration = rng.uniform(120, 600)
        segments = []
        for _ in range(rng.integers(5, 16)):
            start = rng.uniform(0, duration - 5)
            segments.append((f"v{v}", f"c{rng.integers(classes)}", start, min(duration, start + rng.uniform(2, 60))))
        gt += segments
        for k in range(per_video):
            if k % 2 == 0:
                _, label, start, end = segments[rng.integers(len(segments))]
                length = end - start
                start, end = start + rng.normal(0, 0.2) * length, end + rng.normal(0, 0.2) * length
                if rng.random() < 0.2:
                    label = f"c{rng.integers(classes)}"
            else:
                label, start = f"c{rng.integers(classes)}", rng.uniform(0, duration - 5)
                end = start + rng.uniform(2, 60)
            pred.append((f"v{v}", label, float(min(start, end - 0.1)), float(end), float(rng.random())))
    return gt, pred


def mmaction_map(gt, pred, thresholds):
    from mmaction.evaluation.functional import average_precision_at_temporal_iou

    aps = []
    for label in sorted({row[1] for row in gt}):
        truth = {}
        for video, lab, start, end in gt:
            if lab == label:
                truth.setdefault(video, []).append([start, end])
        rows = [list(row) for row in pred if row[1] == label]
        aps.append(average_precision_at_temporal_iou(truth, rows, thresholds))
    return np.mean(aps, axis=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--predictions", type=int, default=100)
    parser.add_argument("--classes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS, help="interleaved rounds (at least 5)")
    args = parser.parse_args()
    from videokit.evaluation.detection import ACTIVITYNET_TIOU, detection_map

    gt, pred = make_data(args.videos, args.predictions, args.classes, np.random.default_rng(args.seed))
    thresholds = np.asarray(ACTIVITYNET_TIOU)
    print(f"{len(gt)} ground-truth segments, {len(pred)} predictions, {len(thresholds)} thresholds")
    found = {}

    def ours() -> None:
        found["videokit"] = detection_map(gt, pred, thresholds)

    def theirs() -> None:
        found["mmaction2"] = mmaction_map(gt, pred, thresholds)

    times = interleaved({"videokit": ours, "mmaction2": theirs}, rounds=args.rounds, warmup=0)
    ours, theirs = found["videokit"], found["mmaction2"]
    t_ours, t_theirs = median(times["videokit"]), median(times["mmaction2"])
    diff = float(np.abs(ours.mAP - theirs).max())
    print(f"videokit  mAP={ours.average_mAP:.6f}  {t_ours:.3f} s (median)")
    print(f"mmaction2 mAP={float(theirs.mean()):.6f}  {t_theirs:.3f} s (median, per class)")
    print(f"max |difference| over thresholds: {diff:.2e}")
    if diff > 1e-5:
        print("error: the two disagree", file=sys.stderr)
        return 1
    speedup = ratio(times, "mmaction2", "videokit")
    print(f"videokit vs mmaction2 over {args.rounds} interleaved rounds: {show_ratio(speedup)}")
    print(f"speedup_vs_mmaction2={speedup[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
