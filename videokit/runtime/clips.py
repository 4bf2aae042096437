"""The config's test pipeline as the model file records it, in numpy and OpenCV: a window's frames picked by the
same sampling, resized, cropped and laid out as mmaction2's ``Resize`` / ``CenterCrop`` / ``FormatShape`` do, and
normalised as the data preprocessor does, so the network sees the inputs the full install gives it."""
from __future__ import annotations

from typing import Any, Dict, List

import numpy as np

from ..video import dense_indices, time_range_to_frames, tsn_indices
from .model_file import ModelFileError

_INTERPOLATION = {"nearest": 0, "bilinear": 1, "bicubic": 2, "area": 3, "lanczos": 4}  # cv2's codes


def _rescale_size(width: int, height: int, scale) -> tuple:
    """mmcv's ``rescale_size``: the largest size within ``scale`` (``-1``: that edge free) keeping the ratio."""
    if isinstance(scale, (int, float)):
        factor = float(scale)
    else:
        long_edge, short_edge = max(scale), min(scale)
        if short_edge == -1:
            long_edge, short_edge = np.inf, long_edge
        factor = min(long_edge / max(height, width), short_edge / min(height, width))
    return int(width * float(factor) + 0.5), int(height * float(factor) + 0.5)


class ClipPipeline:
    """A window's frames -> the network's input, from the manifest's ``sampling``, ``transforms`` and
    ``preprocessor``."""

    def __init__(self, manifest: Dict[str, Any]) -> None:
        if manifest.get("unsupported"):
            raise ModelFileError(f"the model's test pipeline has steps the runtime does not reproduce "
                                 f"({', '.join(manifest['unsupported'])}); predict with the full install "
                                 "(--config, --checkpoint)")
        if not manifest.get("sampling"):
            raise ModelFileError("the model's test pipeline samples no time range (no SampleTimeRangeFrames)")
        self.sampling = manifest["sampling"]
        self.steps: List[Dict[str, Any]] = manifest["transforms"]
        pre = manifest["preprocessor"]
        self.format_shape = pre.get("format_shape", "NCHW")
        shape = (-1, 1, 1) if self.format_shape == "NCHW" else (-1, 1, 1, 1)
        self.mean = None if pre.get("mean") is None else np.asarray(pre["mean"], np.float32).reshape(shape)
        self.std = None if pre.get("std") is None else np.asarray(pre["std"], np.float32).reshape(shape)
        self.to_rgb = bool(pre.get("to_rgb"))

    def frame_indices(self, start: float, end: float, reader) -> np.ndarray:
        """The frames of the window ``[start, end]`` seconds, as ``SampleTimeRangeFrames`` picks them in testing."""
        first, last = time_range_to_frames(start, end, reader.num_frames, reader.fps, reader.frame_times)
        s = self.sampling
        if s["mode"] == "dense":
            return dense_indices(first, last, s["clip_len"], s["frame_interval"], s["num_clips"], True)
        return tsn_indices(first, last, s["num_clips"], s["clip_len"], True)

    def transform(self, frames: np.ndarray) -> np.ndarray:
        """``(N, H, W, 3)`` uint8 RGB frames -> one clip as ``FormatShape`` leaves it (uint8)."""
        import cv2

        imgs = list(frames)
        layout = None
        for step in self.steps:
            if step["op"] == "resize":
                height, width = imgs[0].shape[:2]
                if step["keep_ratio"]:
                    new_w, new_h = _rescale_size(width, height, step["scale"])
                else:
                    new_w, new_h = (int(v) for v in step["scale"])
                code = _INTERPOLATION[step.get("interpolation", "bilinear")]
                imgs = [cv2.resize(img, (new_w, new_h), interpolation=code) for img in imgs]
            elif step["op"] == "center_crop":
                crop_w, crop_h = step["size"]
                height, width = imgs[0].shape[:2]
                left, top = (width - crop_w) // 2, (height - crop_h) // 2
                imgs = [img[top:top + crop_h, left:left + crop_w] for img in imgs]
            elif step["op"] == "format":
                layout = step["input_format"]
        clip = np.array(imgs)
        s = self.sampling
        if layout == "NCTHW":  # (crops*clips*T, H, W, C) -> (crops*clips, C, T, H, W)
            clip = clip.reshape((-1, s["num_clips"], s["clip_len"]) + clip.shape[1:])
            clip = np.transpose(clip, (0, 1, 5, 2, 3, 4))
            clip = clip.reshape((-1,) + clip.shape[2:])
        else:  # NCHW
            clip = np.transpose(clip, (0, 3, 1, 2))
        return clip

    def normalise(self, clips: List[np.ndarray]) -> np.ndarray:
        """A batch of clips as the data preprocessor makes it: stacked, float32, channels flipped where it says,
        ``(x - mean) / std``."""
        batch = np.stack(clips)
        if self.to_rgb:
            batch = batch[..., ::-1, :, :] if self.format_shape == "NCHW" else batch[..., ::-1, :, :, :]
        if self.mean is not None:
            return (batch.astype(np.float32) - self.mean) / self.std
        return batch.astype(np.float32)
