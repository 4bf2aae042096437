"""ActionFormer (Zhang et al., ECCV 2022): an encoder of transformer blocks with local-window multi-head
self-attention on the shared downsampling pyramid (:class:`LocalAttentionPyramid`); its head is the point head
(:class:`~.heads.PointHead`)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

from .blocks import ChannelNorm, PointwiseMLP
from .necks import BlockPyramid


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


@MODELS.register_module()
class LocalAttentionPyramid(BlockPyramid):
    """ActionFormer's encoder: ``stem_blocks`` transformer blocks at full resolution, then for each
    further level a max-pool by 2 and one transformer block (local window ``window_size`` at every
    level, so deeper levels see proportionally longer spans)."""

    def __init__(self, embed_dims: int, num_levels: int, num_heads: int = 4, window_size: int = 19,
                 stem_blocks: int = 2, expansion: int = 4) -> None:
        super().__init__(lambda: TransformerBlock(embed_dims, num_heads, window_size, expansion), num_levels,
                         stem_blocks)
