"""Glue between videokit and mmengine's Runner. Importing it makes mmengine checkpoints load safely."""
from .checkpoint import CheckpointRefused, allow_mmengine_checkpoints

allow_mmengine_checkpoints()

__all__ = ["CheckpointRefused", "allow_mmengine_checkpoints"]
