"""Sliding-window features from any mmaction2 recognizer's backbone, one array per video.

    python tools/extract_features.py CONFIG CHECKPOINT --annotations SRC [--ann-format canonical]
        --video-root DIR --out DIR [--window 16 --stride 8 | --window-sec 1.0 --stride-sec 0.5]
        [--frames-per-window 8] [--size 224] [--fixed-length 100] [--float16] [--split S]
        [--workers N] [--launcher pytorch]          # bash tools/dist_extract_features.sh ... for torchrun

Each window of ``window`` frames (every ``stride`` frames) gives ``frames-per-window`` evenly spaced
frames: a TSN snippet set for 2D backbones (features averaged over frames) or one clip for 3D ones.
Writes ``OUT/<video_id>.npy`` (windows x channels) and ``OUT/<video_id>.json`` (fps, stride, window,
backbone, feature times); resumable (videos with both files are skipped); ``--fixed-length N``
resamples every video to N snippets by linear interpolation (NurViD's N=100 protocol).
``OUT/extract_summary.json`` holds the run's counts (extracted, already there, unreadable, absent,
windows, seconds, windows/s), for scripts. ``--workers N`` decodes in N DataLoader workers while the backbone
runs; under torchrun each rank takes
a disjoint, deterministic shard of the videos (every ``world_size``-th, by video id) and rank 0 prints
one summary. ``CHECKPOINT`` may be ``none`` for random init (tests, smoke runs; seeded by ``--seed``);
nothing is ever downloaded.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import List, Tuple

import numpy as np
import torch

from ..annotations import AnnotationError, read_annotations
from ..annotations.timeline import video_file
from ..datasets.presence import absent_paths, absent_summary
from ..features import FeatureFolder, FeatureSpec, sidecar
from ..features.extraction import VideoPlan, extract_features, plan_video, resample, resampled_times
from ..inference.network import load_model
from ..utils import atomic_write_text
from .distributed import NotUnderTorchrun, join_torchrun

SUMMARY = "extract_summary.json"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint", help="a local checkpoint, or 'none' for random init")
    parser.add_argument("--annotations", required=True, help="which videos: any annotation source videokit reads")
    parser.add_argument("--ann-format", default="canonical")
    parser.add_argument("--video-root", default="", help="folder the annotations' video paths are relative to")
    parser.add_argument("--out", required=True)
    parser.add_argument("--split", default=None, help="only videos of this split")
    parser.add_argument("--window", type=int, default=16, help="window length in frames")
    parser.add_argument("--stride", type=int, default=8, help="stride in frames")
    parser.add_argument("--window-sec", type=float, default=None, help="window length in seconds (overrides --window)")
    parser.add_argument("--stride-sec", type=float, default=None, help="stride in seconds (overrides --stride)")
    parser.add_argument("--frames-per-window", type=int, default=8)
    parser.add_argument("--size", type=int, default=224, help="frames are resized and centre-cropped to this")
    parser.add_argument("--fixed-length", type=int, default=None, help="resample every video to N snippets")
    parser.add_argument("--float16", action="store_true", help="store half-precision features")
    parser.add_argument("--batch-size", type=int, default=8, help="windows per forward pass (and per decoded chunk)")
    parser.add_argument("--workers", type=int, default=0,
                        help="DataLoader workers decoding windows while the model runs (0: decode in turn)")
    parser.add_argument("--missing", choices=["skip", "error"], default="skip",
                        help="absent videos: leave them out with one line and a list in OUT (default), or fail")
    parser.add_argument("--launcher", choices=["none", "pytorch"], default="none",
                        help="pytorch: one shard of the videos per torchrun rank")
    parser.add_argument("--seed", type=int, default=0, help="seed of a random-init backbone (CHECKPOINT none)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return parser.parse_args(argv)


def spec_from_args(args: argparse.Namespace) -> FeatureSpec:
    return FeatureSpec(window=args.window, stride=args.stride, frames_per_window=args.frames_per_window,
                       size=args.size, window_sec=args.window_sec, stride_sec=args.stride_sec,
                       fixed_length=args.fixed_length)


def _distributed(args: argparse.Namespace) -> Tuple[int, int]:
    """``(rank, world_size)``: joins torchrun's group (gloo on CPU, NCCL on GPUs) under ``--launcher pytorch``."""
    if args.launcher == "none":
        return 0, 1
    backend = "nccl" if args.device.startswith("cuda") else "gloo"
    if backend == "nccl":
        local = int(os.environ.get("LOCAL_RANK", 0))
        torch.cuda.set_device(local)
        args.device = f"cuda:{local}"
    try:
        return join_torchrun(backend)
    except NotUnderTorchrun as exc:
        raise SystemExit(f"error: {exc}: bash tools/dist_extract_features.sh CONFIG CHECKPOINT NPROC ...") from None


def _summary(counts: dict, world: int) -> dict:
    if world == 1:
        return counts
    import torch.distributed as dist

    keys = sorted(counts)
    total = torch.tensor([counts[k] for k in keys], dtype=torch.long)
    dist.all_reduce(total)
    return dict(zip(keys, total.tolist()))


def main(argv=None) -> int:
    from tqdm import tqdm


    args = parse_args(argv)
    rank, world = _distributed(args)
    say = (lambda *a, **k: print(*a, **k)) if rank == 0 else (lambda *a, **k: None)
    try:
        annotations = read_annotations(args.annotations, args.ann_format)
    except AnnotationError as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 1
    torch.manual_seed(args.seed)
    model, cfg = load_model(args.config, args.checkpoint, args.device)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    every = sorted(annotations.subset(args.split), key=lambda v: v.video_id)
    path_of = {v.video_id: str(Path(args.video_root) / video_file(v)) for v in every}
    absent = absent_paths(list(path_of.values()))
    if every and len(absent) == len(every):  # nothing to extract: a wrong --video-root, never a success
        say(f"error: {args.annotations}: none of its {len(every)} videos is under {args.video_root or '.'} (e.g. "
            f"{absent[0]}); point --video-root at the folder holding them", file=sys.stderr)
        return 1
    if absent and args.missing == "error":
        say(f"error: {args.annotations}: {absent_summary(absent, len(every))} under {args.video_root or '.'} "
            "(--missing error)", file=sys.stderr)
        return 1
    if absent and rank == 0:
        listing = out / "missing_videos.txt"
        atomic_write_text(listing, "\n".join(absent) + "\n")
        say(f"{len(absent)} of {len(every)} videos absent under {args.video_root or '.'}, left out; list: {listing}",
            file=sys.stderr)
    gone = set(absent)
    shard = [v for v in every if path_of[v.video_id] not in gone][rank::world]
    folder = FeatureFolder(out)
    todo = [v for v in shard if not folder.has(v.video_id)]
    spec = spec_from_args(args)
    plans: List[VideoPlan] = [plan_video(i, v.video_id, path_of[v.video_id], spec, args.batch_size)
                              for i, v in enumerate(todo)]

    def write(plan: VideoPlan, features: np.ndarray) -> None:
        times = plan.centres()
        if args.fixed_length:
            features = resample(features, args.fixed_length)
            times = resampled_times(times, args.fixed_length)
        meta = sidecar(spec, plan.fps, plan.num_frames, plan.window, plan.stride, times,
                       backbone=cfg.model.backbone.get("type"), config=args.config, checkpoint=args.checkpoint)
        if plan.lost:  # a damaged stretch: its windows repeat the last decoded window's features
            meta["unreadable_windows"] = sorted(plan.lost)
            print(f"warning: {plan.path}: {len(plan.lost)} of {len(plan.starts)} windows could not be decoded "
                  "(a damaged stretch): their features repeat the last decoded window's (unreadable_windows in "
                  "the sidecar)", file=sys.stderr)
        folder.write(plan.video_id, features.astype(np.float16 if args.float16 else np.float32), meta)

    def broken(plan: VideoPlan, reason: str) -> None:
        print(f"warning: skipping {plan.path}: {reason}", file=sys.stderr)

    total = sum(len(p.starts) for p in plans)
    started = time.perf_counter()
    with tqdm(total=total, desc=f"features (rank {rank})" if world > 1 else "features", unit="window",
              disable=args.no_progress or rank != 0) as bar:
        counts = extract_features(model, plans, spec, write, args.device, args.batch_size, args.workers,
                                  on_broken=broken, progress=bar.update)
    counts["already"] = len(shard) - len(todo)
    counts = _summary(counts, world)  # under torchrun, also waits for every rank
    seconds = time.perf_counter() - started
    counts.update(absent=len(absent), seconds=round(seconds, 3), ranks=world,
                  windows_per_s=round(counts["windows"] / seconds, 3) if counts["windows"] and seconds else 0.0)
    if rank == 0:  # what a script reads instead of parsing the line below
        atomic_write_text(out / SUMMARY, json.dumps(counts, indent=1) + "\n")
    say(f"features in {out}: {counts['extracted']} extracted, {counts['already']} already there, "
        f"{counts['unreadable']} unreadable, {len(absent)} absent" + (f" ({world} ranks)" if world > 1 else "")
        + (f"; {counts['windows']} windows in {seconds:.1f} s ({counts['windows'] / seconds:.1f} windows/s)"
           if counts["windows"] else ""))
    if world > 1:
        import torch.distributed as dist

        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
