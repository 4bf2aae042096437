"""A single-stage, anchor-free temporal action detector composed from registered parts, as OpenTAD
composes them: projection -> neck (temporal pyramid) -> dense head -> losses, and a post-processor.

``DenseTemporalDetector`` builds each part from its config (``in_channels``, ``embed_dims``,
``num_levels`` and ``num_classes`` are filled in when a part's config leaves them out), so a config
swaps the encoder or the head in one line:

    model = dict(type='DenseTemporalDetector', in_channels=2048, num_classes=52,
                 neck=dict(type='LocalAttentionPyramid', window_size=19), head=dict(type='TridentHead'))

The head owns its targets, losses and decoding (:class:`~.heads.DenseHead`): the detector's ``loss_cls``,
``loss_reg``, ``regression_ranges``, ``center_radius``, ``reg_weight`` and ``test_cfg`` are handed to it. The
detector pads and batches the sequences, runs the parts, and maps the decoded segments to seconds.
"""
from __future__ import annotations

import math
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModel

from ...features.spec import to_seconds
from .heads import LevelOutput, build_part


@MODELS.register_module()
class DenseTemporalDetector(BaseModel):
    """Projection + neck + dense head + losses + post-processing on (C, T) feature sequences."""

    def __init__(self, in_channels: int, num_classes: int, embed_dims: int = 256, num_levels: int = 6,
                 projection: Optional[Dict] = None, neck: Optional[Dict] = None, head: Optional[Dict] = None,
                 loss_cls: Optional[Dict] = None, loss_reg: Optional[Dict] = None,
                 regression_ranges: Optional[Sequence[Tuple[float, float]]] = None, center_radius: float = 1.5,
                 reg_weight: float = 1.0, test_cfg: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None, init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(type="BaseDataPreprocessor"), init_cfg=init_cfg)
        self.num_classes, self.num_levels = num_classes, num_levels
        self.projection = build_part(projection, "ConvProjection", in_channels=in_channels, embed_dims=embed_dims)
        self.neck = build_part(neck, "ConvPyramid", embed_dims=embed_dims, num_levels=num_levels)
        self.head = build_part(head, "PointHead", embed_dims=embed_dims, num_classes=num_classes,
                               num_levels=num_levels, loss_cls=loss_cls, loss_reg=loss_reg,
                               regression_ranges=regression_ranges, center_radius=center_radius,
                               reg_weight=reg_weight, test_cfg=dict(test_cfg or {}))

    @property
    def test_cfg(self) -> Dict:
        """The post-processing settings (the head's: it decodes)."""
        return self.head.test_cfg

    # ------------------------------------------------------------------ network
    def _pad(self, inputs: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Batch (C, T_i) sequences into (B, C, T) padded to a multiple of the deepest stride, and a mask."""
        unit = 2 ** (self.num_levels - 1)
        length = int(math.ceil(max(x.shape[-1] for x in inputs) / unit) * unit)
        x = inputs[0].new_zeros((len(inputs), inputs[0].shape[0], length))
        mask = inputs[0].new_zeros((len(inputs), 1, length))
        for i, feats in enumerate(inputs):
            x[i, :, :feats.shape[-1]] = feats
            mask[i, :, :feats.shape[-1]] = 1
        return x, mask

    def outputs(self, x: torch.Tensor, mask: torch.Tensor) -> List[LevelOutput]:
        """The head's predictions per pyramid level (:class:`~.heads.LevelOutput`)."""
        return self.head(self.neck(self.projection(x, mask), mask))

    def forward(self, inputs, data_samples=None, mode: str = "tensor"):
        x, mask = self._pad(inputs)
        levels = self.outputs(x, mask)
        if mode == "loss":
            return self.head.loss(levels, data_samples)
        if mode == "predict":
            return self.predict(levels, data_samples)
        return levels

    @torch.no_grad()
    def predict(self, levels: List[LevelOutput], data_samples) -> List[Dict]:
        results = []
        for b, sample in enumerate(data_samples):
            found = self.head.decode(levels, b)
            # feature positions back to seconds: the feature contract's mapping, the dataset's inverse
            seconds = to_seconds(found["segments"].cpu().double(), sample.time0, sample.time_step)
            results.append(dict(video_id=sample.video_id, segments=seconds, scores=found["scores"].cpu(),
                                labels=found["labels"].cpu(), gt_segments_sec=sample.gt_segments_sec.cpu(),
                                gt_labels=sample.gt_labels.cpu()))
        return results


@MODELS.register_module()
class TemporalActionDetector(DenseTemporalDetector):
    """The older name of :class:`DenseTemporalDetector` with four levels by default, kept for configs and
    checkpoints that name it; new configs name ``DenseTemporalDetector``."""

    def __init__(self, in_channels: int, num_classes: int, embed_dims: int = 256, num_levels: int = 4,
                 **kwargs) -> None:
        warnings.warn("TemporalActionDetector is DenseTemporalDetector (num_levels=4 by default); name "
                      "DenseTemporalDetector in configs", DeprecationWarning, stacklevel=2)
        super().__init__(in_channels, num_classes, embed_dims, num_levels, **kwargs)
