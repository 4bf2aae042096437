"""Time on a video, one owner per rule: which label holds at a time, which coarser segment is a segment's parent,
the tIoU of two segments, and where a video's file is. Every reader, writer, metric and prediction asks here.

The label at a time ``t`` (:func:`labels_at`):

- a segment holds ``start <= t < end`` (half-open: a segment ``[0, 2]`` s holds 0 and 1 s, not 2 s, so two
  segments that meet at 2 s never both hold it);
- where two segments overlap, the one that starts later wins (the newest step is the current one; on the same
  start, the later in the list);
- a zero-length segment (``start == end``, NurViD has one) holds the one step at its start: the last sample
  time at or before ``start``;
- ``-1`` (:data:`BACKGROUND`) where no segment holds.

A segment's parent (:func:`link_by_time`): the segment of the next coarser level that holds its middle, the
longest such (on a tie the first); where more than one holds it, the parent is a guess, reported as an
``ambiguous-parent`` warning by the readers.
"""
from __future__ import annotations

import heapq
import math
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np

from .errors import Finding
from .model import Segment, VideoAnnotation

BACKGROUND = -1


def labels_at(segments: Iterable[Tuple[float, float, int]], times: np.ndarray,
              background: int = BACKGROUND) -> np.ndarray:
    """The label of ``(start, end, label)`` segments at each of ``times`` (ascending seconds), by the rule of
    the module docstring; int64."""
    times = np.asarray(times, dtype=np.float64)
    labels = np.full(len(times), background, dtype=np.int64)
    if not len(times):
        return labels
    if len(times) > 1 and np.any(np.diff(times) < 0):
        raise ValueError("labels_at: times must be in ascending order")
    # in order of start (a stable sort: the same start keeps the list's order), so the later start is written last
    for start, end, label in sorted(segments, key=lambda s: s[0]):
        if end > start:
            labels[np.searchsorted(times, start, "left"):np.searchsorted(times, end, "left")] = label
        else:  # zero length: the step its start falls in
            k = int(np.searchsorted(times, start, "right")) - 1
            if k >= 0:
                labels[k] = label
    return labels


def level_labels_at(video: VideoAnnotation, level: str, times: np.ndarray) -> np.ndarray:
    """:func:`labels_at` of one video's segments at ``level``."""
    return labels_at([(s.start, s.end, s.label) for s in video.segments_at(level)], times)


def sample_times(end: float, fps: float) -> np.ndarray:
    """``0, 1/fps, ...`` up to and including ``end`` seconds: the label grid of the frame-label format and of
    agreement's kappa."""
    return np.arange(int(math.floor(end * fps)) + 1) / fps


def tiou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Temporal IoU of ``[start, end]`` pairs (``(..., 2)`` arrays, broadcast against each other): pairwise
    with ``tiou(a[:, None], b[None])``. 0 where the union is empty (two zero-length segments)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    inter = np.clip(np.minimum(a[..., 1], b[..., 1]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    union = (a[..., 1] - a[..., 0]) + (b[..., 1] - b[..., 0]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def link_by_time(video: VideoAnnotation, levels: Sequence[str]) -> List[Segment]:
    """Segments without a parent get, as parent, the next coarser level's segment that holds their middle (the
    longest such, on a tie the first); returned: those whose middle more than one such segment holds (their
    parent is a guess). One sweep over the middles in time order with a heap of the coarser segments begun so
    far (longest first): O(n log n) in the segments, however many overlap."""
    ambiguous: List[Segment] = []
    by_level: Dict[str, List[Tuple[int, Segment]]] = {}
    for j, p in enumerate(video.segments):
        by_level.setdefault(p.level, []).append((j, p))
    for index in range(1, len(levels)):
        parents = sorted(by_level.get(levels[index - 1], ()), key=lambda jp: jp[1].start)
        children = sorted(((s.start + s.end) / 2, k, s) for k, (_, s) in enumerate(by_level.get(levels[index], ()))
                          if s.parent is None)
        if not parents or not children:
            continue
        begun: List[Tuple[float, int, float]] = []  # (-length, index, end) of coarser segments started by now
        next_parent = 0
        for middle, _, seg in children:
            while next_parent < len(parents) and parents[next_parent][1].start <= middle:
                j, p = parents[next_parent]
                heapq.heappush(begun, (-(p.end - p.start), j, p.end))
                next_parent += 1
            while begun and begun[0][2] < middle:  # ended before this middle: before every later one too
                heapq.heappop(begun)
            if begun:
                seg.parent = begun[0][1]
                chosen = heapq.heappop(begun)  # another coarser segment holding the middle: the parent is a guess
                while begun and begun[0][2] < middle:
                    heapq.heappop(begun)
                if begun:
                    ambiguous.append(seg)
                heapq.heappush(begun, chosen)
    return ambiguous


def link_parents(video: VideoAnnotation, levels: Sequence[str], source: str) -> List[Finding]:
    """:func:`link_by_time`, with an ``ambiguous-parent`` warning for each segment whose parent is a guess (what
    the readers report)."""
    return [Finding("warning", *(seg.origin or (source, f"video {video.video_id}")), "parent",
                    f"more than one {video.segments[seg.parent].level} segment holds this {seg.level} segment's "
                    f"middle; its parent is the longest, [{video.segments[seg.parent].start:g}, "
                    f"{video.segments[seg.parent].end:g}] s", None, "ambiguous-parent", video=video.video_id)
            for seg in link_by_time(video, levels)]


def video_file(video: VideoAnnotation) -> str:
    """The video's file, relative to the videos folder: its ``path``, else ``<video_id>.mp4`` (the published
    sets name files after their ids)."""
    return video.path or f"{video.video_id}.mp4"


__all__ = ["BACKGROUND", "labels_at", "level_labels_at", "link_by_time", "link_parents", "sample_times", "tiou",
           "video_file"]
