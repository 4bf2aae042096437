"""A single-stage, anchor-free temporal action detector composed from registered parts, as OpenTAD
composes them: projection -> neck (temporal pyramid) -> dense head -> losses, and a post-processor.

``DenseTemporalDetector`` builds each part from its config (``in_channels``, ``embed_dims``,
``num_levels`` and ``num_classes`` are filled in when a part's config leaves them out), so a config
swaps the encoder or the head in one line:

    model = dict(type='DenseTemporalDetector', in_channels=2048, num_classes=52,
                 neck=dict(type='LocalAttentionPyramid', window_size=19), head=dict(type='TridentHead'))

Training: each level's positions are assigned by centre sampling within the level's regression range
(:mod:`.assigner`); focal loss for classes, DIoU for the (left, right) distances, normalised by the
number of positive positions. Inference: :class:`~.postprocess.SegmentPostProcessor`, segments in seconds.
"""
from __future__ import annotations

import copy
import math
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModel

from ...features.spec import to_seconds
from .assigner import assign_points, default_regression_ranges


def _part(cfg: Optional[Dict], default: str, **fill) -> torch.nn.Module:
    cfg = copy.deepcopy(dict(cfg or {}))
    cfg.setdefault("type", default)
    for key, value in fill.items():
        cfg.setdefault(key, value)
    return MODELS.build(cfg)


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
        self.num_classes, self.num_levels, self.center_radius = num_classes, num_levels, center_radius
        self.reg_weight = reg_weight
        if regression_ranges is None:
            regression_ranges = default_regression_ranges(num_levels)
        if len(regression_ranges) != num_levels:
            raise ValueError(f"{type(self).__name__}: {len(regression_ranges)} regression_ranges for "
                             f"{num_levels} levels")
        self.regression_ranges = [tuple(float(v) for v in r) for r in regression_ranges]
        self.projection = _part(projection, "ConvProjection", in_channels=in_channels, embed_dims=embed_dims)
        self.neck = _part(neck, "ConvPyramid", embed_dims=embed_dims, num_levels=num_levels)
        self.head = _part(head, "PointHead", embed_dims=embed_dims, num_classes=num_classes, num_levels=num_levels)
        self.loss_cls = _part(loss_cls, "TemporalFocalLoss")
        self.loss_reg = _part(loss_reg, "TemporalDIoULoss")
        self.test_cfg = dict(test_cfg or {})
        self.postprocess = _part(self.test_cfg, "SegmentPostProcessor")

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

    def outputs(self, x: torch.Tensor, mask: torch.Tensor):
        """Per level: logits (B, K, T_l), distances (B, 2, T_l), valid mask (B, T_l), stride."""
        pyramid = self.neck(self.projection(x, mask), mask)
        heads = self.head(pyramid)
        return [(logits, distances, m[:, 0].bool(), 2 ** level)
                for level, ((logits, distances), (_, m)) in enumerate(zip(heads, pyramid))]

    def forward(self, inputs, data_samples=None, mode: str = "tensor"):
        x, mask = self._pad(inputs)
        levels = self.outputs(x, mask)
        if mode == "loss":
            return self.loss(levels, data_samples)
        if mode == "predict":
            return self.predict(levels, data_samples)
        return levels

    # ------------------------------------------------------------------ training
    def _targets(self, segments: torch.Tensor, labels: torch.Tensor, length: int, stride: int, reg_range):
        return assign_points(segments, labels, length, stride, reg_range, self.center_radius)

    def loss(self, levels, data_samples) -> Dict[str, torch.Tensor]:
        cls_losses, reg_losses, num_pos = [], [], 0
        for level, (logits, distances, mask, stride) in enumerate(levels):
            for b, sample in enumerate(data_samples):
                cls_t, reg_t = self._targets(sample.gt_segments.to(logits.device), sample.gt_labels.to(logits.device),
                                             logits.shape[-1], stride, self.regression_ranges[level])
                valid = mask[b]
                onehot = torch.zeros_like(logits[b].t())
                pos = cls_t >= 0
                onehot[pos, cls_t[pos]] = 1.0
                cls_losses.append(self.loss_cls(logits[b].t()[valid], onehot[valid]))
                pos = pos & valid
                num_pos += int(pos.sum())
                if pos.any():
                    reg_losses.append(self.loss_reg(distances[b].t()[pos], reg_t[pos]))
        norm = max(num_pos, 1)
        loss_cls = torch.stack(cls_losses).sum() / norm
        loss_reg = (torch.stack(reg_losses).sum() / norm) if reg_losses else loss_cls.new_zeros(())
        return {"loss_cls": loss_cls, "loss_reg": self.reg_weight * loss_reg}

    # ------------------------------------------------------------------ inference
    @torch.no_grad()
    def predict(self, levels, data_samples) -> List[Dict]:
        results = []
        for b, sample in enumerate(data_samples):
            found = self.postprocess(levels, b)
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
