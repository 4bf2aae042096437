"""Dense heads: per position of every pyramid level, class logits and (left, right) boundary distances
in units of the level's stride; each head owns its training targets, its losses and its decoding.

:class:`DenseHead` is the base class (as OpenTAD's heads are): the classification tower, the targets (centre
sampling within the level's regression range, :mod:`.assigner`), the losses (focal for classes, DIoU for the
distances, normalised by the number of positive positions) and the decoding (a post-processor from the
head's ``test_cfg``, :class:`~.postprocess.SegmentPostProcessor` by default). A head adds only how it
computes the boundary distances (:meth:`DenseHead.distances`):

- :class:`PointHead`: ActionFormer's / FCOS's: a regression tower, a distance pair scaled per level (ReLU keeps
  it non-negative);
- TriDet's Trident head (:class:`~.tridet.TridentHead`): a start branch, an end branch and a centre-offset
  branch; the left distance at position i is the expectation of b over ``softmax_b(start[i - b] +
  offset_left[i, b])``, b = 0..num_bins (the right one likewise with ``end[i + b]``): boundaries as
  distributions over the neighbouring positions rather than one regressed number.
"""
from __future__ import annotations

import copy
import math
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

from .assigner import assign_points, default_regression_ranges
from .blocks import MaskedConvBlock


class LevelOutput(NamedTuple):
    """One pyramid level's dense predictions for a batch."""

    logits: torch.Tensor  # (B, K, T_l) class logits
    distances: torch.Tensor  # (B, 2, T_l) left / right boundary distances, in strides
    mask: torch.Tensor  # (B, T_l) bool: positions inside the video (not padding)
    stride: int  # feature steps per position of this level


def build_part(cfg: Optional[Dict], default: str, **fill) -> nn.Module:
    """The registered part ``cfg`` names (``default`` where it names none), with ``fill`` for what it leaves out."""
    cfg = copy.deepcopy(dict(cfg or {}))
    cfg.setdefault("type", default)
    for key, value in fill.items():
        cfg.setdefault(key, value)
    return MODELS.build(cfg)


def _tower(embed_dims: int, num_convs: int) -> nn.ModuleList:
    return nn.ModuleList([MaskedConvBlock(embed_dims, embed_dims) for _ in range(num_convs)])


def _run(tower: nn.ModuleList, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    for block in tower:
        x = block(x, mask)
    return x


class DenseHead(nn.Module):
    """The classification tower (prior probability ``prior_prob``) and a boundary tower, targets, losses and
    decoding every dense head shares; subclasses add their boundary layers (:meth:`boundary_layers`, built
    after the towers and the class output, in that order, so a seed gives the same initial weights) and compute
    the distances from them."""

    def __init__(self, embed_dims: int, num_classes: int, num_levels: int, num_convs: int = 2,
                 prior_prob: float = 0.01, loss_cls: Optional[Dict] = None, loss_reg: Optional[Dict] = None,
                 regression_ranges: Optional[Sequence[Tuple[float, float]]] = None, center_radius: float = 1.5,
                 reg_weight: float = 1.0, test_cfg: Optional[Dict] = None) -> None:
        super().__init__()
        self.num_classes, self.num_levels, self.center_radius = num_classes, num_levels, center_radius
        self.reg_weight = reg_weight
        if regression_ranges is None:
            regression_ranges = default_regression_ranges(num_levels)
        if len(regression_ranges) != num_levels:
            raise ValueError(f"{type(self).__name__}: {len(regression_ranges)} regression_ranges for "
                             f"{num_levels} levels")
        self.regression_ranges = [tuple(float(v) for v in r) for r in regression_ranges]
        self.cls_tower, self.reg_tower = _tower(embed_dims, num_convs), _tower(embed_dims, num_convs)
        self.cls_out = nn.Conv1d(embed_dims, num_classes, 3, padding=1)
        self.boundary_layers(embed_dims, num_levels)
        nn.init.constant_(self.cls_out.bias, -math.log((1 - prior_prob) / prior_prob))
        self.loss_cls = build_part(loss_cls, "TemporalFocalLoss")
        self.loss_reg = build_part(loss_reg, "TemporalDIoULoss")
        self.test_cfg = test_cfg if test_cfg is not None else {}
        self.postprocess = build_part(self.test_cfg, "SegmentPostProcessor")

    # ------------------------------------------------------------------ network
    def boundary_layers(self, embed_dims: int, num_levels: int) -> None:
        """Build the layers after the boundary tower (``self.reg_tower``) that :meth:`distances` uses."""
        raise NotImplementedError

    def distances(self, x: torch.Tensor, mask: torch.Tensor, level: int) -> torch.Tensor:
        """(B, 2, T_l) non-negative left / right distances (in strides) at one level."""
        raise NotImplementedError

    def forward(self, pyramid) -> List[LevelOutput]:
        out = []
        for level, (x, mask) in enumerate(pyramid):
            logits = self.cls_out(_run(self.cls_tower, x, mask) * mask)
            out.append(LevelOutput(logits, self.distances(x, mask, level), mask[:, 0].bool(), 2 ** level))
        return out

    # ------------------------------------------------------------------ training
    def targets(self, segments: torch.Tensor, labels: torch.Tensor, length: int, stride: int,
                reg_range: Tuple[float, float]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Class (``-1``: background) and (left, right) distance targets of one level's positions."""
        return assign_points(segments, labels, length, stride, reg_range, self.center_radius)

    def loss(self, outputs: List[LevelOutput], data_samples) -> Dict[str, torch.Tensor]:
        cls_losses, reg_losses, num_pos = [], [], 0
        for level, out in enumerate(outputs):
            logits = out.logits
            for b, sample in enumerate(data_samples):
                cls_t, reg_t = self.targets(sample.gt_segments.to(logits.device), sample.gt_labels.to(logits.device),
                                            logits.shape[-1], out.stride, self.regression_ranges[level])
                valid = out.mask[b]
                onehot = torch.zeros_like(logits[b].t())
                pos = cls_t >= 0
                onehot[pos, cls_t[pos]] = 1.0
                cls_losses.append(self.loss_cls(logits[b].t()[valid], onehot[valid]))
                pos = pos & valid
                num_pos += int(pos.sum())
                if pos.any():
                    reg_losses.append(self.loss_reg(out.distances[b].t()[pos], reg_t[pos]))
        norm = max(num_pos, 1)
        loss_cls = torch.stack(cls_losses).sum() / norm
        loss_reg = (torch.stack(reg_losses).sum() / norm) if reg_losses else loss_cls.new_zeros(())
        return {"loss_cls": loss_cls, "loss_reg": self.reg_weight * loss_reg}

    # ------------------------------------------------------------------ inference
    def decode(self, outputs: List[LevelOutput], b: int) -> Dict[str, torch.Tensor]:
        """Sample ``b``'s segments (feature steps), scores and labels after post-processing."""
        return self.postprocess(outputs, b)


@MODELS.register_module()
class PointHead(DenseHead):
    """ActionFormer's head: a distance regression tower shared by every level, scaled per level."""

    def boundary_layers(self, embed_dims: int, num_levels: int) -> None:
        self.reg_out = nn.Conv1d(embed_dims, 2, 3, padding=1)
        # distances start positive: where the ReLU starts at 0 for every position it passes no gradient, and the
        # regression never learns (a small set's training stalled so on some seeds)
        nn.init.constant_(self.reg_out.bias, 1.0)
        self.scales = nn.Parameter(torch.ones(num_levels))

    def distances(self, x: torch.Tensor, mask: torch.Tensor, level: int) -> torch.Tensor:
        return F.relu(self.scales[level] * self.reg_out(_run(self.reg_tower, x, mask) * mask))
