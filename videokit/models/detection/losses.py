"""Losses of the dense detector, registered so a config names them."""
from __future__ import annotations

import torch
from mmaction.registry import MODELS
from torch import nn
from torchvision.ops import sigmoid_focal_loss


def diou_loss_1d(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1D distance-IoU loss between (left, right) distances from the same point, summed."""
    left = torch.min(pred[:, 0], target[:, 0])
    right = torch.min(pred[:, 1], target[:, 1])
    inter = (left + right).clamp(min=0)
    union = pred.sum(1) + target.sum(1) - inter
    iou = inter / union.clamp(min=1e-6)
    enclose = torch.max(pred[:, 0], target[:, 0]) + torch.max(pred[:, 1], target[:, 1])
    centre_gap = ((pred[:, 1] - pred[:, 0]) - (target[:, 1] - target[:, 0])) / 2
    return (1 - iou + centre_gap.pow(2) / enclose.clamp(min=1e-6).pow(2)).sum()


@MODELS.register_module()
class TemporalFocalLoss(nn.Module):
    """Sigmoid focal loss over (positions, classes), summed (normalised by the detector)."""

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0) -> None:
        super().__init__()
        self.alpha, self.gamma = alpha, gamma

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return sigmoid_focal_loss(logits, targets, alpha=self.alpha, gamma=self.gamma, reduction="sum")


@MODELS.register_module()
class TemporalDIoULoss(nn.Module):
    """1D DIoU loss of (left, right) distances, summed."""

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return diou_loss_1d(pred, target)
