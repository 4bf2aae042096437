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
from typing import Dict, List, Optional

import cv2
import numpy as np
import torch

from ..utils import atomic_output
from ..video import BrokenVideoError, open_video, read_frames, tsn_indices


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
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return parser.parse_args(argv)


def build_backbone(config: str, checkpoint: Optional[str], device: str):
    """The recognizer of ``config`` (eval mode) with ``checkpoint`` loaded."""
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    from ..register import register_all_modules

    register_all_modules()
    cfg = Config.fromfile(config)
    model = MODELS.build(cfg.model)
    if checkpoint and checkpoint.lower() != "none":
        load_checkpoint(model, checkpoint, map_location="cpu")
    else:
        model.init_weights()
    return model.to(device).eval(), cfg


def _prepare(frames: np.ndarray, size: int) -> np.ndarray:
    """Resize the short side to ``size`` and centre-crop a square: (N, size, size, 3) uint8."""
    out = np.empty((len(frames), size, size, 3), dtype=np.uint8)
    for i, frame in enumerate(frames):
        h, w = frame.shape[:2]
        scale = size / min(h, w)
        resized = cv2.resize(frame, (max(size, round(w * scale)), max(size, round(h * scale))),
                             interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        top, left = (resized.shape[0] - size) // 2, (resized.shape[1] - size) // 2
        out[i] = resized[top:top + size, left:left + size]
    return out


@torch.no_grad()
def window_features(model, frames: np.ndarray, per_window: int, device: str) -> np.ndarray:
    """Backbone features of windows: ``frames`` is (W * per_window, H, W, 3) uint8 -> (W, C)."""
    preprocessor = model.data_preprocessor
    x = torch.from_numpy(frames).to(device).float().permute(0, 3, 1, 2)  # (N, 3, H, W)
    mean = preprocessor.mean.view(1, 3, 1, 1) if preprocessor.mean is not None else 0.0
    std = preprocessor.std.view(1, 3, 1, 1) if preprocessor.std is not None else 1.0
    x = (x - mean) / std
    windows = len(frames) // per_window
    if preprocessor.format_shape == "NCTHW":  # one clip per window: (W, 1, 3, T, H, W)
        inputs = x.view(windows, per_window, *x.shape[1:]).permute(0, 2, 1, 3, 4).unsqueeze(1)
    else:  # TSN snippets: (W, per_window, 3, H, W)
        inputs = x.view(windows, per_window, *x.shape[1:])
    feats, _ = model.extract_feat(inputs, stage="backbone", test_mode=True)
    if isinstance(feats, (tuple, list)):  # SlowFast: pool and concatenate the pathways
        feats = torch.cat([f.flatten(2).mean(-1) for f in feats], dim=1)
    elif feats.dim() > 2:
        feats = feats.flatten(2).mean(-1)
    if feats.shape[0] != windows:  # 2D: one row per frame
        feats = feats.view(windows, -1, feats.shape[-1]).mean(1)
    return feats.float().cpu().numpy()


def resample(features: np.ndarray, length: int) -> np.ndarray:
    """Linear interpolation of (T, C) features to (length, C) over normalised time."""
    if len(features) == 1:
        return np.repeat(features, length, axis=0)
    source = np.linspace(0.0, 1.0, len(features))
    target = np.linspace(0.0, 1.0, length)
    return np.stack([np.interp(target, source, features[:, c]) for c in range(features.shape[1])], axis=1)


def extract_video(model, path: str, args: argparse.Namespace) -> Dict[str, object]:
    reader = open_video(path, cache=False)
    window = max(1, round(args.window_sec * reader.fps)) if args.window_sec else args.window
    stride = max(1, round(args.stride_sec * reader.fps)) if args.stride_sec else args.stride
    starts = list(range(0, max(reader.num_frames - window, 0) + 1, stride))
    features: List[np.ndarray] = []
    for b in range(0, len(starts), args.batch_size):
        chunk = starts[b:b + args.batch_size]
        indices = np.concatenate([tsn_indices(s, min(s + window, reader.num_frames) - 1, args.frames_per_window,
                                              test_mode=True) for s in chunk])
        frames = _prepare(read_frames(path, indices, reader=reader), args.size)
        features.append(window_features(model, frames, args.frames_per_window, args.device))
    reader.close()
    feats = np.concatenate(features)
    centres = (np.asarray(starts) + min(window, reader.num_frames) / 2) / reader.fps
    if args.fixed_length:
        feats = resample(feats, args.fixed_length)
        centres = np.linspace(centres[0], centres[-1], args.fixed_length)
    return {"features": feats.astype(np.float16 if args.float16 else np.float32), "fps": reader.fps,
            "num_frames": reader.num_frames, "window": window, "stride": stride, "times": centres}


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
    videos = [v for v in annotations.subset(args.split)]
    skipped, broken = 0, []
    for video in tqdm(videos, desc="features", unit="video"):
        npy, sidecar = out / f"{video.video_id}.npy", out / f"{video.video_id}.json"
        if npy.exists() and sidecar.exists():
            skipped += 1
            continue
        path = str(Path(args.video_root) / (video.path or f"{video.video_id}.mp4"))
        try:
            result = extract_video(model, path, args)
        except BrokenVideoError as exc:
            broken.append(str(exc))
            print(f"warning: skipping {exc}", file=sys.stderr)
            continue
        meta = {"video_id": video.video_id, "fps": result["fps"], "num_frames": result["num_frames"],
                "window": result["window"], "stride": result["stride"], "frames_per_window": args.frames_per_window,
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
          f"{len(broken)} unreadable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
