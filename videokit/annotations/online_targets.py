"""Per-time-step targets from the annotation model, for online (causal) workflow tasks.

At each step time ``t`` (seconds): the current class of a level (online phase recognition) and, per
class, the time until it next starts, clipped at a horizon ``h`` (phase anticipation, the
remaining-time regression of Rivoir et al., 2020): ``0`` while the class is ongoing, ``s - t`` when
its next segment starts at ``s <= t + h``, and ``h`` when it does not start within the horizon.
"""
from __future__ import annotations

from typing import List

import numpy as np

from .model import VideoAnnotation
from .timeline import level_labels_at


def current_labels(video: VideoAnnotation, level: str, times: np.ndarray) -> np.ndarray:
    """The class of ``level`` at each time (``-1``: no segment), by the timeline's rule
    (:func:`videokit.annotations.timeline.labels_at`). The step times themselves are the feature spec's
    (:meth:`videokit.features.FeatureSpec.step_schedule`)."""
    return level_labels_at(video, level, times)


def time_to_next_start(video: VideoAnnotation, level: str, num_classes: int, times: np.ndarray,
                       horizon: float) -> np.ndarray:
    """``(len(times), num_classes)`` seconds until each class next starts, clipped at ``horizon``; ``0``
    while it is ongoing (see the module docstring)."""
    times = np.asarray(times, dtype=np.float64)
    out = np.full((len(times), num_classes), float(horizon))
    for seg in video.segments_at(level):
        if seg.label >= num_classes:
            raise ValueError(f"video {video.video_id}: {level} class {seg.label} >= num_classes {num_classes}")
        wait = np.where(times >= seg.start, np.where(times < seg.end, 0.0, np.inf), seg.start - times)
        out[:, seg.label] = np.minimum(out[:, seg.label], np.minimum(wait, horizon))
    return out


def train_mean(targets: List[np.ndarray]) -> np.ndarray:
    """Per class, the mean target over every step of every given video: the "predict the training-set
    mean" baseline of anticipation (targets are already clipped, so the mean stays within the horizon)."""
    return np.concatenate([np.asarray(t, dtype=np.float64) for t in targets]).mean(0)
