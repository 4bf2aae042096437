"""Frames -> window features: how a recognizer's backbone turns each window's frames into one feature row.

Extraction (:mod:`.extraction`), ``videokit predict`` and the online streamer all call these, so features
at prediction time are computed exactly as the features a detector was trained on. Imports torch: import
this module only where a backbone runs (:mod:`.frames`, the frames' preparation, does not).
"""
from __future__ import annotations

import numpy as np
import torch

from .frames import prepare_frames  # noqa: F401  (the frames every backbone here sees)


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


class WindowFeatures:
    """A PyTorch model's backbone as the online streamer calls a backbone: frames of windows -> their features
    (an exported backbone is called the same way). The wrapping module is built once, not at every step."""

    def __init__(self, model, per_window: int, device: str = "cpu") -> None:
        self.module, self.device = WindowBackbone(model, per_window).to(device), device

    @torch.no_grad()
    def __call__(self, frames: np.ndarray) -> np.ndarray:
        return self.module(torch.from_numpy(frames).to(self.device)).cpu().numpy()


def window_features(model, frames: np.ndarray, per_window: int, device: str = "cpu") -> np.ndarray:
    """Backbone features of windows: ``frames`` is (W * per_window, H, W, 3) uint8 -> (W, C) (see
    :class:`WindowBackbone`)."""
    return WindowFeatures(model, per_window, device)(frames)
