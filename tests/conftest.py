"""Shared fixtures: the real annotation files beside the checkout, and small made datasets."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real_annotations"
SAMPLE_VIDEOS = SHARED / "sample_videos"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real annotations not found at {REAL}")
    return REAL
