"""What mmaction2 lacks, registered in its MODELS: the multi-level head, the temporal action detector and the
causal workflow model (online phase recognition + anticipation); and loading weights safely (:mod:`.checkpoint`:
the allow-list that makes mmengine checkpoints load under torch >= 2.6, applied once when this package is
imported, and the ``InitialWeightsHook``).

Backbones, recognizers and single-level heads are mmaction2's own, used from configs.
"""
from .checkpoint import CheckpointRefused, InitialWeightsHook
from .detection import DenseTemporalDetector, TemporalActionDetector
from .multilevel_head import MultiLevelHead
from .workflow import CausalWorkflowModel

__all__ = ["CausalWorkflowModel", "CheckpointRefused", "DenseTemporalDetector", "InitialWeightsHook", "MultiLevelHead",
           "TemporalActionDetector"]
