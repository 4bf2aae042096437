"""Dense heads: per position of every pyramid level, class logits and (left, right) boundary distances
in units of the level's stride.

- :class:`PointHead`: ActionFormer's / FCOS's: shared conv towers, a regressed distance pair scaled per
  level (ReLU keeps it non-negative);
- :class:`TridentHead`: TriDet's: a start branch, an end branch and a centre-offset branch; the left
  distance at position i is the expectation of b over ``softmax_b(start[i - b] + offset_left[i, b])``,
  b = 0..num_bins (the right one likewise with ``end[i + b]``): boundaries as distributions over the
  neighbouring positions rather than one regressed number.
"""
from __future__ import annotations

import math
from typing import List, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

from .blocks import MaskedConvBlock

Outputs = List[Tuple[torch.Tensor, torch.Tensor]]  # per level: logits (B, K, T_l), distances (B, 2, T_l)


def _tower(embed_dims: int, num_convs: int) -> nn.ModuleList:
    return nn.ModuleList([MaskedConvBlock(embed_dims, embed_dims) for _ in range(num_convs)])


def _run(tower: nn.ModuleList, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    for block in tower:
        x = block(x, mask)
    return x


@MODELS.register_module()
class PointHead(nn.Module):
    """Classification and distance regression towers shared by every level (prior probability 0.01)."""

    def __init__(self, embed_dims: int, num_classes: int, num_levels: int, num_convs: int = 2,
                 prior_prob: float = 0.01) -> None:
        super().__init__()
        self.cls_tower, self.reg_tower = _tower(embed_dims, num_convs), _tower(embed_dims, num_convs)
        self.cls_out = nn.Conv1d(embed_dims, num_classes, 3, padding=1)
        self.reg_out = nn.Conv1d(embed_dims, 2, 3, padding=1)
        self.scales = nn.Parameter(torch.ones(num_levels))
        nn.init.constant_(self.cls_out.bias, -math.log((1 - prior_prob) / prior_prob))

    def forward(self, pyramid) -> Outputs:
        out = []
        for level, (x, mask) in enumerate(pyramid):
            logits = self.cls_out(_run(self.cls_tower, x, mask) * mask)
            distances = F.relu(self.scales[level] * self.reg_out(_run(self.reg_tower, x, mask) * mask))
            out.append((logits, distances))
        return out


def expected_offset(boundary: torch.Tensor, offsets: torch.Tensor, valid: torch.Tensor, direction: int) -> torch.Tensor:
    """E[b] under ``softmax_b(boundary[i + direction * b] + offsets[b, i])``, b = 0..B, positions outside
    the valid sequence excluded. ``boundary`` (N, T), ``offsets`` (N, B + 1, T), ``valid`` (N, T) bool."""
    bins = offsets.shape[1]
    t = boundary.shape[-1]
    index = torch.arange(t, device=boundary.device)[None, :] + direction * torch.arange(bins,
                                                                                        device=boundary.device)[:, None]
    inside = (index >= 0) & (index < t)
    index = index.clamp(0, t - 1)  # (B + 1, T)
    gathered = boundary[:, index]  # (N, B + 1, T)
    reachable = inside[None] & valid[:, index]
    logits = (gathered + offsets).masked_fill(~reachable, float("-inf"))
    weights = torch.softmax(logits, dim=1).nan_to_num(0.0)
    return (weights * torch.arange(bins, device=boundary.device, dtype=weights.dtype)[None, :, None]).sum(1)


@MODELS.register_module()
class TridentHead(nn.Module):
    """TriDet's Trident-head: a classification tower as :class:`PointHead`'s, and a boundary tower
    feeding start, end and centre-offset branches (class-agnostic boundaries)."""

    def __init__(self, embed_dims: int, num_classes: int, num_levels: int, num_convs: int = 2,
                 num_bins: int = 16, prior_prob: float = 0.01) -> None:
        super().__init__()
        self.num_bins = num_bins
        self.cls_tower, self.reg_tower = _tower(embed_dims, num_convs), _tower(embed_dims, num_convs)
        self.cls_out = nn.Conv1d(embed_dims, num_classes, 3, padding=1)
        self.start_out = nn.Conv1d(embed_dims, 1, 3, padding=1)
        self.end_out = nn.Conv1d(embed_dims, 1, 3, padding=1)
        self.offset_out = nn.Conv1d(embed_dims, 2 * (num_bins + 1), 3, padding=1)
        nn.init.constant_(self.cls_out.bias, -math.log((1 - prior_prob) / prior_prob))

    def forward(self, pyramid) -> Outputs:
        out = []
        for x, mask in pyramid:
            logits = self.cls_out(_run(self.cls_tower, x, mask) * mask)
            feats = _run(self.reg_tower, x, mask) * mask
            valid = mask[:, 0].bool()
            offsets = self.offset_out(feats).view(x.shape[0], 2, self.num_bins + 1, -1)
            left = expected_offset(self.start_out(feats)[:, 0], offsets[:, 0], valid, -1)
            right = expected_offset(self.end_out(feats)[:, 0], offsets[:, 1], valid, +1)
            out.append((logits, torch.stack([left, right], 1) * mask))
        return out
