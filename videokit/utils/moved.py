"""Older import paths kept for one release: importing one warns where the thing lives now."""
from __future__ import annotations

import warnings


def moved(old: str, new: str) -> None:
    """Warn (DeprecationWarning, at the importer's line) that module ``old`` is now ``new``."""
    warnings.warn(f"{old} moved to {new}; the old path goes in the next release", DeprecationWarning, stacklevel=3)
