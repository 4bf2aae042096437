"""From dense outputs to segments: top candidates per level, decoded to feature steps, then per-class
soft-NMS (Gaussian score decay, vectorised over classes and candidates) or hard NMS (torchvision)."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import torch
from mmaction.registry import MODELS
from torchvision.ops import batched_nms

from .assigner import level_points


def soft_nms(segments: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor, sigma: float, max_num: int,
             min_score: float) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-class Gaussian soft-NMS of 1D segments, every class at once.

    Each class keeps, in turn, its best remaining candidate (while it scores at least ``min_score`` and the
    class has kept fewer than ``max_num``) and decays its other candidates by ``exp(-tIoU^2 / sigma)``. The
    loop runs once per kept rank (at most ``max_num`` times), each step a tensor operation over all
    classes and candidates: the same result as the one-candidate-at-a-time loop, without it.
    Returns kept segments, scores and labels, by class then rank.
    """
    if len(scores) == 0:
        return segments.new_zeros((0, 2)), scores.new_zeros(0), labels.new_zeros(0)
    classes, inverse = labels.unique(return_inverse=True)
    order = torch.argsort(inverse, stable=True)
    counts = torch.bincount(inverse, minlength=len(classes))
    width = int(counts.max())
    rank = torch.arange(len(order), device=scores.device) - torch.repeat_interleave(counts.cumsum(0) - counts, counts)
    grid = torch.full((len(classes), width), -1.0, dtype=scores.dtype, device=scores.device)
    starts = segments.new_zeros((len(classes), width))
    ends = segments.new_zeros((len(classes), width))
    row = inverse[order]
    grid[row, rank] = scores[order]
    starts[row, rank], ends[row, rank] = segments[order, 0], segments[order, 1]
    lengths = ends - starts
    kept_index, kept_score = [], []
    active = torch.ones(len(classes), dtype=torch.bool, device=scores.device)
    rows = torch.arange(len(classes), device=scores.device)
    for _ in range(max_num):
        best_score, best = grid.max(1)
        active &= best_score >= min_score
        if not active.any():
            break
        kept_index.append(torch.where(active, best, torch.full_like(best, -1)))
        kept_score.append(best_score)
        s, e = starts[rows, best][:, None], ends[rows, best][:, None]
        inter = (torch.min(e, ends) - torch.max(s, starts)).clamp(min=0)
        iou = inter / ((e - s) + lengths - inter).clamp(min=1e-6)
        decayed = grid * torch.exp(-iou.pow(2) / sigma)
        grid = torch.where(active[:, None] & (grid >= 0), decayed, grid)
        grid[rows[active], best[active]] = -1.0
    if not kept_index:
        return segments.new_zeros((0, 2)), scores.new_zeros(0), labels.new_zeros(0)
    index, score = torch.stack(kept_index, 1), torch.stack(kept_score, 1)  # (K, ranks)
    valid = index >= 0
    r, k = valid.nonzero(as_tuple=True)
    picked = index[r, k]
    out = torch.stack([starts[r, picked], ends[r, picked]], 1)
    return out, score[r, k], classes[r]


def hard_nms(segments: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor, iou_threshold: float,
             max_num: int) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-class greedy NMS (torchvision's ``batched_nms`` on unit-height boxes: their IoU is the tIoU),
    at most ``max_num`` kept per class."""
    boxes = torch.stack([segments[:, 0], torch.zeros_like(scores), segments[:, 1], torch.ones_like(scores)], 1)
    keep = batched_nms(boxes.float(), scores.float(), labels, iou_threshold)
    kept_labels = labels[keep]
    per_class_rank = torch.zeros_like(keep)
    for value in kept_labels.unique():  # one step per class, not per candidate
        chosen = kept_labels == value
        per_class_rank[chosen] = torch.arange(int(chosen.sum()), device=keep.device)
    keep = keep[per_class_rank < max_num]
    return segments[keep], scores[keep], labels[keep]


@MODELS.register_module()
class SegmentPostProcessor:
    """Candidates above ``pre_nms_thresh`` (the ``pre_nms_topk`` best per level), decoded to feature steps,
    then ``nms='soft'`` (Gaussian, ``sigma``) or ``'hard'`` (``iou_threshold``) per class keeping at most
    ``max_per_class`` (default ``max_seg_num``), and the ``max_seg_num`` best overall."""

    def __init__(self, pre_nms_thresh: float = 0.001, pre_nms_topk: int = 1000, nms: str = "soft",
                 sigma: float = 0.5, iou_threshold: float = 0.5, max_seg_num: int = 100,
                 min_score: float = 0.001, max_per_class: Optional[int] = None) -> None:
        if nms not in ("soft", "hard"):
            raise ValueError(f"SegmentPostProcessor: nms must be 'soft' or 'hard', not {nms!r}")
        self.pre_nms_thresh, self.pre_nms_topk, self.nms = pre_nms_thresh, pre_nms_topk, nms
        self.sigma, self.iou_threshold, self.max_seg_num, self.min_score = sigma, iou_threshold, max_seg_num, min_score
        self.max_per_class = max_per_class or max_seg_num

    def candidates(self, outputs: List[Tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]], b: int):
        """Decoded candidates of sample ``b``: segments (feature steps), scores, labels."""
        segs, scores, labels = [], [], []
        for logits, distances, mask, stride in outputs:
            valid = mask[b]
            prob = logits[b].sigmoid().t()[valid]  # (T, K)
            dist = distances[b].t()[valid]
            points = level_points(logits.shape[-1], stride, logits.device)[valid]
            flat = prob.flatten()
            idx = torch.nonzero(flat > self.pre_nms_thresh)[:, 0]
            if len(idx) > self.pre_nms_topk:
                idx = idx[flat[idx].topk(self.pre_nms_topk).indices]
            pos, cls = idx // prob.shape[1], idx % prob.shape[1]
            segs.append(torch.stack([points[pos] - dist[pos, 0] * stride, points[pos] + dist[pos, 1] * stride], 1))
            scores.append(flat[idx])
            labels.append(cls)
        return torch.cat(segs), torch.cat(scores), torch.cat(labels)

    def __call__(self, outputs, b: int) -> Dict[str, torch.Tensor]:
        segs, scores, labels = self.candidates(outputs, b)
        if self.nms == "soft":
            segs, scores, labels = soft_nms(segs, scores, labels, self.sigma, self.max_per_class, self.min_score)
        else:
            segs, scores, labels = hard_nms(segs, scores, labels, self.iou_threshold, self.max_per_class)
        top = scores.argsort(descending=True, stable=True)[: self.max_seg_num]
        return {"segments": segs[top], "scores": scores[top], "labels": labels[top]}
