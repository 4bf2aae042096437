"""Sliding-window backbone features of one video: what ``tools/extract_features.py`` writes and what
``videokit predict`` feeds a detector."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from .model import window_features


@dataclass
class WindowSpec:
    """How windows are cut: ``window`` frames every ``stride`` frames (or seconds, when the ``*_sec``
    fields are set), ``frames_per_window`` evenly spaced frames each, resized and cropped to ``size``."""

    window: int = 16
    stride: int = 8
    frames_per_window: int = 8
    size: int = 224
    window_sec: Optional[float] = None
    stride_sec: Optional[float] = None

    @classmethod
    def from_sidecar(cls, meta: Dict, size: Optional[int] = None) -> "WindowSpec":
        """The spec a features folder was made with (its ``<video>.json``), in frames; ``size`` stands in
        for sidecars written before the frame size was recorded."""
        size = meta.get("size") or size
        if size is None:
            raise ValueError(f"features sidecar of {meta.get('video_id')!r} does not record the frame size; "
                             "pass the --size the features were extracted with")
        return cls(window=int(meta["window"]), stride=int(meta["stride"]),
                   frames_per_window=int(meta["frames_per_window"]), size=int(size))

    def to_dict(self) -> Dict:
        return asdict(self)

    def in_frames(self, fps: float) -> Tuple[int, int]:
        """``(window, stride)`` in frames of a video at ``fps`` (the ``*_sec`` fields win when set)."""
        window = max(1, round(self.window_sec * fps)) if self.window_sec else self.window
        stride = max(1, round(self.stride_sec * fps)) if self.stride_sec else self.stride
        return window, stride


def resample(features: np.ndarray, length: int) -> np.ndarray:
    """Linear interpolation of (T, C) features to (length, C) over normalised time."""
    if len(features) == 1:
        return np.repeat(features, length, axis=0)
    source = np.linspace(0.0, 1.0, len(features))
    target = np.linspace(0.0, 1.0, length)
    return np.stack([np.interp(target, source, features[:, c]) for c in range(features.shape[1])], axis=1)


def video_features(model, path: str, spec: WindowSpec, device: str = "cpu", batch_size: int = 8,
                   progress: Optional[Callable[[int], None]] = None) -> Dict[str, object]:
    """Features of every window of ``path``, cut exactly as ``tools/extract_features.py`` cuts them (the
    same plan and chunks, :mod:`.extraction`): ``features`` (W, C) float32, ``times`` (window centres, s),
    ``fps``, ``num_frames``, ``window`` and ``stride`` (frames). ``progress(n)`` is told of each batch."""
    from ..video import BrokenVideoError
    from .extraction import WindowChunks, plan_video

    plan = plan_video(0, str(path), str(path), spec, batch_size)
    if plan.error is not None:
        raise BrokenVideoError(path, plan.error)
    features: List[np.ndarray] = []
    for chunk in WindowChunks([plan], spec, batch_size):
        if chunk.error is not None:
            raise BrokenVideoError(path, chunk.error)
        features.append(window_features(model, chunk.frames, spec.frames_per_window, device))
        if progress:
            progress(len(features[-1]))
    return {"features": np.concatenate(features), "times": plan.centres(), "fps": plan.fps,
            "num_frames": plan.num_frames, "window": plan.window, "stride": plan.stride}


def count_windows(num_frames: int, fps: float, spec: WindowSpec) -> int:
    """How many windows :func:`video_features` cuts from a video (for progress bars)."""
    window, stride = spec.in_frames(fps)
    return len(range(0, max(num_frames - window, 0) + 1, stride))
