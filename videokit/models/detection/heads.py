"""Dense heads: per position of every pyramid level, class logits and (left, right) boundary distances
in units of the level's stride.

- :class:`PointHead`: ActionFormer's / FCOS's: shared conv towers, a regressed distance pair scaled per
  level (ReLU keeps it non-negative);
- TriDet's Trident head (:class:`~.tridet.TridentHead`): a start branch, an end branch and a centre-offset
  branch; the left distance at position i is the expectation of b over ``softmax_b(start[i - b] +
  offset_left[i, b])``, b = 0..num_bins (the right one likewise with ``end[i + b]``): boundaries as
  distributions over the neighbouring positions rather than one regressed number.

The conv towers (:func:`_tower`, :func:`_run`) are shared by both heads.
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
