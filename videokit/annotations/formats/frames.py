"""Frame-level label arrays: one int16 array per video at a chosen rate, ``-1`` where no segment is.

Written as one ``.npz`` (key = video id); ``__meta__`` holds the level, rate and class names as JSON.
The label at each time is :mod:`videokit.annotations.timeline`'s rule (a segment holds ``start <= t < end``;
where segments overlap, the one that starts later wins; a zero-length segment holds the step at its start).
"""
from __future__ import annotations

import json
from typing import Dict, Optional

import numpy as np

from ...utils import atomic_output
from ..errors import AnnotationError
from ..model import AnnotationSet, trimmed_segments
from ..timeline import BACKGROUND, labels_at, sample_times
from ._common import PathLike


def label_arrays(annotations: AnnotationSet, level: Optional[str] = None, fps: float = 1.0,
                 subset: Optional[str] = None) -> Dict[str, np.ndarray]:
    """``{video_id: labels}``: the label at time ``i / fps`` for each step ``i``."""
    level = level or annotations.levels[-1]
    by_video: Dict[str, list] = {}
    for item in trimmed_segments(annotations, level):
        by_video.setdefault(item.video.video_id, []).append(item)
    arrays = {}
    for video in annotations.subset(subset):
        items = [(it.segment.start, it.segment.end, it.label) for it in by_video.get(video.video_id, [])]
        end = max([video.duration or 0.0] + [e for _, e, _ in items])
        arrays[video.video_id] = labels_at(items, sample_times(end, fps)).astype(np.int16)
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
