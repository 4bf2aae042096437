"""A classification head with one classifier per taxonomy level and hierarchy-consistent inference."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from torch import nn

from ..annotations.formats.tables import read_taxonomy
from ..annotations.hierarchy_decoding import consistent_predictions
from ..bundled import resolve_data


def _pool(x: Union[torch.Tensor, Tuple[torch.Tensor, ...]], num_segs: Optional[int]) -> torch.Tensor:
    """Global average pooling for 2D (N*segs, C, H, W), 3D (N, C, T, H, W) or pooled features;
    tuples (SlowFast pathways) are pooled and concatenated; TSN segments are averaged."""
    if isinstance(x, (tuple, list)):
        return torch.cat([_pool(part, None) for part in x], dim=1)
    if x.dim() > 2:
        x = x.flatten(2).mean(-1)
    if num_segs is not None and num_segs > 1 and x.dim() == 2:
        x = x.view(-1, num_segs, x.shape[-1]).mean(1)
    return x


@MODELS.register_module()
class MultiLevelHead(BaseHead):
    """One backbone feature, one linear classifier per level (e.g. procedure + action), joint loss.

    ``gt_label`` of each sample is the vector of its class at every level (``SegmentClipDataset(
    multi_level_label=True)``); ``-1`` marks an unknown level, ignored by the loss. At inference the
    finest level's probabilities are ``pred_score``; ``pred_levels`` is the valid (parent, ..., child)
    path of the taxonomy with the highest summed log-probability, so an action never contradicts its
    procedure, and ``pred_levels_independent`` the per-level argmax, for comparison.
    """

    def __init__(self, levels: Sequence[str], taxonomy_file: str, in_channels: int,
                 level_weights: Optional[Sequence[float]] = None, dropout_ratio: float = 0.5,
                 init_std: float = 0.01, **kwargs) -> None:
        taxonomy = read_taxonomy(resolve_data(taxonomy_file))
        missing = [level for level in levels if level not in taxonomy.level_names]
        if missing:
            raise ValueError(f"{taxonomy_file}: level: {missing[0]!r} not in the table ({taxonomy.level_names})")
        num_classes = [taxonomy.level(level).num_classes for level in levels]
        kwargs.setdefault("average_clips", "prob")
        super().__init__(num_classes=num_classes[-1], in_channels=in_channels, **kwargs)
        self.levels = list(levels)
        self.level_classes = num_classes
        self.level_weights = list(level_weights or [1.0] * len(levels))
        self.register_buffer("paths", torch.as_tensor(taxonomy.class_paths(levels)), persistent=False)
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio else nn.Identity()
        self.classifiers = nn.ModuleList(nn.Linear(in_channels, n) for n in num_classes)
        self.init_std = init_std

    def init_weights(self) -> None:
        for fc in self.classifiers:
            nn.init.normal_(fc.weight, 0, self.init_std)
            nn.init.zeros_(fc.bias)

    def forward(self, x, num_segs: Optional[int] = None, **kwargs) -> List[torch.Tensor]:
        feats = self.dropout(_pool(x, num_segs))
        return [fc(feats) for fc in self.classifiers]

    def loss_by_feat(self, cls_scores: List[torch.Tensor], data_samples: SampleList) -> Dict:
        labels = torch.stack([torch.as_tensor(s.gt_label).view(-1) for s in data_samples]).to(cls_scores[0].device)
        if labels.shape[1] != len(self.levels):
            raise ValueError(f"MultiLevelHead needs a label per level ({self.levels}); got {labels.shape[1]}. "
                             "Use SegmentClipDataset(multi_level_label=True).")
        losses: Dict[str, torch.Tensor] = {}
        total = 0.0
        for i, (level, logits) in enumerate(zip(self.levels, cls_scores)):
            target = labels[:, i].long()
            if (target >= 0).any():
                loss = F.cross_entropy(logits, target, ignore_index=-1)
                total = total + self.level_weights[i] * loss
                known = target >= 0
                losses[f"acc_{level}"] = (logits[known].argmax(1) == target[known]).float().mean().detach()
        losses["loss_cls"] = total
        return losses

    def predict_by_feat(self, cls_scores: List[torch.Tensor], data_samples: SampleList) -> SampleList:
        num_segs = cls_scores[0].shape[0] // len(data_samples)
        scores = [self.average_clip(s, num_segs=num_segs) for s in cls_scores]
        if self.average_clips != "prob":  # joint decoding needs probabilities
            probs = [F.softmax(s, dim=1) for s in scores]
        else:
            probs = scores
        joint = consistent_predictions([p.detach().cpu().numpy() for p in probs], self.paths.cpu().numpy())
        independent = np.stack([p.argmax(1).cpu().numpy() for p in probs], axis=1)
        for i, sample in enumerate(data_samples):
            sample.set_pred_score(scores[-1][i])
            sample.set_pred_label(torch.as_tensor([joint[i, -1]]))
            sample.set_field([p[i].detach().cpu() for p in probs], "level_scores", field_type="metainfo")
            sample.set_field(torch.as_tensor(joint[i]), "pred_levels", field_type="metainfo")
            sample.set_field(torch.as_tensor(independent[i]), "pred_levels_independent", field_type="metainfo")
        return data_samples
