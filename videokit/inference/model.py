"""Load a trained model from its config and a local checkpoint, and run its backbone on frames.

Shared by ``tools/extract_features.py`` and ``videokit predict`` so that features at prediction time
are computed exactly as the features a detector was trained on.
"""
from __future__ import annotations

from typing import Optional, Tuple

import cv2
import numpy as np
import torch


def load_model(config: str, checkpoint: Optional[str], device: str = "cpu") -> Tuple[torch.nn.Module, object]:
    """``(model in eval mode, Config)`` for ``config`` with ``checkpoint`` loaded.

    ``checkpoint`` is a local file, or ``None`` / ``'none'`` for random init (tests, smoke runs);
    nothing is ever downloaded.
    """
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    from ..register import register_all_modules

    register_all_modules()
    cfg = Config.fromfile(config)
    model = MODELS.build(cfg.model)
    if checkpoint and str(checkpoint).lower() != "none":
        load_checkpoint(model, str(checkpoint), map_location="cpu", logger="silent")
    else:
        model.init_weights()
    return model.to(device).eval(), cfg


def prepare_frames(frames: np.ndarray, size: int) -> np.ndarray:
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
def window_features(model, frames: np.ndarray, per_window: int, device: str = "cpu") -> np.ndarray:
    """Backbone features of windows: ``frames`` is (W * per_window, H, W, 3) uint8 -> (W, C).

    2D backbones see each window as a TSN snippet set (features averaged over its frames), 3D ones
    as one clip; SlowFast's pathways are pooled and concatenated.
    """
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
