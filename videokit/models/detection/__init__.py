"""Temporal action detection from registered parts (OpenTAD's split): projection, necks (the conv pyramid, the
pyramid the methods share), each method under its paper's name (:mod:`.actionformer`: local-attention encoder;
:mod:`.tridet`: SGP encoder and Trident head), the dense heads (:class:`DenseHead` owns targets, losses and
decoding; :class:`PointHead`), losses, assignment and post-processing; :class:`DenseTemporalDetector` composes
them from a config."""
from .actionformer import LocalAttentionPyramid
from .assigner import assign_points, default_regression_ranges, level_of_extent
from .detector import DenseTemporalDetector, TemporalActionDetector
from .heads import DenseHead, LevelOutput, PointHead
from .losses import TemporalDIoULoss, TemporalFocalLoss, diou_loss_1d
from .necks import ConvPyramid
from .postprocess import SegmentPostProcessor, hard_nms, soft_nms
from .projection import ConvProjection
from .tridet import SGPPyramid, TridentHead, expected_offset

__all__ = ["ConvProjection", "ConvPyramid", "DenseHead", "DenseTemporalDetector", "LevelOutput",
           "LocalAttentionPyramid", "PointHead", "SGPPyramid", "SegmentPostProcessor", "TemporalActionDetector",
           "TemporalDIoULoss", "TemporalFocalLoss", "TridentHead", "assign_points", "default_regression_ranges",
           "diou_loss_1d", "expected_offset", "hard_nms", "level_of_extent", "soft_nms"]
