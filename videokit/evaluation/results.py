"""Detection results files (ActivityNet format) and their checks against the ground truth.

``{"results": {video: [{"label": str, "segment": [start, end], "score": float}]}}``.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

from ..annotations import AnnotationError, AnnotationSet, trimmed_segments
from ..annotations.formats._common import parse_float, parse_segment, read_json, require
from ..utils import PathLike


def read_results(path: PathLike) -> List[Tuple[str, str, float, float, float]]:
    """Rows ``(video, label, start, end, score)`` of an ActivityNet results file."""
    file = str(path)
    data = read_json(path)
    results = require(data, "results", file, "top", dict)
    rows = []
    for video, items in results.items():
        if not isinstance(items, list):
            raise AnnotationError(file, f"results.{video}", "results", "expected a list of detections", items)
        for i, item in enumerate(items):
            where = f"results.{video}[{i}]"
            label = require(item, "label", file, where)
            if not isinstance(label, (str, int)) or isinstance(label, bool):
                raise AnnotationError(file, where, "label", "expected a class name", label)
            start, end = parse_segment(require(item, "segment", file, where), file, where)
            score = parse_float(require(item, "score", file, where), file, where, "score")
            rows.append((str(video), str(label), float(start), float(end), score))
    return rows


def ground_truth_rows(annotations: AnnotationSet, level: Optional[str] = None,
                      subset: Optional[str] = None) -> List[Tuple[str, str, float, float]]:
    """Rows ``(video, label name, start, end)`` of one level (default: the finest)."""
    level = level or annotations.levels[-1]
    names = annotations.taxonomy.class_names(level)
    return [(t.video.video_id, names[t.label], float(t.segment.start), float(t.segment.end))
            for t in trimmed_segments(annotations, level) if subset is None or t.video.split == subset]


def check_results(rows, annotations: AnnotationSet, results_file: PathLike, level: Optional[str] = None,
                  subset: Optional[str] = None):
    """Refuse predictions on videos the ground truth lacks or with labels it does not know; keep only the
    videos of ``subset``."""
    level = level or annotations.levels[-1]
    known_labels = set(annotations.taxonomy.class_names(level))
    kept = []
    for row in rows:
        video, label = row[0], row[1]
        if video not in annotations.videos:
            raise AnnotationError(results_file, f"results.{video}", "video", "not in the ground truth", video)
        if label not in known_labels:
            raise AnnotationError(results_file, f"results.{video}", "label",
                                  f"not a {level} class of the ground truth", label)
        if subset is None or annotations.videos[video].split == subset:
            kept.append(row)
    return kept
