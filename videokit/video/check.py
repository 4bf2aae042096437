"""Is a video usable? Open it, index it, and decode its first and last frames."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from .decode import BrokenVideoError, PyAVReader


def check_video(path: Union[str, Path]) -> Optional[str]:
    """``None`` for a readable video, else why not (missing, empty, truncated, not a video)."""
    try:
        reader = PyAVReader(path)
        try:
            reader.get_frames([0, reader.num_frames - 1])
        finally:
            reader.close()
    except BrokenVideoError as exc:
        return exc.reason
    return None
