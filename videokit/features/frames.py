"""A backbone's frames as extraction, prediction and the online streamer hand them over: the short side resized,
a centred square cut. numpy and OpenCV only: the runtime (no torch) prepares frames with it too."""
from __future__ import annotations

import cv2
import numpy as np


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
