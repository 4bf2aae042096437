"""Sliding-window features from any mmaction2 recognizer's backbone, one array per video.

    python tools/extract_features.py CONFIG CHECKPOINT --annotations SRC [--ann-format canonical]
        --video-root DIR --out DIR [--window 16 --stride 8 | --window-sec 1.0 --stride-sec 0.5]
        [--frames-per-window 8] [--size 224] [--fixed-length 100] [--float16] [--split S]

Each window of ``window`` frames (every ``stride`` frames) gives ``frames-per-window`` evenly spaced
frames: a TSN snippet set for 2D backbones (features averaged over frames) or one clip for 3D ones.
Writes ``OUT/<video_id>.npy`` (windows x channels) and ``OUT/<video_id>.json`` (fps, stride, window,
backbone, feature times); resumable (videos with both files are skipped); ``--fixed-length N``
resamples every video to N snippets by linear interpolation (NurViD's N=100 protocol).
``CHECKPOINT`` may be ``none`` for random init (tests, smoke runs); nothing is ever downloaded.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, Optional

import numpy as np
import torch

from ..inference.features import WindowSpec, resample, video_features
from ..inference.model import load_model
from ..utils import atomic_output, atomic_write_text
from ..video import BrokenVideoError


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
    parser.add_argument("--batch-size", type=int, default=8, help="windows per forward pass")
    parser.add_argument("--missing", choices=["skip", "error"], default="skip",
                        help="absent videos: leave them out with one line and a list in OUT (default), or fail")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return parser.parse_args(argv)


def build_backbone(config: str, checkpoint: Optional[str], device: str):
    """The recognizer of ``config`` (eval mode) with ``checkpoint`` loaded (see :func:`load_model`)."""
    return load_model(config, checkpoint, device)


def extract_video(model, path: str, args: argparse.Namespace) -> Dict[str, object]:
    result = video_features(model, path, spec_from_args(args), args.device, args.batch_size)
    if args.fixed_length:
        result["features"] = resample(result["features"], args.fixed_length)
        result["times"] = np.linspace(result["times"][0], result["times"][-1], args.fixed_length)
    result["features"] = result["features"].astype(np.float16 if args.float16 else np.float32)
    return result


def spec_from_args(args: argparse.Namespace) -> WindowSpec:
    return WindowSpec(window=args.window, stride=args.stride, frames_per_window=args.frames_per_window,
                      size=args.size, window_sec=args.window_sec, stride_sec=args.stride_sec)


def main(argv=None) -> int:
    from tqdm import tqdm

    from ..annotations import AnnotationError, read_annotations

    args = parse_args(argv)
    try:
        annotations = read_annotations(args.annotations, args.ann_format)
    except AnnotationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    model, cfg = build_backbone(args.config, args.checkpoint, args.device)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from ..datasets.presence import absent_paths, absent_summary

    every = [v for v in annotations.subset(args.split)]
    path_of = {v.video_id: str(Path(args.video_root) / (v.path or f"{v.video_id}.mp4")) for v in every}
    absent = absent_paths(list(path_of.values()))
    if absent and args.missing == "error":
        print(f"error: {args.annotations}: {absent_summary(absent, len(every))} under {args.video_root or '.'} "
              "(--missing error)", file=sys.stderr)
        return 1
    if absent:
        listing = out / "missing_videos.txt"
        atomic_write_text(listing, "\n".join(absent) + "\n")
        print(f"{len(absent)} of {len(every)} videos absent under {args.video_root or '.'}, left out; list: {listing}",
              file=sys.stderr)
    gone = set(absent)
    videos = [v for v in every if path_of[v.video_id] not in gone]
    skipped, broken = 0, []
    for video in tqdm(videos, desc="features", unit="video"):
        npy, sidecar = out / f"{video.video_id}.npy", out / f"{video.video_id}.json"
        if npy.exists() and sidecar.exists():
            skipped += 1
            continue
        path = path_of[video.video_id]
        try:
            result = extract_video(model, path, args)
        except BrokenVideoError as exc:
            broken.append(str(exc))
            print(f"warning: skipping {exc}", file=sys.stderr)
            continue
        meta = {"video_id": video.video_id, "fps": result["fps"], "num_frames": result["num_frames"],
                "window": result["window"], "stride": result["stride"], "frames_per_window": args.frames_per_window,
                "size": args.size,
                "fixed_length": args.fixed_length, "feature_dim": int(result["features"].shape[1]),
                "dtype": str(result["features"].dtype), "backbone": cfg.model.backbone.get("type"),
                "config": args.config, "checkpoint": args.checkpoint,
                "times": [round(float(t), 4) for t in result["times"]]}
        with atomic_output(npy) as tmp:
            with open(tmp, "wb") as handle:
                np.save(handle, result["features"])
        with atomic_output(sidecar) as tmp:
            tmp.write_text(json.dumps(meta))
    print(f"features in {out}: {len(videos) - skipped - len(broken)} extracted, {skipped} already there, "
          f"{len(broken)} unreadable, {len(absent)} absent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
