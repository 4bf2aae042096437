"""Errors and findings about annotation files, all in one printable shape.

Every message reads ``file:record: field: message (value)`` so that an annotator can jump
straight to the offending row of the offending file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


def _location(file: Optional[str], record: Optional[str]) -> str:
    where = str(file) if file else "<input>"
    return f"{where}:{record}" if record not in (None, "") else where


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Finding:
    """One problem found in an annotation file: an ``error`` or a ``warning``."""

    severity: str
    file: Optional[str]
    record: Optional[str]
    field: str
    message: str
    value: Any = None
    code: str = ""
    #: the video id and the index of the segment in its list, when the finding is about one
    video: Optional[str] = field(default=None, compare=False)
    segment: Optional[int] = field(default=None, compare=False)

    def __str__(self) -> str:
        tail = f" ({_shown(self.value)})" if self.value is not None else ""
        return f"{_location(self.file, self.record)}: {self.field}: {self.message}{tail}"


class AnnotationError(ValueError):
    """A file that cannot be read at all; names the file, the record and the field."""

    def __init__(self, file: Optional[str], record: Optional[str], field: str, message: str,
                 value: Any = None) -> None:
        self.finding = Finding("error", None if file is None else str(file), record, field,
                               message, value, code="read")
        super().__init__(str(self.finding))
