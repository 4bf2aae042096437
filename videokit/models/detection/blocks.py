"""Masked 1D building blocks shared by the detector's parts: padded positions (mask 0) never leak into
valid ones, whatever the padding holds."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class MaskedGroupNorm(nn.GroupNorm):
    """GroupNorm whose statistics come from the valid positions only, so how much padding a batch
    carries never changes a sequence's outputs (plain GroupNorm counts the padded zeros)."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        b, c, t = x.shape
        groups = x.view(b, self.num_groups, c // self.num_groups, t)
        m = mask.view(b, 1, 1, t)
        count = (m.sum(dim=(2, 3), keepdim=True) * (c // self.num_groups)).clamp(min=1)
        mean = (groups * m).sum(dim=(2, 3), keepdim=True) / count
        var = (((groups - mean) * m) ** 2).sum(dim=(2, 3), keepdim=True) / count
        y = ((groups - mean) / torch.sqrt(var + self.eps)).view(b, c, t)
        return (y * self.weight.view(1, c, 1) + self.bias.view(1, c, 1)) * mask


class MaskedConvBlock(nn.Module):
    """1D convolution + masked GroupNorm + ReLU on a masked sequence (input zeroed at padding first)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.norm = MaskedGroupNorm(1, out_channels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return F.relu(self.norm(self.conv(x * mask), mask)) * mask


def downsample(x: torch.Tensor, mask: torch.Tensor):
    """Halve the temporal length: max-pool the features (padding zeroed first) and the mask."""
    return F.max_pool1d(x * mask, 2), F.max_pool1d(mask, 2)


class ChannelNorm(nn.Module):
    """LayerNorm over the channels of a (B, C, T) sequence."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


class PointwiseMLP(nn.Module):
    """Two 1x1 convolutions with GELU between (a transformer's feed-forward layer)."""

    def __init__(self, channels: int, expansion: int = 4) -> None:
        super().__init__()
        self.fc1 = nn.Conv1d(channels, channels * expansion, 1)
        self.fc2 = nn.Conv1d(channels * expansion, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))
