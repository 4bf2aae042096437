"""TriDet (Shi et al., CVPR 2023): the Scalable-Granularity Perception encoder on the shared downsampling
pyramid (:class:`SGPPyramid`) and the Trident head, whose boundaries are expected offsets over bins
(:class:`TridentHead`)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

from .blocks import MaskedGroupNorm, PointwiseMLP
from .heads import DenseHead, _run
from .necks import BlockPyramid


class SGPBlock(nn.Module):
    """TriDet's Scalable-Granularity Perception layer, then a feed-forward layer, both residual:
    ``x + phi(x) * FC(x) + psi(x) * (DWConv_w(x) + DWConv_kw(x))``, where ``phi`` is a gate from the
    sequence's (masked) mean feature and ``psi`` a depthwise conv of window ``w``."""

    def __init__(self, channels: int, kernel_size: int = 3, k: float = 1.5, expansion: int = 4) -> None:
        super().__init__()
        wide = int(round(kernel_size * k)) // 2 * 2 + 1  # odd
        self.norm = MaskedGroupNorm(16 if channels % 16 == 0 else 1, channels)
        self.norm2 = MaskedGroupNorm(1, channels)
        self.instant = nn.Conv1d(channels, channels, 1)
        self.gate = nn.Conv1d(channels, channels, 1)
        self.psi = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels)
        self.window = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels)
        self.window_wide = nn.Conv1d(channels, channels, wide, padding=wide // 2, groups=channels)
        self.mlp = PointwiseMLP(channels, expansion)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        y = self.norm(x, mask)
        mean = y.sum(-1, keepdim=True) / mask.sum(-1, keepdim=True).clamp(min=1)
        phi = F.relu(self.gate(mean))
        branch = phi * self.instant(y) + self.psi(y) * (self.window(y) + self.window_wide(y))
        x = x + branch * mask
        return (x + self.mlp(self.norm2(x, mask)) * mask) * mask


@MODELS.register_module()
class SGPPyramid(BlockPyramid):
    """TriDet's encoder: ``stem_blocks`` SGP blocks at full resolution, then per further level a
    max-pool by 2 and one SGP block."""

    def __init__(self, embed_dims: int, num_levels: int, kernel_size: int = 3, k: float = 1.5,
                 stem_blocks: int = 2, expansion: int = 4) -> None:
        super().__init__(lambda: SGPBlock(embed_dims, kernel_size, k, expansion), num_levels, stem_blocks)


def expected_offset(boundary: torch.Tensor, offsets: torch.Tensor, valid: torch.Tensor, direction: int) -> torch.Tensor:
    """E[b] under ``softmax_b(boundary[i + direction * b] + offsets[b, i])``, b = 0..B, positions outside
    the valid sequence excluded. ``boundary`` (N, T), ``offsets`` (N, B + 1, T), ``valid`` (N, T) bool."""
    bins = offsets.shape[1]
    t = boundary.shape[-1]
    steps = torch.arange(bins, device=boundary.device)[:, None]
    index = torch.arange(t, device=boundary.device)[None, :] + direction * steps
    inside = (index >= 0) & (index < t)
    index = index.clamp(0, t - 1)  # (B + 1, T)
    gathered = boundary[:, index]  # (N, B + 1, T)
    reachable = inside[None] & valid[:, index]
    logits = (gathered + offsets).masked_fill(~reachable, float("-inf"))
    weights = torch.softmax(logits, dim=1).nan_to_num(0.0)
    return (weights * torch.arange(bins, device=boundary.device, dtype=weights.dtype)[None, :, None]).sum(1)


@MODELS.register_module()
class TridentHead(DenseHead):
    """TriDet's Trident-head: the shared classification tower, and a boundary tower feeding start, end and
    centre-offset branches (class-agnostic boundaries)."""

    def __init__(self, embed_dims: int, num_classes: int, num_levels: int, num_convs: int = 2,
                 num_bins: int = 16, **kwargs) -> None:
        self.num_bins = num_bins  # before the layers the base class builds
        super().__init__(embed_dims, num_classes, num_levels, num_convs, **kwargs)

    def boundary_layers(self, embed_dims: int, num_levels: int) -> None:
        self.start_out = nn.Conv1d(embed_dims, 1, 3, padding=1)
        self.end_out = nn.Conv1d(embed_dims, 1, 3, padding=1)
        self.offset_out = nn.Conv1d(embed_dims, 2 * (self.num_bins + 1), 3, padding=1)

    def distances(self, x: torch.Tensor, mask: torch.Tensor, level: int) -> torch.Tensor:
        feats = _run(self.reg_tower, x, mask) * mask
        valid = mask[:, 0].bool()
        offsets = self.offset_out(feats).view(x.shape[0], 2, self.num_bins + 1, -1)
        left = expected_offset(self.start_out(feats)[:, 0], offsets[:, 0], valid, -1)
        right = expected_offset(self.end_out(feats)[:, 0], offsets[:, 1], valid, +1)
        return torch.stack([left, right], 1) * mask
