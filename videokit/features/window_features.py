"""Frames -> window features: how a recognizer's backbone turns each window's frames into one feature row.

Extraction (:mod:`.extraction`), ``videokit predict`` and the online streamer all call these, so features
at prediction time are computed exactly as the features a detector was trained on. Imports torch and
OpenCV: import this module only where a backbone runs.
"""
from __future__ import annotations

import cv2
import numpy as np
import torch


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


class WindowBackbone(torch.nn.Module):
    """Frames of windows -> one feature row per window: ``frames`` (W * per_window, H, W, 3) uint8 -> (W, C).

    Normalised with the model's data preprocessor; 2D backbones see each window as a TSN snippet set
    (features averaged over its frames), 3D ones as one clip; SlowFast's pathways are pooled and
    concatenated. Extraction, ``videokit predict`` and the ONNX export all run this module.
    """

    def __init__(self, model, per_window: int) -> None:
        super().__init__()
        self.model, self.per_window = model, int(per_window)
        preprocessor = model.data_preprocessor
        mean = preprocessor.mean.view(1, 3, 1, 1) if preprocessor.mean is not None else torch.zeros(1, 3, 1, 1)
        std = preprocessor.std.view(1, 3, 1, 1) if preprocessor.std is not None else torch.ones(1, 3, 1, 1)
        self.register_buffer("mean", mean.detach().clone().float(), persistent=False)
        self.register_buffer("std", std.detach().clone().float(), persistent=False)
        self.clip = preprocessor.format_shape == "NCTHW"

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = (frames.float().permute(0, 3, 1, 2) - self.mean) / self.std  # (N, 3, H, W)
        windows = x.shape[0] // self.per_window
        if self.clip:  # one clip per window: (W, 1, 3, T, H, W)
            inputs = x.reshape(windows, self.per_window, *x.shape[1:]).permute(0, 2, 1, 3, 4).unsqueeze(1)
        else:  # TSN snippets: (W, per_window, 3, H, W)
            inputs = x.reshape(windows, self.per_window, *x.shape[1:])
        feats, _ = self.model.extract_feat(inputs, stage="backbone", test_mode=True)
        if isinstance(feats, (tuple, list)):  # SlowFast: pool and concatenate the pathways
            feats = torch.cat([f.flatten(2).mean(-1) for f in feats], dim=1)
        elif feats.dim() > 2:
            feats = feats.flatten(2).mean(-1)
        if self.clip:
            return feats.float()
        return feats.reshape(windows, -1, feats.shape[-1]).mean(1).float()  # 2D: one row per frame


@torch.no_grad()
def window_features(model, frames: np.ndarray, per_window: int, device: str = "cpu") -> np.ndarray:
    """Backbone features of windows: ``frames`` is (W * per_window, H, W, 3) uint8 -> (W, C) (see
    :class:`WindowBackbone`)."""
    module = WindowBackbone(model, per_window).to(device)
    return module(torch.from_numpy(frames).to(device)).cpu().numpy()
