"""Small helpers shared by every stage."""
from .atomic import (
    FolderWrite,
    atomic_output,
    atomic_write_text,
    checked_outputs,
    durable_write_bytes,
    fsync_directory,
    write_folder,
    written_bytes,
)
from .bulk import no_gc
from .hashing import file_sha256
from .pathlike import PathLike
from .workers import count_cpus

__all__ = ["FolderWrite", "PathLike", "atomic_output", "atomic_write_text", "checked_outputs", "count_cpus",
           "durable_write_bytes", "file_sha256", "fsync_directory", "no_gc", "write_folder", "written_bytes"]
