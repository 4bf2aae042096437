"""Temporal action detection mAP with the ActivityNet protocol, exact and fast.

Per class: predictions sorted by score (descending; ties keep their input order), each matched, at
each tIoU threshold, to the not-yet-matched ground truth of its video with the highest tIoU (ties:
the later ground-truth instance, as the official evaluator's reversed argsort); interpolated AP;
mAP = mean over the classes present in the ground truth (a class without predictions scores 0).
Computed in float64. Matching never crosses (class, video) groups, so all groups advance together one
prediction rank per step, with numpy over groups, thresholds and ground truths; a class's flags are
then merged in global score order.

``drop_degenerate=True`` first removes zero-length and duplicate ground-truth instances, as
ActionFormer / TriDet / OpenTAD do (the code behind OphNet's published tables).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ..annotations.timeline import tiou

OPHNET_TIOU = (0.3, 0.4, 0.5, 0.6, 0.7)
ACTIVITYNET_TIOU = tuple(np.round(np.linspace(0.5, 0.95, 10), 2))


@dataclass
class DetectionResult:
    """mAP per threshold, its average, and AP per class (rows: classes, columns: thresholds)."""

    tiou: np.ndarray
    mAP: np.ndarray
    ap: Dict[str, np.ndarray] = field(default_factory=dict)
    #: per class, (precision, recall) along the ranked predictions, one row per threshold
    curves: Dict[str, Tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def per_class_table(self) -> pd.DataFrame:
        """One row per class: AP at each threshold and their mean."""
        table = pd.DataFrame({f"AP@{t:.2f}": [self.ap[c][i] for c in self.ap] for i, t in enumerate(self.tiou)},
                             index=pd.Index(list(self.ap), name="class"))
        table["mean"] = table.mean(axis=1)
        return table

    @property
    def average_mAP(self) -> float:
        return float(self.mAP.mean()) if len(self.mAP) else 0.0

    def to_dict(self) -> Dict[str, object]:
        return {"tiou": [float(t) for t in self.tiou], "mAP": [float(m) for m in self.mAP],
                "average_mAP": self.average_mAP,
                "per_class": {label: [float(a) for a in ap] for label, ap in self.ap.items()}}


def interpolated_ap(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """VOC-style interpolated average precision (the ActivityNet evaluator's), along the last axis:
    precision made monotone from the right, summed over the recall steps."""
    precision, recall = np.atleast_2d(precision), np.atleast_2d(recall)
    zeros, ones = np.zeros((len(precision), 1)), np.ones((len(precision), 1))
    mprec = np.concatenate([zeros, precision, zeros], axis=1)
    mrec = np.concatenate([zeros, recall, ones], axis=1)
    mprec = np.maximum.accumulate(mprec[:, ::-1], axis=1)[:, ::-1]
    return np.sum(np.diff(mrec, axis=1) * mprec[:, 1:], axis=1)


def match_predictions(gt_group: np.ndarray, gt_seg: np.ndarray, pred_group: np.ndarray, pred_seg: np.ndarray,
                      pred_score: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """True-positive flags ``(num_preds, num_thresholds)``.

    A group is one (class, video) pair: matching never crosses groups, so all groups advance together,
    one prediction rank (in descending score order) per step, with numpy over groups, thresholds and
    ground truths. Ground truths of a group keep their input order (for the tie rule).
    """
    num_t = len(thresholds)
    tp = np.zeros((len(pred_group), num_t), dtype=bool)
    if len(gt_group) == 0 or len(pred_group) == 0:
        return tp
    order = np.argsort(gt_group, kind="stable")
    groups, starts, counts = np.unique(gt_group[order], return_index=True, return_counts=True)
    width = int(counts.max())
    padded = np.full((len(groups), width, 2), np.nan)
    slot = np.arange(len(order)) - np.repeat(starts, counts)
    padded[np.repeat(np.arange(len(groups)), counts), slot] = gt_seg[order]
    where = np.searchsorted(groups, pred_group)
    has_gt = (where < len(groups)) & (groups[np.minimum(where, len(groups) - 1)] == pred_group)
    preds = np.flatnonzero(has_gt)
    if len(preds) == 0:
        return tp
    pg = where[preds]
    seg = pred_seg[preds]
    gts = padded[pg]  # (n, width, 2)
    with np.errstate(invalid="ignore"):  # the padding's NaN
        iou = tiou(seg[:, None], gts)
    iou = np.where(np.isnan(gts[..., 0]), -1.0, iou)  # padding never matches
    # a prediction below the lowest threshold with every ground truth can neither match nor block one
    useful = iou.max(1) >= thresholds.min()
    preds, pg, iou = preds[useful], pg[useful], iou[useful]
    if len(preds) == 0:
        return tp
    # rank of each prediction inside its group, by descending score (ties: input order)
    ranked = np.lexsort((preds, -pred_score[preds], pg))
    first = np.r_[0, np.flatnonzero(np.diff(pg[ranked])) + 1]
    rank = np.empty(len(preds), dtype=np.int64)
    rank[ranked] = np.arange(len(preds)) - np.repeat(first, np.diff(np.r_[first, len(preds)]))
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(rank))]
    matched = np.zeros((len(groups), num_t, width), dtype=bool)
    t_index = np.arange(num_t)[None, :]
    for r in range(len(bounds) - 1):
        step = by_rank[bounds[r]:bounds[r + 1]]  # one prediction per group
        g = pg[step]
        scores = np.where(matched[g], -1.0, iou[step][:, None, :])  # (n, T, width)
        best = width - 1 - scores[..., ::-1].argmax(-1)  # highest tIoU; ties: the later ground truth
        value = np.take_along_axis(scores, best[..., None], -1)[..., 0]
        hit = value >= thresholds[None, :]
        matched[g[:, None], t_index, best] |= hit
        tp[preds[step]] = hit
    return tp


def _average_precisions(tp: np.ndarray, scores: np.ndarray, num_gt: int):
    """AP at each threshold from the flags of one class's predictions (input order breaks score ties),
    and the precision / recall curves."""
    if num_gt == 0 or len(scores) == 0:
        empty = np.zeros((tp.shape[1], 0))
        return np.zeros(tp.shape[1]), (empty, empty)
    ranking = np.lexsort((np.arange(len(scores)), -scores))
    hits = tp[ranking].T.astype(np.float64)  # (T, P)
    tp_cum = np.cumsum(hits, axis=1)
    fp_cum = np.cumsum(1.0 - hits, axis=1)
    recall = tp_cum / num_gt
    precision = tp_cum / (tp_cum + fp_cum)
    return interpolated_ap(precision, recall), (precision, recall)


def detection_map(ground_truth: Iterable[Tuple[str, str, float, float]],
                  predictions: Iterable[Tuple[str, str, float, float, float]],
                  thresholds: Sequence[float] = OPHNET_TIOU, drop_degenerate: bool = False,
                  classes: Optional[Sequence[str]] = None) -> DetectionResult:
    """mAP over classes.

    ``ground_truth``: rows ``(video, label, start, end)``; ``predictions``: ``(video, label, start, end,
    score)``. ``classes`` fixes the classes averaged over (default: those in the ground truth, sorted).
    """
    thresholds = np.asarray(thresholds, dtype=np.float64)
    gt_rows, pred_rows = list(ground_truth), list(predictions)
    gt_cols = [[row[i] for row in gt_rows] for i in range(4)]
    pred_cols = [[row[i] for row in pred_rows] for i in range(5)]
    labels = list(classes) if classes is not None else sorted(set(gt_cols[1]))
    label_index = pd.Index(labels)
    # integer codes for videos and classes, hashed in C (``-1``: a class outside ``labels``)
    video_codes, _ = pd.factorize(np.array(gt_cols[0] + pred_cols[0], dtype=object))
    gt_vid, p_vid = video_codes[: len(gt_cols[0])], video_codes[len(gt_cols[0]):]
    gt_cls = _class_codes(gt_cols[1], label_index)
    gt_seg = np.column_stack([np.asarray(gt_cols[2], dtype=np.float64), np.asarray(gt_cols[3], dtype=np.float64)])
    keep = gt_cls >= 0
    gt_cls, gt_vid, gt_seg = gt_cls[keep], gt_vid[keep], gt_seg[keep]
    if drop_degenerate and len(gt_seg):
        gt_cls, gt_vid, gt_seg = _drop_degenerate(gt_cls, gt_vid, gt_seg)
    p_cls = _class_codes(pred_cols[1], label_index)
    p_seg = np.column_stack([np.asarray(pred_cols[2], dtype=np.float64), np.asarray(pred_cols[3], dtype=np.float64)])
    p_score = np.asarray(pred_cols[4], dtype=np.float64)
    keep = p_cls >= 0  # predictions of classes outside ``classes`` do not count
    p_cls, p_vid, p_seg, p_score = p_cls[keep], p_vid[keep], p_seg[keep], p_score[keep]
    num_videos = max(int(video_codes.max()) + 1 if len(video_codes) else 1, 1)
    tp = match_predictions(gt_cls * num_videos + gt_vid, gt_seg, p_cls * num_videos + p_vid, p_seg, p_score,
                           thresholds)
    num_gt = np.bincount(gt_cls, minlength=len(labels))
    by_class = np.argsort(p_cls, kind="stable")  # input order kept inside a class (the tie rule)
    bounds = np.searchsorted(p_cls[by_class], np.arange(len(labels) + 1))
    ap, curves = {}, {}
    for i, label in enumerate(labels):
        rows = by_class[bounds[i]:bounds[i + 1]]
        ap[label], curves[label] = _average_precisions(tp[rows], p_score[rows], int(num_gt[i]))
    mean = np.mean(np.stack(list(ap.values())), axis=0) if ap else np.zeros(len(thresholds))
    return DetectionResult(thresholds, mean, ap, curves)


def _class_codes(values: Sequence[str], classes: pd.Index) -> np.ndarray:
    """Index in ``classes`` of each value (``-1`` for others): hash the few distinct values once."""
    codes, uniques = pd.factorize(np.array(values, dtype=object))
    lookup = classes.get_indexer(uniques)
    return lookup[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _drop_degenerate(cls: np.ndarray, vid: np.ndarray, seg: np.ndarray):
    """Zero-length and duplicate (same class, video and times) ground truth removed, first kept."""
    keep = seg[:, 1] > seg[:, 0]
    cls, vid, seg = cls[keep], vid[keep], seg[keep]
    key = np.column_stack([cls, vid, np.round(seg, 6)])
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    return cls[first], vid[first], seg[first]
