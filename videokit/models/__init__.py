"""Stage 4: what mmaction2 lacks, registered in its MODELS: the multi-level head and the temporal
action detector.

Backbones, recognizers and single-level heads are mmaction2's own, used from configs.
"""
from .detector import TemporalActionDetector
from .heads import MultiLevelHead

__all__ = ["MultiLevelHead", "TemporalActionDetector"]
