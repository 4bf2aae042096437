"""Stage 1 of the data path: hierarchical, time-localized labels and the files that hold them.

Entry points: :func:`read_annotations`, :func:`write_annotations`, :func:`validate`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

import pandas as pd

from ..utils import no_gc
from .errors import AnnotationError, Finding
from .formats import READERS, WRITERS
from .model import (AnnotationSet, ClassInfo, Level, Segment, Taxonomy, TrimmedSegment, VideoAnnotation,
                    label_at, trimmed_segments)
from .validate import ValidationReport, validate

PathLike = Union[str, Path]


def read_metadata(path: PathLike) -> pd.DataFrame:
    """A video metadata table (``video_id`` plus any of ``duration, fps, path``), as ``videokit probe`` writes."""
    from .formats._common import parse_float, read_table, row_line

    table = read_table(path, ["video_id"])
    for column in ("duration", "fps"):
        if column in table.columns:
            table[column] = [None if v == "" else parse_float(v, path, row_line(i), column)
                             for i, v in enumerate(table[column])]
    return table


def read_annotations(src: PathLike, fmt: str, metadata: Optional[PathLike] = None, **options: Any) -> AnnotationSet:
    """Read ``src`` in format ``fmt`` (``nurvid``, ``ophnet``, ``anet``, ``mmaction``, ``canonical``).

    ``metadata`` names a table of durations / fps that fills what the files lack (OphNet's CSVs).
    """
    if fmt not in READERS:
        raise AnnotationError(src, None, "format", f"unknown source format, expected one of {sorted(READERS)}", fmt)
    with no_gc():
        annotations = READERS[fmt](src, **options)
    if metadata is not None:
        annotations.apply_metadata(read_metadata(metadata))
    return annotations


def write_annotations(annotations: AnnotationSet, out: PathLike, fmt: str, **options: Any) -> None:
    """Write ``annotations`` to ``out`` in format ``fmt``; atomic: a failure leaves nothing at ``out``."""
    if fmt not in WRITERS:
        raise AnnotationError(out, None, "format", f"unknown target format, expected one of {sorted(WRITERS)}", fmt)
    with no_gc():
        WRITERS[fmt](annotations, out, **options)


__all__ = ["AnnotationError", "AnnotationSet", "ClassInfo", "Finding", "Level", "Segment", "Taxonomy",
           "TrimmedSegment", "ValidationReport", "VideoAnnotation", "label_at", "read_annotations",
           "read_metadata", "trimmed_segments", "validate", "write_annotations"]
