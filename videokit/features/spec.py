"""How features were cut: the one type that maps feature positions to seconds (numpy only).

A :class:`FeatureSpec` covers videokit's own windows (``window`` frames every ``stride`` frames of the
video, ``frames_per_window`` of them seen by the backbone at ``size``) and features other tools made
(ActionFormer / OpenTAD / OphNet's ``.npy`` of [T, C], no sidecar): the same four numbers say where each
position sits in time: ``fps`` (the rate frames were counted at), ``stride`` and ``window`` (frames) and
``offset`` (seconds before frame 0's window); ``fixed_length`` says features were resampled to N
positions covering the video (BMN's 100). Position ``i`` is centred at
``offset + (i * stride + window / 2) / fps``: the time its window's middle frame is shown. Everything that
turns positions into seconds or back (extraction's sidecars, the feature datasets, the detector's output,
``videokit predict``, the online step schedule) asks this type.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Dict, Optional, Tuple

import numpy as np

EPS = 1e-9


@dataclass(frozen=True)
class FeatureSpec:
    """How features were cut (see the module docstring). ``window_sec`` / ``stride_sec`` give the window in
    seconds instead (turned into frames at each video's own rate); ``fps`` None: the video's own rate."""

    window: int = 16
    stride: int = 8
    frames_per_window: int = 8
    size: int = 224
    window_sec: Optional[float] = None
    stride_sec: Optional[float] = None
    fps: Optional[float] = None
    offset: float = 0.0
    fixed_length: Optional[int] = None

    # ---------------------------------------------------------------- building
    @classmethod
    def from_dict(cls, data: Dict) -> "FeatureSpec":
        """From a config's ``feature_spec=dict(...)`` (unknown keys are an error naming them)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"feature_spec: unknown key(s) {unknown} (known: {sorted(known)})")
        return cls(**data)

    @classmethod
    def from_sidecar(cls, meta: Dict, size: Optional[int] = None) -> "FeatureSpec":
        """The spec a features folder was made with (its ``<video>.json``); ``size`` stands in for sidecars
        written before the frame size was recorded. Windows stay in frames of each video's own rate
        (``fps`` None): the sidecar's fps is its video's, not a rule for others."""
        size = meta.get("size") or size
        if size is None:
            raise ValueError(f"features sidecar of {meta.get('video_id')!r} does not record the frame size; "
                             "pass the --size the features were extracted with")
        return cls(window=int(meta["window"]), stride=int(meta["stride"]),
                   frames_per_window=int(meta.get("frames_per_window") or 1), size=int(size),
                   offset=float(meta.get("offset") or 0.0),
                   fixed_length=meta.get("fixed_length"))

    def to_dict(self) -> Dict:
        return asdict(self)

    # ---------------------------------------------------------------- windows of one video
    def in_frames(self, fps: Optional[float] = None) -> Tuple[int, int]:
        """``(window, stride)`` in frames of a video at ``fps`` (the ``*_sec`` fields win when set)."""
        fps = self.rate(fps)
        window = max(1, round(self.window_sec * fps)) if self.window_sec else self.window
        stride = max(1, round(self.stride_sec * fps)) if self.stride_sec else self.stride
        return window, stride

    def rate(self, fps: Optional[float] = None) -> float:
        """The frame rate positions are counted at: the spec's own, else the video's."""
        rate = self.fps or fps
        if not rate:
            raise ValueError("feature spec: no frame rate (state fps for features made elsewhere)")
        return float(rate)

    def window_starts(self, num_frames: int, fps: Optional[float] = None) -> np.ndarray:
        """First frame of every window of a video of ``num_frames`` frames: the one writer of window starts
        (a video shorter than one window still gets one window, of all its frames)."""
        window, stride = self.in_frames(fps)
        return np.arange(0, max(int(num_frames) - window, 0) + 1, stride, dtype=np.int64)

    def num_windows(self, num_frames: int, fps: Optional[float] = None) -> int:
        return len(self.window_starts(num_frames, fps))

    def centres(self, starts: np.ndarray, num_frames: Optional[int] = None, fps: Optional[float] = None) -> np.ndarray:
        """Centre time (s) of the windows starting at frames ``starts``."""
        window, _ = self.in_frames(fps)
        if num_frames is not None:
            window = min(window, int(num_frames))
        return self.offset + (np.asarray(starts, dtype=np.float64) + window / 2.0) / self.rate(fps)

    def times(self, length: int, fps: Optional[float] = None, duration: Optional[float] = None) -> np.ndarray:
        """Centre time (s) of each of ``length`` positions. Resampled features (``fixed_length``) cover
        the video uniformly: position ``i`` of N is centred at ``(i + 0.5) * duration / N``."""
        if self.fixed_length:
            if duration is None:
                raise ValueError("feature spec: fixed-length features need the video's duration")
            return self.offset + (np.arange(length) + 0.5) * float(duration) / length
        _, stride = self.in_frames(fps)
        return self.centres(np.arange(length) * stride, fps=fps)

    # ---------------------------------------------------------------- the online step schedule
    def window_end(self, index, fps: Optional[float] = None):
        """Time (s) at which window ``index`` (scalar or array) has been fully seen."""
        window, stride = self.in_frames(fps)
        return self.offset + (np.asarray(index, dtype=np.float64) * stride + window) / self.rate(fps)

    def latest_window(self, t, fps: Optional[float] = None):
        """Index of the latest window that has ended by time ``t`` (s; scalar or array): what a causal
        model may use at ``t``."""
        window, stride = self.in_frames(fps)
        frames = (np.asarray(t, dtype=np.float64) - self.offset) * self.rate(fps)
        return np.floor((frames - window) / stride + EPS).astype(np.int64)

    def step_time(self, k, fps: Optional[float] = None, step_fps: float = 1.0):
        """Time (s) of online step ``k``: the end of the first window, then one step every ``1/step_fps``."""
        return self.window_end(0, fps) + np.asarray(k, dtype=np.float64) / float(step_fps)

    def step_schedule(self, num_windows: int, fps: Optional[float] = None, step_fps: float = 1.0) -> Dict[str,
                                                                                                          np.ndarray]:
        """The causal steps over a video of ``num_windows`` windows: step times (up to the end of the last
        window) and, per step, the latest window ended by then. Training (the workflow dataset) and
        streaming (``videokit predict --online``) both cut steps with this."""
        last = float(self.window_end(num_windows - 1, fps))
        count = int(np.floor((last - float(self.window_end(0, fps))) * step_fps + EPS)) + 1
        times = self.step_time(np.arange(count), fps, step_fps)
        return {"times": times, "index": np.minimum(self.latest_window(times, fps), num_windows - 1)}


def axis(times) -> Tuple[float, float]:
    """``(time0, step)`` of evenly spaced centre ``times``: the first centre and the mean spacing over the
    whole span. Sidecars store times rounded to 0.1 ms; a step taken from the first two of them is off by
    up to 1e-4 s, which a 1-h video at stride 4 / 30 fps (27,000 positions) turns into 7 positions of drift.
    Over the whole span the error stays under 0.1 ms at every position."""
    times = np.asarray(times, dtype=np.float64)
    if len(times) < 2:
        return (float(times[0]) if len(times) else 0.0), 1.0
    return float(times[0]), float(times[-1] - times[0]) / (len(times) - 1)


def to_units(seconds, times) -> np.ndarray:
    """Seconds -> feature positions (fractional) on the axis of centre ``times``: what the feature datasets
    turn ground truth into."""
    time0, step = axis(times)
    return (np.asarray(seconds, dtype=np.float64) - time0) / step


def to_seconds(units, time0: float, step: float):
    """Feature positions -> seconds (``time0``, ``step`` from :func:`axis`): the inverse of :func:`to_units`,
    what the detector's output is mapped back with."""
    return time0 + units * step
