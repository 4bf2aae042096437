"""From window scores to a timeline, without torch: the sliding-window grid, the options, and the one-video
annotations a prediction is (top-level labels from the mean scores, segments per finer level from smoothed runs,
a detector's segments at its level, parents by the timeline's rule). ``videokit predict`` and the runtime's
model-file prediction both assemble their timelines here."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..annotations import AnnotationError, AnnotationSet, Segment, Taxonomy, VideoAnnotation, read_annotations
from ..annotations.timeline import link_by_time
from ..utils import PathLike
from ..video import BrokenVideoError
from .segments import ScoredSegment, scores_to_segments


@dataclass
class PredictOptions:
    """Sliding-window and segment settings of :func:`predict_video`."""

    window: float = 2.0  # seconds per recognition window
    stride: float = 1.0  # seconds between windows
    smooth: int = 3  # windows in the moving average of scores
    min_length: float = 1.0  # seconds; shorter runs join a neighbour
    threshold: float = 0.3  # windows whose best (smoothed) score is lower are background
    detection_threshold: float = 0.3  # detections below this score are left off the timeline
    topk: int = 3  # top-level classes listed with their scores
    hierarchy: bool = True  # steps only from the predicted top-level class's children
    batch_size: int = 8
    one_pass: bool = True  # every window's frames from one decoding pass (False: each window decoded on its own)


@dataclass
class Prediction:
    """What :func:`predict_video` returns: the one-video annotations and how long it took."""

    annotations: AnnotationSet
    video_seconds: float
    wall_seconds: float
    window_scores: Dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def video(self) -> VideoAnnotation:
        return next(iter(self.annotations))

    @property
    def real_time_factor(self) -> float:
        """Seconds of video per second of computation (> 1: faster than real time)."""
        return self.video_seconds / max(self.wall_seconds, 1e-9)


def window_grid(duration: float, window: float, stride: float) -> np.ndarray:
    """``(n, 2)`` ``[start, end]`` seconds of windows covering ``[0, duration]`` (last one flush with the end)."""
    if duration <= window:
        return np.array([[0.0, duration]])
    starts = np.arange(0.0, duration - window + 1e-9, stride)
    if starts[-1] + window < duration - 1e-6:
        starts = np.append(starts, duration - window)
    return np.stack([starts, starts + window], axis=1)


def timeline_from_scores(video_id: str, path: str, duration: float, fps: float, grid: np.ndarray,
                         scores: Dict[str, np.ndarray], taxonomy: Taxonomy, levels: Sequence[str],
                         options: PredictOptions, detected: Sequence[ScoredSegment] = (),
                         detector_level: Optional[str] = None) -> VideoAnnotation:
    """The video's labels and segments from the windows' ``scores`` (``{level: (windows, classes)}``) over
    ``grid`` (``(windows, 2)`` seconds), and a detector's segments at ``detector_level``. Windows whose rows are
    NaN (their frames could not be decoded) count as background, and their seconds are listed in the video's
    ``attrs["unreadable"]`` (``[[start, end], ...]``)."""
    video = VideoAnnotation(video_id, path, round(duration, 3), round(fps, 3))
    lost = unreadable_windows(scores, len(grid))
    if lost.any():
        video.attrs["unreadable"] = unreadable_spans(grid, lost)
        scores = {level: np.where(np.isnan(rows), 0.0, rows) for level, rows in scores.items()}
    top = taxonomy.level_names[0]
    if top in scores and not lost.all():
        mean = scores[top][~lost].mean(0)
        order = np.argsort(-mean)[: options.topk]
        video.labels = [int(order[0])]
        video.attrs["scores"] = {taxonomy.level(top).class_name(int(k)): round(float(mean[k]), 4) for k in order}
    for level in levels:
        if level == top or level == detector_level:
            continue
        level_scores = scores[level]
        if options.hierarchy and video.labels and taxonomy.parent_level(level) == top:
            level_scores = restrict_to_children(level_scores, taxonomy, level, video.labels[0])
        _add(video, level, scores_to_segments(grid[:, 0], grid[:, 1], level_scores, options.smooth,
                                              options.min_length, options.threshold))
    if detector_level is not None:
        _add(video, detector_level, detected)
    link_by_time(video, taxonomy.level_names)  # the timeline's rule, as every reader links parents
    video.attrs["predicted_by"] = {"window": options.window, "stride": options.stride, "levels": list(levels),
                                   "detector_level": detector_level}
    return video


#: seconds decoding may go without handing the model a batch before the prediction is ended with one error
STALL_S = 300.0


def require_scores(path: str, scores: Dict[str, np.ndarray], count: int) -> None:
    """One error when no window of the video could be decoded (the timeline would be empty)."""
    if not scores or unreadable_windows(scores, count).all():
        raise BrokenVideoError(path, "no window of the video could be decoded")


def stalled(path: str, exc: Exception) -> BrokenVideoError:
    """The error of a decode that made no progress for :data:`STALL_S` seconds."""
    return BrokenVideoError(path, f"decoding made no progress ({exc}): a damaged or stalled file")


def unreadable_windows(scores: Dict[str, np.ndarray], count: int) -> np.ndarray:
    """Which of ``count`` windows have no scores (NaN rows: their frames could not be decoded)."""
    lost = np.zeros(count, dtype=bool)
    for rows in scores.values():
        lost |= np.isnan(rows).all(1)
    return lost


def unreadable_spans(grid: np.ndarray, lost: np.ndarray) -> List[List[float]]:
    """The seconds the ``lost`` windows of ``grid`` cover, overlapping windows merged: ``[[start, end], ...]``."""
    spans: List[List[float]] = []
    for (start, end), gone in zip(grid, lost):
        if not gone:
            continue
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], round(float(end), 3))
        else:
            spans.append([round(float(start), 3), round(float(end), 3)])
    return spans


def restrict_to_children(scores: np.ndarray, taxonomy: Taxonomy, level: str, parent: int) -> np.ndarray:
    """Zero the scores of classes whose taxonomy parent is not ``parent``, so steps never contradict the
    video's predicted procedure (no renormalisation: the background threshold still sees the model's
    confidence; unchanged when the taxonomy names no parents). The rule is the taxonomy's."""
    allowed = taxonomy.children_of(level, parent)
    allowed = [c for c in allowed if c < scores.shape[1]]
    if not allowed:
        return scores
    masked = np.zeros_like(scores)
    masked[:, allowed] = scores[:, allowed]
    return masked


def _add(video: VideoAnnotation, level: str, segments: List[ScoredSegment]) -> None:
    for seg in segments:
        video.segments.append(Segment(level, seg.label, round(seg.start, 3), round(seg.end, 3),
                                      attrs={"score": round(seg.score, 4)}))


def read_ground_truth(source: Optional[PathLike], fmt: str, video_id: str) -> Optional[VideoAnnotation]:
    """The record of ``video_id`` in an annotation source (drawn beneath a prediction), or None without a source."""
    if not source:
        return None
    annotations = read_annotations(source, fmt)
    if video_id not in annotations.videos:
        some = ", ".join(sorted(annotations.videos)[:3]) + (", ..." if len(annotations) > 3 else "")
        raise AnnotationError(str(source), f"video {video_id}", "id",
                              f"no such video in the ground truth ({some}); the video's file name stem is looked "
                              "up, --gt-video ID names another")
    return annotations.videos[video_id]
