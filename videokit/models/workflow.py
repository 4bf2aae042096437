"""A causal temporal model on step features for online workflow analysis: at each step, from that step
and the ones before it only, the current phase (classification) and the time until each phase starts
(anticipation, regressed in [0, horizon]).

Causal TCN: a 1x1 input projection, then ``num_layers`` residual blocks of dilated convolutions padded
on the left only (dilation 1, 2, 4, ...), each normalised per step over channels (LayerNorm; a norm
over time would leak the future). Optionally the elapsed time is one more input channel: a clock is
causal, and phases keep to typical times. Two 1x1 heads: phase logits, and ``horizon * sigmoid`` for
anticipation. Loss: cross-entropy (steps without a phase ignored) + ``anticipation_weight`` x smooth-L1
on targets divided by the horizon.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModel
from torch import nn


class CausalBlock(nn.Module):
    """Residual block: left-padded dilated conv -> per-step LayerNorm -> ReLU -> dropout -> 1x1 conv."""

    def __init__(self, channels: int, kernel_size: int, dilation: int, dropout: float) -> None:
        super().__init__()
        self.left_pad = (kernel_size - 1) * dilation
        self.conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation)
        self.norm = nn.LayerNorm(channels)
        self.out = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(F.pad(x, (self.left_pad, 0)))
        y = self.norm(y.transpose(1, 2)).transpose(1, 2)
        return x + self.out(self.dropout(F.relu(y)))


@MODELS.register_module()
class CausalWorkflowModel(BaseModel):
    """Online phase recognition + phase anticipation on (C, T) step features; see the module docstring."""

    def __init__(self, in_channels: int, num_classes: int, horizon: float, embed_dims: int = 128,
                 num_layers: int = 6, kernel_size: int = 3, dropout: float = 0.2, use_elapsed_time: bool = True,
                 time_scale: Optional[float] = None, anticipation_weight: float = 1.0,
                 data_preprocessor: Optional[Dict] = None, init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(type="BaseDataPreprocessor"), init_cfg=init_cfg)
        self.num_classes, self.horizon = num_classes, float(horizon)
        self.use_elapsed_time = use_elapsed_time
        self.time_scale = float(time_scale or horizon)
        self.anticipation_weight = anticipation_weight
        self.project = nn.Conv1d(in_channels + int(use_elapsed_time), embed_dims, 1)
        self.blocks = nn.ModuleList(CausalBlock(embed_dims, kernel_size, 2 ** i, dropout) for i in range(num_layers))
        self.phase_head = nn.Conv1d(embed_dims, num_classes, 1)
        self.anticipation_head = nn.Conv1d(embed_dims, num_classes, 1)
        self.receptive_field = 1 + sum((kernel_size - 1) * 2 ** i for i in range(num_layers))

    # ------------------------------------------------------------------ network
    def heads(self, x: torch.Tensor, times: Optional[torch.Tensor] = None):
        """``(phase logits, anticipation seconds)``, each (B, K, T), from features (B, C, T) and step
        times (B, T) in seconds. Output at step t depends on inputs at steps <= t only."""
        if self.use_elapsed_time:
            if times is None:
                raise ValueError("this model reads the elapsed time: pass the step times")
            x = torch.cat([x, (times / self.time_scale).unsqueeze(1).to(x.dtype)], dim=1)
        x = self.project(x)
        for block in self.blocks:
            x = block(x)
        return self.phase_head(x), self.horizon * torch.sigmoid(self.anticipation_head(x))

    def _batch(self, inputs: List[torch.Tensor], data_samples):
        """Right-pad to the longest sequence (padding after a step never reaches it in a causal model)."""
        length = max(x.shape[-1] for x in inputs)
        x = inputs[0].new_zeros((len(inputs), inputs[0].shape[0], length))
        times = inputs[0].new_zeros((len(inputs), length))
        for i, (feats, sample) in enumerate(zip(inputs, data_samples)):
            x[i, :, :feats.shape[-1]] = feats
            times[i, :feats.shape[-1]] = sample.times.to(x.device)
        return x, times

    def forward(self, inputs, data_samples=None, mode: str = "tensor"):
        x, times = self._batch(inputs, data_samples)
        logits, anticipation = self.heads(x, times)
        if mode == "loss":
            return self.loss(logits, anticipation, data_samples)
        if mode == "predict":
            return self.predict(logits, anticipation, data_samples)
        return logits, anticipation

    def loss(self, logits, anticipation, data_samples) -> Dict[str, torch.Tensor]:
        ce, reg, steps = [], [], 0
        for i, sample in enumerate(data_samples):
            length = len(sample.gt_labels)
            labels = sample.gt_labels.to(logits.device)
            if (labels >= 0).any():
                ce.append(F.cross_entropy(logits[i, :, :length].t(), labels, ignore_index=-1, reduction="sum"))
            target = sample.gt_anticipation.to(logits.device).t() / self.horizon  # (K, T)
            reg.append(F.smooth_l1_loss(anticipation[i, :, :length] / self.horizon, target, reduction="sum",
                                        beta=0.1) / self.num_classes)
            steps += length
        zero = logits.sum() * 0
        return {"loss_phase": (torch.stack(ce).sum() if ce else zero) / steps,
                "loss_anticipation": self.anticipation_weight * torch.stack(reg).sum() / steps}

    @torch.no_grad()
    def predict(self, logits, anticipation, data_samples) -> List[Dict]:
        results = []
        for i, sample in enumerate(data_samples):
            length = len(sample.times)
            results.append(dict(video_id=sample.video_id, times=sample.times.cpu().numpy(),
                                phase_scores=logits[i, :, :length].softmax(0).t().cpu().numpy(),
                                anticipation=anticipation[i, :, :length].t().cpu().numpy(),
                                gt_labels=sample.gt_labels.cpu().numpy(),
                                gt_anticipation=sample.gt_anticipation.cpu().numpy()))
        return results

    @torch.no_grad()
    def step(self, history: torch.Tensor, times: torch.Tensor):
        """Streaming: outputs at the last of ``history`` (C, T) features with ``times`` (T,), from the last
        ``receptive_field`` steps only (exactly what the whole history would give)."""
        x = history[:, -self.receptive_field:].unsqueeze(0)
        t = times[-self.receptive_field:].unsqueeze(0)
        logits, anticipation = self.heads(x, t)
        return logits[0, :, -1].softmax(0), anticipation[0, :, -1]
