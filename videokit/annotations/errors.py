"""Errors and findings about annotation files, all in one printable shape.

Every message reads ``file:record: field: message (value)`` so that an annotator can jump
straight to the offending row of the offending file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


def _location(file: Optional[str], record: Optional[str]) -> str:
    where = str(file) if file else "<input>"
    return f"{where}:{record}" if record not in (None, "") else where


def _shown(value: Any) -> str:
    """The value as a short text: strings quoted and cut, containers summarized by their start."""
    if isinstance(value, str):
        text = repr(value[:100])
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 30:
        text = f"an integer of {len(str(abs(value))) if abs(value) < 10 ** 4000 else 'thousands of'} digits"
    elif isinstance(value, (dict, list, tuple)):
        text = _container(value)
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _container(value: Any) -> str:
    """A short view of a JSON container (a deep or huge one is never printed whole)."""
    if isinstance(value, dict):
        keys = list(value)[:4]
        inner = ", ".join(f"{k[:20]!r}: ..." if isinstance(k, str) else "..." for k in keys)
        return "{" + inner + (", ..." if len(value) > 4 else "") + "}"
    items = [_shown(v) if not isinstance(v, (dict, list, tuple)) else "..." for v in value[:4]]
    return "[" + ", ".join(items) + (", ..." if len(value) > 4 else "") + "]"


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


#: warnings that say something of the file was not carried into the annotations, or was guessed: the commands
#: that read annotations print these (grouped); the rest (overlaps, zero-length segments ...) stay behind
#: ``videokit validate``
NOT_CARRIED_OR_GUESSED = {
    "fields-not-exported": "side fields the export form does not keep",
    "task-left-out": "tasks left out",
    "unmapped-tier": "tiers that map to no level",
    "unused-attribute": "attributes not read",
    "empty-value": "segments without a value, left out",
    "ambiguous-parent": "parents guessed by time",
    "split-overlap": "splits guessed",
}


def summarize(findings, codes=NOT_CARRIED_OR_GUESSED) -> List[str]:
    """One line per kind of ``codes`` among ``findings``: its count, what it means and its first example; and one
    line counting the other warnings (``videokit validate`` lists them)."""
    by_code: Dict[str, List[Finding]] = {}
    others: Dict[str, int] = {}
    for finding in findings:
        if finding.severity != "warning":
            continue
        if finding.code in codes:
            by_code.setdefault(finding.code, []).append(finding)
        else:
            others[finding.code or "other"] = others.get(finding.code or "other", 0) + 1
    lines = [f"warning: {len(found)} x {code} ({codes[code]}), first: {found[0]}" for code, found in by_code.items()]
    if others:
        kinds = ", ".join(f"{count} {code}" for code, count in sorted(others.items(), key=lambda kv: -kv[1]))
        lines.append(f"{sum(others.values())} other warning(s) ({kinds}): `videokit validate` lists them")
    return lines
