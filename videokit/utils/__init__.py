"""Small helpers shared by every stage."""
from .atomic import atomic_output, atomic_write_text

__all__ = ["atomic_output", "atomic_write_text"]
