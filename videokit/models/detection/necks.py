"""Encoders / necks: a projected sequence to a temporal pyramid, level ``l`` at stride ``2**l``.

- :class:`ConvPyramid`: max-pool + residual masked conv per level (videokit's first detector);
- :class:`LocalAttentionPyramid`: ActionFormer's (ECCV 2022) transformer blocks with local-window
  multi-head self-attention, on the same downsampling pyramid;
- :class:`SGPPyramid`: TriDet's (CVPR 2023) Scalable-Granularity Perception blocks (an instant-level
  branch gated by the video's mean feature, a window-level branch of depthwise convolutions at two
  granularities), on the same pyramid.

Each returns ``[(features_l, mask_l)]``; padded positions are zero and never change valid outputs.
"""
from __future__ import annotations

import math
from typing import List, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

from .blocks import ChannelNorm, MaskedConvBlock, MaskedGroupNorm, PointwiseMLP, downsample

Pyramid = List[Tuple[torch.Tensor, torch.Tensor]]


@MODELS.register_module()
class ConvPyramid(nn.Module):
    """Level 0 refines the projection; each next level max-pools by 2 and adds a masked conv block."""

    def __init__(self, embed_dims: int, num_levels: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([MaskedConvBlock(embed_dims, embed_dims) for _ in range(num_levels)])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> Pyramid:
        levels = []
        for level, block in enumerate(self.blocks):
            if level > 0:
                x, mask = downsample(x, mask)
            x = block(x, mask) + x
            levels.append((x, mask))
        return levels


class LocalSelfAttention(nn.Module):
    """Multi-head self-attention where each position sees the ``window_size`` positions around it
    (valid keys only): O(T x window) memory (:func:`attend_by_window`; :func:`attend_by_offset` when exported)."""

    def __init__(self, channels: int, num_heads: int, window_size: int) -> None:
        super().__init__()
        if channels % num_heads:
            raise ValueError(f"LocalSelfAttention: {channels} channels do not split into {num_heads} heads")
        self.heads, self.radius = num_heads, window_size // 2
        self.qkv = nn.Conv1d(channels, 3 * channels, 1)
        self.out = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, c, t = x.shape
        q, k, v = self.qkv(x).view(b, 3, self.heads, c // self.heads, t).unbind(1)  # (B, H, d, T) each
        attend = attend_by_offset if torch.onnx.is_in_onnx_export() else attend_by_window
        return self.out(attend(q, k, v, mask, self.radius).reshape(b, c, t)) * mask


def attend_by_window(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor, radius: int
                     ) -> torch.Tensor:
    """Local attention with keys and values unfolded into (T, W) windows (views, no copy): the fastest to
    train. ``q, k, v``: (B, H, d, T); ``mask``: (B, 1, T); returns (B, H, d, T)."""
    width = 2 * radius + 1
    k = F.pad(k, (radius, radius)).unfold(3, width, 1)  # (B, H, d, T, W)
    v = F.pad(v, (radius, radius)).unfold(3, width, 1)
    valid = F.pad(mask, (radius, radius)).unfold(2, width, 1).bool()  # (B, 1, T, W)
    scores = torch.einsum("bhdt,bhdtw->bhtw", q, k) / math.sqrt(q.shape[2])
    scores = scores.masked_fill(~valid, float("-inf"))
    weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)  # a padded query sees no valid key
    return torch.einsum("bhtw,bhdtw->bhdt", weights, v)


def attend_by_offset(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor, radius: int
                     ) -> torch.Tensor:
    """The same attention, one window offset at a time over slices of the padded keys and values: what an
    exported graph runs. ``unfold`` needs a fixed length (a detector must take any video's), and this never
    materialises the windows (onnxruntime: 0.21 s for an hour of OphNet features vs 0.41 s gathering them)."""
    t, width = q.shape[-1], 2 * radius + 1
    k, v, mask = (F.pad(a, (radius, radius)) for a in (k, v, mask))
    scores = torch.stack([(q * k[..., w:w + t]).sum(2) for w in range(width)], -1) / math.sqrt(q.shape[2])
    valid = torch.stack([mask[..., w:w + t] for w in range(width)], -1).bool()  # (B, 1, T, W)
    weights = torch.softmax(scores.masked_fill(~valid, float("-inf")), dim=-1).nan_to_num(0.0)
    out = weights[..., 0].unsqueeze(2) * v[..., 0:t]
    for w in range(1, width):
        out = out + weights[..., w].unsqueeze(2) * v[..., w:w + t]
    return out


class TransformerBlock(nn.Module):
    """Pre-norm block: x + LocalSelfAttention(LN(x)), then x + MLP(LN(x)), masked."""

    def __init__(self, channels: int, num_heads: int, window_size: int, expansion: int = 4) -> None:
        super().__init__()
        self.norm1, self.norm2 = ChannelNorm(channels), ChannelNorm(channels)
        self.attention = LocalSelfAttention(channels, num_heads, window_size)
        self.mlp = PointwiseMLP(channels, expansion)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.norm1(x) * mask, mask)
        return (x + self.mlp(self.norm2(x)) * mask) * mask


class BlockPyramid(nn.Module):
    """``stem`` blocks at full resolution, then per further level a max-pool by 2 and one block
    (the pyramid ActionFormer and TriDet share; each block maps ``(x, mask)`` to ``x``)."""

    def __init__(self, make_block, num_levels: int, stem_blocks: int) -> None:
        super().__init__()
        self.stem = nn.ModuleList([make_block() for _ in range(stem_blocks)])
        self.levels = nn.ModuleList([make_block() for _ in range(num_levels - 1)])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> Pyramid:
        for block in self.stem:
            x = block(x, mask)
        out = [(x, mask)]
        for block in self.levels:
            x, mask = downsample(x, mask)
            x = block(x, mask)
            out.append((x, mask))
        return out


@MODELS.register_module()
class LocalAttentionPyramid(BlockPyramid):
    """ActionFormer's encoder: ``stem_blocks`` transformer blocks at full resolution, then for each
    further level a max-pool by 2 and one transformer block (local window ``window_size`` at every
    level, so deeper levels see proportionally longer spans)."""

    def __init__(self, embed_dims: int, num_levels: int, num_heads: int = 4, window_size: int = 19,
                 stem_blocks: int = 2, expansion: int = 4) -> None:
        super().__init__(lambda: TransformerBlock(embed_dims, num_heads, window_size, expansion), num_levels,
                         stem_blocks)


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
