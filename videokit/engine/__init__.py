"""Glue between videokit and mmengine's Runner: safe checkpoint loading (applied on import) and hooks."""
from .checkpoint import CheckpointRefused, allow_mmengine_checkpoints
from .hooks import SkippedVideosHook

allow_mmengine_checkpoints()

__all__ = ["CheckpointRefused", "SkippedVideosHook", "allow_mmengine_checkpoints"]
