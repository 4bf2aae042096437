"""Which ground-truth segment each position of each pyramid level learns (centre sampling + regression
ranges, as FCOS / ActionFormer), and the default ranges that tile [0, inf)."""
from __future__ import annotations

import math
from typing import List, Sequence, Tuple

import torch


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


def level_points(length: int, stride: int, device=None) -> torch.Tensor:
    """Centre of each position of a level, in feature steps of level 0."""
    return (torch.arange(length, device=device, dtype=torch.float32) + 0.5) * stride - 0.5


def assign_points(segments: torch.Tensor, labels: torch.Tensor, length: int, stride: int,
                  reg_range: Tuple[float, float], center_radius: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Per position of one level: class index (-1 = background) and (left, right) distances in units of
    ``stride``. A position takes the shortest segment that contains it within ``center_radius * stride``
    of its centre and whose extent (the larger distance) is in the level's half-open range."""
    points = level_points(length, stride, segments.device)
    cls = torch.full((length,), -1, dtype=torch.long, device=segments.device)
    reg = torch.zeros((length, 2), device=segments.device)
    if len(segments) == 0:
        return cls, reg
    left = points[:, None] - segments[None, :, 0]
    right = segments[None, :, 1] - points[:, None]
    centre = segments.mean(1)[None, :]
    inside = (left >= 0) & (right >= 0) & ((points[:, None] - centre).abs() <= center_radius * stride)
    extent = torch.max(left, right)
    fits = (extent >= reg_range[0]) & (extent < reg_range[1])  # half-open: one level per extent
    lengths = (segments[:, 1] - segments[:, 0])[None, :].expand_as(left).clone()
    lengths[~(inside & fits)] = math.inf
    best_len, best = lengths.min(1)
    positive = torch.isfinite(best_len)
    cls[positive] = labels[best[positive]]
    reg[positive] = torch.stack([left[positive, best[positive]], right[positive, best[positive]]], 1) / stride
    return cls, reg
