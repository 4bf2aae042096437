"""From per-window class scores or scored detections to the non-overlapping segments of a timeline."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np


@dataclass
class ScoredSegment:
    """One predicted segment: class id, ``[start, end]`` seconds and a confidence in [0, 1]."""

    label: int
    start: float
    end: float
    score: float


def smooth_scores(probs: np.ndarray, kernel: int) -> np.ndarray:
    """Moving average of (T, K) scores over ``kernel`` windows (centred, edges averaged over what exists)."""
    probs = np.asarray(probs, dtype=np.float64)
    if kernel <= 1 or len(probs) < 2:
        return probs
    weights = np.ones(kernel)
    pad = kernel // 2
    total = np.stack([np.convolve(probs[:, k], weights, mode="full")[pad:pad + len(probs)]
                      for k in range(probs.shape[1])], axis=1)
    count = np.convolve(np.ones(len(probs)), weights, mode="full")[pad:pad + len(probs)]
    return total / count[:, None]


def scores_to_segments(starts: Sequence[float], ends: Sequence[float], probs: np.ndarray, smooth: int = 3,
                       min_length: float = 0.0, threshold: float = 0.0) -> List[ScoredSegment]:
    """Sliding-window recognition -> segments: smooth the scores over ``smooth`` windows, take the
    arg-max per window (windows whose best score is below ``threshold`` are background), merge runs of
    the same class, and give segments shorter than ``min_length`` seconds to their longer neighbour.

    Window ``i`` covers ``[starts[i], ends[i]]``; a segment runs from the middle of the gap between its
    first window's predecessor and itself to the same point at its end (window centres split time).
    """
    starts, ends = np.asarray(starts, dtype=np.float64), np.asarray(ends, dtype=np.float64)
    if len(starts) == 0:
        return []
    probs = smooth_scores(probs, smooth)
    labels = probs.argmax(1)
    labels[probs.max(1) < threshold] = -1
    centres = (starts + ends) / 2
    bounds = np.concatenate([[starts[0]], (centres[1:] + centres[:-1]) / 2, [ends[-1]]])
    runs = _runs(labels)
    runs = _absorb_short(runs, bounds, min_length)
    out = []
    for label, first, last in runs:
        if label < 0:
            continue
        out.append(ScoredSegment(int(label), float(bounds[first]), float(bounds[last + 1]),
                                 float(probs[first:last + 1, label].mean())))
    return out


def _runs(labels: np.ndarray) -> List[List[int]]:
    """``[label, first index, last index]`` of each run of equal labels."""
    runs: List[List[int]] = []
    for i, label in enumerate(labels.tolist()):
        if runs and runs[-1][0] == label:
            runs[-1][2] = i
        else:
            runs.append([label, i, i])
    return runs


def _absorb_short(runs: List[List[int]], bounds: np.ndarray, min_length: float) -> List[List[int]]:
    """Repeatedly give the shortest run under ``min_length`` to its longer neighbour, then re-merge."""
    if min_length <= 0:
        return runs
    runs = [list(r) for r in runs]
    while len(runs) > 1:
        lengths = [bounds[last + 1] - bounds[first] for _, first, last in runs]
        shortest = int(np.argmin(lengths))
        if lengths[shortest] >= min_length:
            break
        left = lengths[shortest - 1] if shortest > 0 else -1.0
        right = lengths[shortest + 1] if shortest + 1 < len(runs) else -1.0
        neighbour = shortest - 1 if left >= right else shortest + 1
        runs[shortest][0] = runs[neighbour][0]
        merged: List[List[int]] = []
        for run in runs:
            if merged and merged[-1][0] == run[0]:
                merged[-1][2] = run[2]
            else:
                merged.append(run)
        runs = merged
    return runs


def detections_to_timeline(segments: np.ndarray, scores: np.ndarray, labels: np.ndarray,
                           score_threshold: float = 0.3, min_length: float = 0.0,
                           duration: Optional[float] = None) -> List[ScoredSegment]:
    """Scored, overlapping detections -> a timeline: best first, each keeps only the time no better
    detection already holds; pieces shorter than ``min_length`` (or than 1 % of the detection) are dropped."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    taken: List[ScoredSegment] = []
    for i in order:
        if scores[i] < score_threshold:
            break
        start, end = float(segments[i][0]), float(segments[i][1])
        if duration is not None:
            start, end = max(0.0, start), min(float(duration), end)
        for piece in _free_pieces(start, end, taken):
            if piece[1] - piece[0] >= max(min_length, 0.01 * (end - start), 1e-6):
                taken.append(ScoredSegment(int(labels[i]), piece[0], piece[1], float(scores[i])))
    return sorted(taken, key=lambda s: s.start)


def _free_pieces(start: float, end: float, taken: Sequence[ScoredSegment]) -> List[List[float]]:
    pieces = [[start, end]]
    for seg in taken:
        next_pieces = []
        for a, b in pieces:
            if seg.end <= a or seg.start >= b:
                next_pieces.append([a, b])
                continue
            if seg.start > a:
                next_pieces.append([a, seg.start])
            if seg.end < b:
                next_pieces.append([seg.end, b])
        pieces = next_pieces
    return pieces
