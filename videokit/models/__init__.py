"""Stage 4: what mmaction2 lacks, registered in its MODELS: the multi-level head, the temporal
action detector and the causal workflow model (online phase recognition + anticipation).

Backbones, recognizers and single-level heads are mmaction2's own, used from configs.
"""
from .detection import DenseTemporalDetector, TemporalActionDetector
from .multilevel_head import MultiLevelHead
from .workflow import CausalWorkflowModel

__all__ = ["CausalWorkflowModel", "DenseTemporalDetector", "MultiLevelHead", "TemporalActionDetector"]
