"""The data path starts here: hierarchical, time-localized labels and the files that hold them.

Entry points: :func:`read_annotations`, :func:`write_annotations`, :func:`validate`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Optional

import pandas as pd

from ..utils import PathLike, checked_outputs, no_gc, written_bytes
from .errors import AnnotationError, Finding
from .formats import READERS, WRITERS, registry
from .formats._tool_files import checks_only
from .model import (
    AnnotationSet,
    ClassInfo,
    Level,
    Segment,
    Taxonomy,
    TrimmedSegment,
    VideoAnnotation,
    label_at,
    trimmed_segments,
)
from .validate import ValidationReport, validate


def read_metadata(path: PathLike) -> pd.DataFrame:
    """A video metadata table (``video_id`` plus any of ``duration, fps, path``), as ``videokit probe`` writes."""
    from .formats._common import parse_float, read_table, row_line

    if not Path(path).exists():
        raise AnnotationError(path, None, "file", "no such metadata table; `videokit probe VIDEO_DIR -o "
                              f"{Path(path).name}` writes it from the videos")
    table = read_table(path, ["video_id"])
    for column in ("duration", "fps"):
        if column in table.columns:
            table[column] = [None if v == "" else parse_float(v, path, row_line(i), column)
                             for i, v in enumerate(table[column])]
    return table


def read_annotations(src: PathLike, fmt: str, metadata: Optional[PathLike] = None, **options: Any) -> AnnotationSet:
    """Read ``src`` in format ``fmt`` (a name of :data:`formats.FORMATS`: ``nurvid``, ``ophnet``, ``anet``, ...).

    ``options`` go to the format's reader where it takes them (:data:`formats.OPTIONS` says what each means);
    ``metadata`` names a table of durations / fps that fills what the files lack (OphNet's CSVs).
    """
    form = registry.get(fmt, src)
    kwargs = form.reader_options(options, src)
    with no_gc():
        annotations = READERS[fmt](src, **kwargs)
    if metadata is not None:
        annotations.apply_metadata(read_metadata(metadata))
    return annotations


def write_annotations(annotations: AnnotationSet, out: PathLike, fmt: str, **options: Any) -> None:
    """Write ``annotations`` to ``out`` in format ``fmt``; atomic: a failure leaves nothing at ``out``.

    ``options`` go to the format's writer where it takes them. What is written is read back with the format's
    reader before it is moved into place: a file videokit would refuse is one error here, and nothing is written."""
    form = registry.get(fmt, out, reading=False)
    kwargs = form.writer_options(options, out)
    try:
        with no_gc(), checked_outputs(_read_back(form, out, kwargs)):
            WRITERS[fmt](annotations, out, **kwargs)
    except OSError as exc:  # a full disk, a folder without write permission: the user's to fix, and nothing written
        raise AnnotationError(out, None, "file", f"cannot be written ({exc.strerror or exc})") from None


def _read_back(form: registry.Format, out: PathLike, options: Dict[str, Any]) -> Callable[[Path, Path], None]:
    """The check that reads the temporary output of ``form`` back (the final file only, not helpers' files)."""
    reader = form.read_back or form.read
    reader_options = dict(form.read_back_defaults)
    reader_options.update({key: options[key] for key in form.read_back_options if options.get(key) is not None})
    final = Path(out).absolute()

    def check(tmp: Path, target: Path) -> None:
        if reader is None or target.absolute() != final or reader_options.get("style") == "clips":
            return
        if tmp.is_file() and _blank(tmp):  # nothing to list (an empty split): nothing to refuse
            return
        try:
            with checks_only():  # the set read is thrown away: every check, nothing built after them
                reader(tmp, **reader_options)
        except AnnotationError as exc:
            found = exc.finding
            raise AnnotationError(out, found.record, found.field, "videokit would write what it cannot read back "
                                  f"({found.message}); nothing written", found.value) from None
    return check


def _blank(path: Path) -> bool:
    data = written_bytes(path)
    data = path.read_bytes() if data is None else data
    return not data or data.isspace()


__all__ = ["AnnotationError", "AnnotationSet", "ClassInfo", "Finding", "Level", "Segment", "Taxonomy",
           "TrimmedSegment", "ValidationReport", "VideoAnnotation", "label_at", "read_annotations",
           "read_metadata", "trimmed_segments", "validate", "write_annotations"]
