"""Small helpers shared by every stage."""
from .atomic import atomic_output, atomic_write_text, durable_write_bytes, fsync_directory

__all__ = ["atomic_output", "atomic_write_text", "durable_write_bytes", "fsync_directory"]
