"""Frame-level workflow metrics for phase / step timelines, computed as MS-TCN's published evaluation
(Farha & Gall, CVPR 2019; its ``eval.py``) computes them, which ASFormer and the surgical phase papers
copy: frame accuracy over every frame, segmental edit score averaged over videos, and segmental F1@k
from true / false positives and false negatives pooled over all videos.

Inputs are per-frame label arrays (``-1`` = background / no segment; never part of a segment).
Each published choice has its alternative as an option (``ignore=-1``, ``f1_average='video'``);
docs/evaluation.md tabulates the conventions.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..annotations.timeline import tiou

BACKGROUND = -1
F1_AVERAGES = ("pooled", "video")


def frame_accuracy(pred: np.ndarray, truth: np.ndarray, ignore: Optional[int] = None) -> float:
    """Share of frames with the right label (0-1). Every frame counts, background included, as in
    MS-TCN; ``ignore=-1`` leaves out the frames whose truth is ``-1`` (no segment)."""
    pred, truth = np.asarray(pred), np.asarray(truth)
    mask = np.ones(truth.shape, dtype=bool) if ignore is None else truth != ignore
    return float((pred[mask] == truth[mask]).mean()) if mask.any() else 0.0


def label_runs(labels: np.ndarray, background: int = BACKGROUND) -> List[Tuple[int, int, int]]:
    """``(label, first, end_exclusive)`` for each run of equal labels, background runs left out."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        return []
    change = np.flatnonzero(np.diff(labels)) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, len(labels)]
    return [(int(labels[s]), int(s), int(e)) for s, e in zip(starts, ends) if labels[s] != background]


def edit_score(pred: np.ndarray, truth: np.ndarray, background: int = BACKGROUND) -> float:
    """100 x (1 - Levenshtein distance between the segment label sequences / the longer length)."""
    a = [r[0] for r in label_runs(pred, background)]
    b = [r[0] for r in label_runs(truth, background)]
    if not a and not b:
        return 100.0
    dist = np.zeros((len(a) + 1, len(b) + 1))
    dist[:, 0] = np.arange(len(a) + 1)
    dist[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            dist[i, j] = min(dist[i - 1, j] + 1, dist[i, j - 1] + 1, dist[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return float((1 - dist[-1, -1] / max(len(a), len(b))) * 100)


def segment_matches(pred: np.ndarray, truth: np.ndarray, overlap: float,
                    background: int = BACKGROUND) -> Tuple[int, int, int]:
    """``(tp, fp, fn)`` of one video: each predicted segment, in order, takes the true segment of its
    label with the highest IoU (the first on ties); it is a TP if that IoU >= ``overlap`` and the true
    segment is not yet used, else a FP; true segments never used are FN."""
    p, t = label_runs(pred, background), label_runs(truth, background)
    used = [False] * len(t)
    tp = 0
    true_labels = np.array([tl for tl, _, _ in t])
    true_spans = np.array([[ts, te] for _, ts, te in t], dtype=np.float64).reshape(-1, 2)
    for label, start, end in p:
        iou = np.where(true_labels == label, tiou(np.array([start, end], dtype=np.float64), true_spans), 0.0)
        best = int(iou.argmax()) if len(iou) and iou.max() > 0 else -1  # the first on ties
        if best >= 0 and iou[best] >= overlap and not used[best]:
            tp += 1
            used[best] = True
    return tp, len(p) - tp, len(t) - tp


def _f1(tp: float, fp: float, fn: float) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return float(200 * precision * recall / (precision + recall)) if precision + recall else 0.0


def segmental_f1(pred: np.ndarray, truth: np.ndarray, overlap: float, background: int = BACKGROUND) -> float:
    """F1@overlap (x100) of one video, from :func:`segment_matches`."""
    return _f1(*segment_matches(pred, truth, overlap, background))


def workflow_report(preds: Sequence[np.ndarray], truths: Sequence[np.ndarray],
                    overlaps: Sequence[float] = (0.1, 0.25, 0.5), f1_average: str = "pooled",
                    ignore: Optional[int] = None) -> Dict[str, float]:
    """Frame accuracy (0-1, every frame of every video; ``ignore=-1`` leaves out background frames),
    edit (0-100, mean over videos) and F1@k (0-100): ``f1_average='pooled'`` (default, as published)
    sums TP / FP / FN over all videos and computes one F1; ``'video'`` averages each video's F1.
    ``num_videos`` says how many videos it was computed on."""
    if f1_average not in F1_AVERAGES:
        raise ValueError(f"f1_average must be one of {F1_AVERAGES}, not {f1_average!r}")
    frames = np.concatenate([np.asarray(t) for t in truths])
    predicted = np.concatenate([np.asarray(p) for p in preds])
    report = {"frame_accuracy": frame_accuracy(predicted, frames, ignore),
              "edit": float(np.mean([edit_score(p, t) for p, t in zip(preds, truths)]))}
    for k in overlaps:
        counts = np.array([segment_matches(p, t, k) for p, t in zip(preds, truths)], dtype=np.float64)
        if f1_average == "pooled":
            value = _f1(*counts.sum(0))
        else:
            value = float(np.mean([_f1(*c) for c in counts]))
        report[f"F1@{int(round(k * 100))}"] = value
    report["num_videos"] = len(truths)
    return report


def per_class_f1(pred: np.ndarray, truth: np.ndarray, num_classes: int,
                 ignore: int = BACKGROUND) -> Dict[int, float]:
    """Frame-level F1 of each class present in ``truth`` (frames whose truth is ``ignore`` left out):
    the per-phase F1 of online phase recognition."""
    pred, truth = np.asarray(pred), np.asarray(truth)
    keep = truth != ignore
    pred, truth = pred[keep], truth[keep]
    scores = {}
    for k in range(num_classes):
        if not (truth == k).any():
            continue
        tp = float(((pred == k) & (truth == k)).sum())
        fp = float(((pred == k) & (truth != k)).sum())
        fn = float(((pred != k) & (truth == k)).sum())
        scores[k] = 2 * tp / (2 * tp + fp + fn)
    return scores
