"""Temporal detection compositions on synthetic features shaped like OphNet's phase localization.

The segment layout is real: the phase segments (starts, ends, labels; OphNet's 1 snippet per second) of
``--train`` + ``--test`` videos of ``OphNet2024_loca_challenge_phase.csv``, so lengths, class
frequencies and the long tail are OphNet's. The features are made here, seeded: each class has a random
256-d prototype, classes are paired and the pairs share 70 % of their prototype (confusable phases),
a snippet inside a phase is its prototype plus noise, outside one is noise, and everything is blurred in
time (phases fade in and out). Each composition trains for the same budget (epochs, AdamW, batch 4) on
the CPU and is tested with videokit's detection mAP @ tIoU 0.3:0.1:0.7; the conv detector is trained
twice, with the tiling regression ranges and with ranges that leave a gap at 32-64 steps, on the same
data and seed. This says how the compositions compare on OphNet's layout, not what they reach on real
OphNet features (which need the videos).

Prints a table (mAP per tIoU and average, training seconds, test seconds with post-processing apart,
parameters); last line ``best_avg_map=<x> method=<name>``.
Usage: python -m benchmarks.bench_detection [--train 200] [--test 60] [--epochs 15] [--seed 0]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch
from mmengine.structures import BaseDataElement

ROOT = Path(__file__).resolve().parents[1]
PHASES = ROOT.parent / "shared" / "real_annotations" / "ophnet" / "OphNet2024_loca_challenge_phase.csv"
OLD_RANGES = [(0, 4), (2, 4), (4, 8), (8, 16), (16, 32), (64, float("inf"))]  # before the fix (6 levels)
METHODS = {
    "conv (old ranges)": dict(regression_ranges=OLD_RANGES),
    "conv": dict(),
    "actionformer": dict(neck=dict(type="LocalAttentionPyramid", num_heads=4, window_size=19, stem_blocks=2)),
    "tridet": dict(neck=dict(type="SGPPyramid", kernel_size=3, k=1.5, stem_blocks=2),
                   head=dict(type="TridentHead", num_bins=16)),
}


def layout(train: int, test: int, seed: int):
    """Real phase segments of ``train + test`` OphNet videos (seconds, labels), video lengths."""
    from videokit.annotations import read_annotations

    annotations = read_annotations(PHASES, "ophnet")
    videos = [v for v in annotations if any(s.level == "phase" for s in v.segments)]
    rng = np.random.default_rng(seed)
    chosen = [videos[i] for i in rng.permutation(len(videos))[: train + test]]
    classes = annotations.taxonomy.level("phase").num_classes
    out = []
    for video in chosen:
        segs = [(s.start, s.end, s.label) for s in video.segments if s.level == "phase" and s.end > s.start]
        out.append((video.video_id, int(np.ceil(max(e for _, e, _ in segs))) + 5, segs))
    return out[:train], out[train:], classes


def class_prototypes(classes: int, dims: int, seed: int) -> np.ndarray:
    """One random signal per class; classes 2k and 2k+1 share 70 % of theirs (confusable phases)."""
    prototypes = np.random.default_rng(seed).normal(0, 1, (classes, dims))
    for a in range(0, classes - 1, 2):
        prototypes[a + 1] = 0.7 * prototypes[a] + 0.3 * prototypes[a + 1]
    return prototypes


def make_features(videos, prototypes: np.ndarray, seed: int) -> List[np.ndarray]:
    """Per video: the prototype of the phase at each snippet plus noise, blurred in time."""
    from scipy.ndimage import gaussian_filter1d

    rng = np.random.default_rng(seed)
    dims = prototypes.shape[1]
    features = []
    for _, length, segs in videos:
        signal = np.zeros((length, dims))
        for start, end, label in segs:
            signal[int(start):max(int(start) + 1, int(np.ceil(end)))] += prototypes[label]
        noisy = signal + rng.normal(0, 1.5, (length, dims))
        features.append(gaussian_filter1d(noisy, sigma=2.0, axis=0).astype(np.float32))
    return features


def samples(videos) -> List[BaseDataElement]:
    out = []
    for video_id, _, segs in videos:
        seconds = torch.tensor([[s, e] for s, e, _ in segs], dtype=torch.float64)
        out.append(BaseDataElement(metainfo=dict(video_id=video_id, time0=0.5, time_step=1.0),
                                   gt_segments=(seconds - 0.5).float(), gt_labels=torch.tensor([k for *_, k in segs]),
                                   gt_segments_sec=seconds))
    return out


def run(name: str, overrides: Dict, train, test, classes: int, dims: int, args) -> Dict:
    from videokit.evaluation.detection import OPHNET_TIOU, detection_map
    from videokit.models.detection import DenseTemporalDetector

    torch.manual_seed(args.seed)
    model = DenseTemporalDetector(in_channels=dims, num_classes=classes, embed_dims=args.embed_dims, num_levels=6,
                                  test_cfg=dict(nms="soft", sigma=0.5, max_seg_num=200, pre_nms_topk=2000),
                                  **overrides)
    params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    feats, targets = train
    order_rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    model.train()
    for _ in range(args.epochs):
        for batch in np.array_split(order_rng.permutation(len(feats)), max(1, len(feats) // 4)):
            inputs, data = [], []
            for i in batch:  # random crops of long videos, as the dataset's max_seq_len does
                x, sample = torch.from_numpy(feats[i]).t(), targets[i]
                if x.shape[1] > args.max_seq_len:
                    offset = int(order_rng.integers(0, x.shape[1] - args.max_seq_len + 1))
                    x = x[:, offset:offset + args.max_seq_len]
                    segs = (sample.gt_segments - offset).clamp(0, args.max_seq_len - 1)
                    keep = segs[:, 1] - segs[:, 0] > 0.5
                    sample = BaseDataElement(gt_segments=segs[keep], gt_labels=sample.gt_labels[keep])
                inputs.append(x)
                data.append(sample)
            losses = model(inputs, data, mode="loss")
            optimizer.zero_grad()
            sum(losses.values()).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    train_seconds = time.perf_counter() - started
    model.eval()
    test_feats, test_targets = test
    gt, pred, post_seconds = [], [], 0.0
    started = time.perf_counter()
    with torch.no_grad():
        for x, sample in zip(test_feats, test_targets):
            levels = model.outputs(*model._pad([torch.from_numpy(x).t()]))
            t0 = time.perf_counter()
            found = model.head.decode(levels, 0)
            post_seconds += time.perf_counter() - t0
            segs = 0.5 + found["segments"].double()
            pred += [(sample.video_id, int(k), float(s), float(e), float(c))
                     for (s, e), c, k in zip(segs.tolist(), found["scores"], found["labels"])]
            gt += [(sample.video_id, int(k), float(s), float(e))
                   for (s, e), k in zip(sample.gt_segments_sec.tolist(), sample.gt_labels)]
    test_seconds = time.perf_counter() - started
    result = detection_map(gt, pred, OPHNET_TIOU, classes=sorted({row[1] for row in gt}))
    return {"name": name, "mAP": list(result.mAP), "avg": result.average_mAP, "train_s": train_seconds,
            "test_s": test_seconds, "post_s": post_seconds, "params": params}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=200)
    parser.add_argument("--test", type=int, default=60)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--embed-dims", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--max-seq-len", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    train_videos, test_videos, classes = layout(args.train, args.test, args.seed)
    prototypes = class_prototypes(classes, args.dims, args.seed)  # the same classes in both splits
    train = (make_features(train_videos, prototypes, args.seed + 1), samples(train_videos))
    test = (make_features(test_videos, prototypes, args.seed + 2), samples(test_videos))
    segments = sum(len(s) for *_, s in train_videos + test_videos)
    print(f"OphNet phase layout: {len(train_videos)} train / {len(test_videos)} test videos, {segments} segments, "
          f"{classes} classes, mean length {np.mean([n for _, n, _ in train_videos]):.0f} snippets; "
          f"{args.epochs} epochs each", flush=True)
    rows = []
    for name in args.methods.split(","):
        rows.append(run(name, METHODS[name], train, test, classes, args.dims, args))
        row = rows[-1]
        print(f"  {name}: avg mAP {100 * row['avg']:.1f} in {row['train_s']:.0f} s", flush=True)
    header = " ".join(f"{t:>6}" for t in ("@0.3", "@0.4", "@0.5", "@0.6", "@0.7"))
    print(f"\n{'method':18} {header} {'avg':>6} {'train_s':>8} {'test_s':>7} {'post_s':>7} {'params':>9}")
    for row in rows:
        maps = " ".join(f"{100 * m:6.1f}" for m in row["mAP"])
        print(f"{row['name']:18} {maps} {100 * row['avg']:6.1f} {row['train_s']:8.0f} {row['test_s']:7.1f} "
              f"{row['post_s']:7.2f} {row['params']:9,d}")
    best = max(rows, key=lambda r: r["avg"])
    print(f"best_avg_map={100 * best['avg']:.1f} method={best['name'].replace(' ', '_')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
