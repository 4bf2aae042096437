"""A single-stage, anchor-free temporal action detector (ActionFormer-class) over feature sequences.

Feature embedding -> temporal pyramid (each level halves the length: max-pool + residual conv block)
-> shared classification and boundary-regression heads on every position of every level. Training:
each position is assigned the shortest ground-truth segment that contains it within a centre radius
and whose extent fits the level's regression range; sigmoid focal loss for classes, DIoU loss for the
(left, right) distances. Inference: top candidates per level, decoded to segments, per-class
score-decayed soft-NMS (or hard NMS), output in seconds.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModel
from torch import nn
from torchvision.ops import sigmoid_focal_loss


class _ConvBlock(nn.Module):
    """Masked 1D convolution + GroupNorm + ReLU (padding never leaks into valid positions)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, 3, padding=1)
        self.norm = nn.GroupNorm(1, out_channels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return F.relu(self.norm(self.conv(x))) * mask


def default_regression_ranges(num_levels: int, base: float = 4.0) -> List[Tuple[float, float]]:
    """Regression ranges, in feature steps, that tile [0, inf) with no gap and no overlap: level ``i``
    (stride ``2**i``) takes the extents in ``[base * 2**(i-1), base * 2**i)``, level 0 from 0 and the
    last level up to inf, as ActionFormer's (0,4), (4,8), ..., (32,64), (64,inf) for 6 levels."""
    if num_levels < 1:
        raise ValueError(f"num_levels must be >= 1, not {num_levels}")
    bounds = [0.0] + [base * 2 ** i for i in range(num_levels - 1)] + [math.inf]
    return list(zip(bounds[:-1], bounds[1:]))


def level_of_extent(extent: torch.Tensor, ranges: Sequence[Tuple[float, float]]) -> torch.Tensor:
    """The pyramid level whose half-open range ``[lo, hi)`` holds each extent (-1 where none does)."""
    level = torch.full(extent.shape, -1, dtype=torch.long, device=extent.device)
    for i, (lo, hi) in enumerate(ranges):
        level[(extent >= lo) & (extent < hi)] = i
    return level


def diou_loss_1d(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1D distance-IoU loss between (left, right) distances from the same point, summed."""
    left = torch.min(pred[:, 0], target[:, 0])
    right = torch.min(pred[:, 1], target[:, 1])
    inter = (left + right).clamp(min=0)
    union = pred.sum(1) + target.sum(1) - inter
    iou = inter / union.clamp(min=1e-6)
    enclose = torch.max(pred[:, 0], target[:, 0]) + torch.max(pred[:, 1], target[:, 1])
    centre_gap = ((pred[:, 1] - pred[:, 0]) - (target[:, 1] - target[:, 0])) / 2
    return (1 - iou + centre_gap.pow(2) / enclose.clamp(min=1e-6).pow(2)).sum()


def soft_nms(segments: torch.Tensor, scores: torch.Tensor, sigma: float, max_num: int,
             min_score: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Gaussian score-decayed soft-NMS over 1D segments: keep the best, decay the rest by its tIoU."""
    segments, scores = segments.clone(), scores.clone()
    keep_seg, keep_score = [], []
    while len(scores) and len(keep_seg) < max_num:
        best = int(scores.argmax())
        if scores[best] < min_score:
            break
        seg = segments[best]
        keep_seg.append(seg)
        keep_score.append(scores[best])
        inter = (torch.min(seg[1], segments[:, 1]) - torch.max(seg[0], segments[:, 0])).clamp(min=0)
        union = (seg[1] - seg[0]) + (segments[:, 1] - segments[:, 0]) - inter
        iou = inter / union.clamp(min=1e-6)
        scores = scores * torch.exp(-iou.pow(2) / sigma)
        scores[best] = -1.0
    if not keep_seg:
        return segments.new_zeros((0, 2)), scores.new_zeros(0)
    return torch.stack(keep_seg), torch.stack(keep_score)


@MODELS.register_module()
class TemporalActionDetector(BaseModel):
    """ActionFormer-class detector on (C, T) feature sequences; see the module docstring."""

    def __init__(self, in_channels: int, num_classes: int, embed_dims: int = 256, num_levels: int = 4,
                 regression_ranges: Optional[Sequence[Tuple[float, float]]] = None, center_radius: float = 1.5,
                 reg_weight: float = 1.0, test_cfg: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None, init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(type="BaseDataPreprocessor"), init_cfg=init_cfg)
        self.num_classes, self.num_levels, self.center_radius = num_classes, num_levels, center_radius
        self.reg_weight = reg_weight
        if regression_ranges is None:
            regression_ranges = default_regression_ranges(num_levels)
        if len(regression_ranges) != num_levels:
            raise ValueError(f"TemporalActionDetector: {len(regression_ranges)} regression_ranges for "
                             f"{num_levels} levels")
        self.regression_ranges = [tuple(float(v) for v in r) for r in regression_ranges]
        self.test_cfg = dict(pre_nms_thresh=0.001, pre_nms_topk=1000, nms="soft", sigma=0.5, iou_threshold=0.5,
                             max_seg_num=100, min_score=0.001)
        self.test_cfg.update(test_cfg or {})
        self.embed = nn.ModuleList([_ConvBlock(in_channels, embed_dims), _ConvBlock(embed_dims, embed_dims)])
        self.pyramid = nn.ModuleList([_ConvBlock(embed_dims, embed_dims) for _ in range(num_levels)])
        self.cls_tower = nn.ModuleList([_ConvBlock(embed_dims, embed_dims) for _ in range(2)])
        self.reg_tower = nn.ModuleList([_ConvBlock(embed_dims, embed_dims) for _ in range(2)])
        self.cls_out = nn.Conv1d(embed_dims, num_classes, 3, padding=1)
        self.reg_out = nn.Conv1d(embed_dims, 2, 3, padding=1)
        self.scales = nn.Parameter(torch.ones(num_levels))
        nn.init.constant_(self.cls_out.bias, -math.log((1 - 0.01) / 0.01))  # prior probability 0.01

    # ------------------------------------------------------------------ network
    def _pad(self, inputs: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        unit = 2 ** (self.num_levels - 1)
        length = max(x.shape[-1] for x in inputs)
        length = int(math.ceil(length / unit) * unit)
        x = inputs[0].new_zeros((len(inputs), inputs[0].shape[0], length))
        mask = inputs[0].new_zeros((len(inputs), 1, length))
        for i, feats in enumerate(inputs):
            x[i, :, :feats.shape[-1]] = feats
            mask[i, :, :feats.shape[-1]] = 1
        return x, mask

    def _heads(self, x: torch.Tensor, mask: torch.Tensor):
        for block in self.embed:
            x = block(x, mask)
        levels = []
        for level, block in enumerate(self.pyramid):
            if level > 0:
                x = F.max_pool1d(x, 2)
                mask = F.max_pool1d(mask, 2)
            x = block(x, mask) + x
            cls, reg = x, x
            for b in self.cls_tower:
                cls = b(cls, mask)
            for b in self.reg_tower:
                reg = b(reg, mask)
            logits = self.cls_out(cls)  # (B, K, T_l)
            distances = F.relu(self.scales[level] * self.reg_out(reg))  # (B, 2, T_l)
            levels.append((logits, distances, mask[:, 0].bool(), 2 ** level))
        return levels

    def forward(self, inputs, data_samples=None, mode: str = "tensor"):
        x, mask = self._pad(inputs)
        levels = self._heads(x, mask)
        if mode == "loss":
            return self.loss(levels, data_samples)
        if mode == "predict":
            return self.predict(levels, data_samples)
        return levels

    # ------------------------------------------------------------------ training
    def _targets(self, segments: torch.Tensor, labels: torch.Tensor, length: int, stride: int, reg_range):
        """Per position of one level: class index (-1 = background) and (left, right) distances."""
        points = (torch.arange(length, device=segments.device, dtype=torch.float32) + 0.5) * stride - 0.5
        cls = torch.full((length,), -1, dtype=torch.long, device=segments.device)
        reg = torch.zeros((length, 2), device=segments.device)
        if len(segments) == 0:
            return cls, reg
        left = points[:, None] - segments[None, :, 0]
        right = segments[None, :, 1] - points[:, None]
        centre = segments.mean(1)[None, :]
        radius = self.center_radius * stride
        inside = (left >= 0) & (right >= 0) & ((points[:, None] - centre).abs() <= radius)
        extent = torch.max(left, right)
        fits = (extent >= reg_range[0]) & (extent < reg_range[1])  # half-open: one level per extent
        lengths = (segments[:, 1] - segments[:, 0])[None, :].expand_as(left).clone()
        lengths[~(inside & fits)] = math.inf
        best_len, best = lengths.min(1)
        positive = torch.isfinite(best_len)
        cls[positive] = labels[best[positive]]
        reg[positive] = torch.stack([left[positive, best[positive]], right[positive, best[positive]]], 1) / stride
        return cls, reg

    def loss(self, levels, data_samples) -> Dict[str, torch.Tensor]:
        cls_losses, reg_losses, num_pos = [], [], 0
        for level, (logits, distances, mask, stride) in enumerate(levels):
            for b, sample in enumerate(data_samples):
                cls_t, reg_t = self._targets(sample.gt_segments.to(logits.device), sample.gt_labels.to(logits.device),
                                             logits.shape[-1], stride, self.regression_ranges[level])
                valid = mask[b]
                onehot = torch.zeros_like(logits[b].t())
                pos = cls_t >= 0
                onehot[pos, cls_t[pos]] = 1.0
                cls_losses.append(sigmoid_focal_loss(logits[b].t()[valid], onehot[valid], reduction="sum"))
                pos = pos & valid
                num_pos += int(pos.sum())
                if pos.any():
                    reg_losses.append(diou_loss_1d(distances[b].t()[pos], reg_t[pos]))
        norm = max(num_pos, 1)
        loss_cls = torch.stack(cls_losses).sum() / norm
        loss_reg = (torch.stack(reg_losses).sum() / norm) if reg_losses else loss_cls.new_zeros(())
        return {"loss_cls": loss_cls, "loss_reg": self.reg_weight * loss_reg}

    # ------------------------------------------------------------------ inference
    @torch.no_grad()
    def predict(self, levels, data_samples) -> List[Dict]:
        cfg = self.test_cfg
        results = []
        for b, sample in enumerate(data_samples):
            segs, scores, labels = [], [], []
            for logits, distances, mask, stride in levels:
                valid = mask[b]
                prob = logits[b].sigmoid().t()[valid]  # (T, K)
                dist = distances[b].t()[valid]
                points = (torch.nonzero(valid)[:, 0].float() + 0.5) * stride - 0.5
                flat = prob.flatten()
                keep = flat > cfg["pre_nms_thresh"]
                idx = torch.nonzero(keep)[:, 0]
                if len(idx) > cfg["pre_nms_topk"]:
                    idx = idx[flat[idx].topk(cfg["pre_nms_topk"]).indices]
                pos, cls = idx // prob.shape[1], idx % prob.shape[1]
                start = points[pos] - dist[pos, 0] * stride
                end = points[pos] + dist[pos, 1] * stride
                segs.append(torch.stack([start, end], 1))
                scores.append(flat[idx])
                labels.append(cls)
            segs, scores, labels = torch.cat(segs), torch.cat(scores), torch.cat(labels)
            out_segs, out_scores, out_labels = [], [], []
            for k in labels.unique():
                chosen = labels == k
                if cfg["nms"] == "soft":
                    kept_segs, kept_scores = soft_nms(segs[chosen], scores[chosen], cfg["sigma"], cfg["max_seg_num"],
                                                      cfg["min_score"])
                else:
                    kept_segs, kept_scores = self._hard_nms(segs[chosen], scores[chosen])
                out_segs.append(kept_segs)
                out_scores.append(kept_scores)
                out_labels.append(torch.full((len(kept_scores),), int(k), dtype=torch.long))
            if out_segs:
                segs, scores, labels = torch.cat(out_segs), torch.cat(out_scores), torch.cat(out_labels)
                top = scores.argsort(descending=True)[: cfg["max_seg_num"]]
                segs, scores, labels = segs[top], scores[top], labels[top]
            seconds = sample.time0 + segs.cpu().double() * sample.time_step
            results.append(dict(video_id=sample.video_id, segments=seconds, scores=scores.cpu(), labels=labels.cpu(),
                                gt_segments_sec=sample.gt_segments_sec.cpu(), gt_labels=sample.gt_labels.cpu()))
        return results

    def _hard_nms(self, segs: torch.Tensor, scores: torch.Tensor):
        order = scores.argsort(descending=True)
        keep: List[int] = []
        for i in order.tolist():
            if len(keep) >= self.test_cfg["max_seg_num"]:
                break
            if keep:
                kept = segs[keep]
                inter = (torch.min(segs[i, 1], kept[:, 1]) - torch.max(segs[i, 0], kept[:, 0])).clamp(min=0)
                union = (segs[i, 1] - segs[i, 0]) + (kept[:, 1] - kept[:, 0]) - inter
                if (inter / union.clamp(min=1e-6)).max() > self.test_cfg["iou_threshold"]:
                    continue
            keep.append(i)
        return segs[keep], scores[keep]
