"""Frame-level label arrays: one int16 array per video at a chosen rate, ``-1`` where no segment is.

Written as one ``.npz`` (key = video id); ``__meta__`` holds the level, rate and class names as JSON.
Where segments overlap, the one that starts later wins (the most recent step is the current one).
"""
from __future__ import annotations

import json
import math
from typing import Dict, Optional

import numpy as np

from ...utils import atomic_output
from ..errors import AnnotationError
from ..model import AnnotationSet, trimmed_segments
from ._common import PathLike

BACKGROUND = -1


def label_arrays(annotations: AnnotationSet, level: Optional[str] = None, fps: float = 1.0,
                 subset: Optional[str] = None) -> Dict[str, np.ndarray]:
    """``{video_id: labels}``: the label at time ``i / fps`` for each step ``i``."""
    level = level or annotations.levels[-1]
    by_video: Dict[str, list] = {}
    for item in trimmed_segments(annotations, level):
        by_video.setdefault(item.video.video_id, []).append(item)
    arrays = {}
    for video in annotations.subset(subset):
        items = sorted(by_video.get(video.video_id, []), key=lambda it: it.segment.start)
        end = max([video.duration or 0.0] + [it.segment.end for it in items])
        labels = np.full(int(math.floor(end * fps)) + 1, BACKGROUND, dtype=np.int16)
        for it in items:
            first = int(math.ceil(it.segment.start * fps))
            last = int(math.floor(it.segment.end * fps))
            labels[first:last + 1] = it.label
        arrays[video.video_id] = labels
    return arrays


def write(annotations: AnnotationSet, out: PathLike, level: Optional[str] = None, label_fps: float = 1.0,
          subset: Optional[str] = None) -> None:
    if level is not None and level not in annotations.levels:
        raise AnnotationError(out, None, "level", f"expected one of {annotations.levels}", level)
    if not label_fps or label_fps <= 0:
        raise AnnotationError(out, None, "label_fps", "must be > 0", label_fps)
    level = level or annotations.levels[-1]
    arrays = label_arrays(annotations, level, label_fps, subset)
    meta = {"level": level, "fps": label_fps, "background": BACKGROUND,
            "classes": annotations.taxonomy.class_names(level)}
    arrays["__meta__"] = np.array(json.dumps(meta, ensure_ascii=False))
    with atomic_output(out) as tmp:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, **arrays)
