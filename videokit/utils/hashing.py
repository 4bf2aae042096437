"""The SHA-256 of a file, read in blocks (checkpoints and downloads are large)."""
from __future__ import annotations

import hashlib

from .pathlike import PathLike

BLOCK = 1 << 20


def file_sha256(path: PathLike) -> str:
    """Hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
