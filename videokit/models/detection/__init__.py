"""Temporal action detection from registered parts (OpenTAD's split): projection, necks (conv pyramid,
ActionFormer's local attention, TriDet's SGP), dense heads (point, Trident), losses, assignment and
post-processing; :class:`DenseTemporalDetector` composes them from a config."""
from .assigner import assign_points, default_regression_ranges, level_of_extent
from .detector import DenseTemporalDetector, TemporalActionDetector
from .heads import PointHead, TridentHead, expected_offset
from .losses import TemporalDIoULoss, TemporalFocalLoss, diou_loss_1d
from .necks import ConvPyramid, LocalAttentionPyramid, SGPPyramid
from .postprocess import SegmentPostProcessor, hard_nms, soft_nms
from .projection import ConvProjection

__all__ = ["ConvProjection", "ConvPyramid", "DenseTemporalDetector", "LocalAttentionPyramid", "PointHead",
           "SGPPyramid", "SegmentPostProcessor", "TemporalActionDetector", "TemporalDIoULoss", "TemporalFocalLoss",
           "TridentHead", "assign_points", "default_regression_ranges", "diou_loss_1d", "expected_offset",
           "hard_nms", "level_of_extent", "soft_nms"]
