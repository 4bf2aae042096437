"""Frame-level workflow metrics for phase timelines, as in the action-segmentation literature
(frame accuracy, segmental edit score, segmental F1@k; Lea et al. 2017, Farha & Gall 2019).

Inputs are per-frame label arrays (``-1`` = background / no label, left out of segments).
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import numpy as np

BACKGROUND = -1


def frame_accuracy(pred: np.ndarray, truth: np.ndarray, ignore: int = BACKGROUND) -> float:
    """Share of frames (whose truth is not ``ignore``) with the right label."""
    pred, truth = np.asarray(pred), np.asarray(truth)
    mask = truth != ignore
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


def segmental_f1(pred: np.ndarray, truth: np.ndarray, overlap: float, background: int = BACKGROUND) -> float:
    """F1 (x100) of predicted segments: a TP overlaps (IoU >= ``overlap``) a not-yet-used true segment
    of its label, choosing the one of highest IoU."""
    p, t = label_runs(pred, background), label_runs(truth, background)
    used = [False] * len(t)
    tp = 0
    for label, start, end in p:
        best, best_iou = -1, 0.0
        for j, (tl, ts, te) in enumerate(t):
            if tl != label:
                continue
            inter = max(0, min(end, te) - max(start, ts))
            iou = inter / (max(end, te) - min(start, ts))
            if iou > best_iou:
                best, best_iou = j, iou
        if best >= 0 and best_iou >= overlap and not used[best]:
            tp += 1
            used[best] = True
    fp, fn = len(p) - tp, len(t) - tp
    precision = tp / (tp + fp) if p else 0.0
    recall = tp / (tp + fn) if t else 0.0
    return float(200 * precision * recall / (precision + recall)) if precision + recall else 0.0


def workflow_report(preds: Sequence[np.ndarray], truths: Sequence[np.ndarray],
                    overlaps: Sequence[float] = (0.1, 0.25, 0.5)) -> Dict[str, float]:
    """Frame accuracy over all frames, and edit / F1@k averaged over videos."""
    frames = np.concatenate([np.asarray(t) for t in truths])
    predicted = np.concatenate([np.asarray(p) for p in preds])
    report = {"frame_accuracy": frame_accuracy(predicted, frames),
              "edit": float(np.mean([edit_score(p, t) for p, t in zip(preds, truths)]))}
    for k in overlaps:
        report[f"F1@{int(round(k * 100))}"] = float(np.mean([segmental_f1(p, t, k) for p, t in zip(preds, truths)]))
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
