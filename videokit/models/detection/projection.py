"""Feature projection: the snippet features (C_in) to the detector's width, masked."""
from __future__ import annotations

import torch
from mmaction.registry import MODELS
from torch import nn

from .blocks import MaskedConvBlock


@MODELS.register_module()
class ConvProjection(nn.Module):
    """``num_convs`` masked conv blocks: ``in_channels`` -> ``embed_dims`` (ActionFormer's embedding)."""

    def __init__(self, in_channels: int, embed_dims: int, num_convs: int = 2, kernel_size: int = 3) -> None:
        super().__init__()
        dims = [in_channels] + [embed_dims] * num_convs
        self.blocks = nn.ModuleList([MaskedConvBlock(a, b, kernel_size) for a, b in zip(dims, dims[1:])])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x, mask)
        return x
