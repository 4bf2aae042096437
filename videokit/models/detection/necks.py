"""Encoders / necks: a projected sequence to a temporal pyramid, level ``l`` at stride ``2**l``.

- :class:`ConvPyramid`: max-pool + residual masked conv per level;
- :class:`BlockPyramid`: blocks at full resolution, then max-pool + one block per level, the pyramid that
  ActionFormer's encoder (:mod:`.actionformer`) and TriDet's (:mod:`.tridet`) share.

Each returns ``[(features_l, mask_l)]``; padded positions are zero and never change valid outputs.
"""
from __future__ import annotations

from typing import List, Tuple

import torch
from mmaction.registry import MODELS
from torch import nn

from .blocks import MaskedConvBlock, downsample

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
