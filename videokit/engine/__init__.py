"""Stage 6: what ``tools/train.py``, ``tools/test.py`` and ``tools/extract_features.py`` run on mmengine's Runner
(arguments, distributed launch, feature extraction). Safe checkpoint loading is applied on import."""
from ..datasets.skipping import SkippedVideosHook
from ..models.checkpoint import CheckpointRefused, InitialWeightsHook, allow_mmengine_checkpoints

allow_mmengine_checkpoints()

__all__ = ["CheckpointRefused", "InitialWeightsHook", "SkippedVideosHook", "allow_mmengine_checkpoints"]
