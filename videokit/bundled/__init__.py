"""The converted NurViD and OphNet annotations shipped with the package (what ``annotations/`` at the top of the
repository links to), so that the stock configs' default paths work from an installed copy too.

A stock config names them relative to the working directory (``annotations/nurvid/annotations.json``), as
mmaction2's configs name ``data/...``: a file there wins (a user's own conversion), else the bundled copy.
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

ROOT = Path(__file__).resolve().parent


def resolve_data(path: Union[str, Path]) -> str:
    """``path`` where it exists; else, for a relative ``annotations/...`` path, the copy bundled here (if any)."""
    given = Path(path)
    if given.exists() or given.is_absolute() or given.parts[:1] != ("annotations",):
        return str(path)
    bundled = ROOT / given
    return str(bundled) if bundled.exists() else str(path)
