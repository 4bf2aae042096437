"""Subtitles out (WebVTT ``.vtt``, SubRip ``.srt``): one cue per segment of a level (default: the finest
with segments), its text the chain of classes above it, "Procedure › Step", so any video player shows the
labels. A folder with one file per video, named after it. Write-only: subtitles hold no ids or hierarchy.
"""
from __future__ import annotations

from typing import List, Optional

from ..errors import AnnotationError
from ..model import AnnotationSet, label_at
from ._tool_files import write_video_files

SEPARATOR = " › "


def _stamp(seconds: float, decimal: str) -> str:
    ms = int(round(max(seconds, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{decimal}{ms:03d}"


def cues(annotations: AnnotationSet, video, level: Optional[str] = None) -> List[tuple]:
    """``(start, end, text)`` per segment of ``level``, in time order."""
    levels = annotations.levels
    if level is None:
        level = next((lvl for lvl in reversed(levels) if video.segments_at(lvl)), levels[-1])
    out = []
    for seg in sorted(video.segments_at(level), key=lambda s: (s.start, s.end)):
        chain = []
        for name in levels[: levels.index(level) + 1]:
            label = label_at(video, seg, name, levels)
            if label is not None:
                chain.append(annotations.taxonomy.level(name).class_name(label))
        out.append((float(seg.start), float(seg.end), SEPARATOR.join(chain)))
    return out


def document(annotations: AnnotationSet, video, kind: str = "vtt", level: Optional[str] = None) -> str:
    """One video's subtitle file (``kind``: ``vtt`` or ``srt``)."""
    lines = ["WEBVTT", ""] if kind == "vtt" else []
    for n, (start, end, text) in enumerate(cues(annotations, video, level), start=1):
        if kind == "srt":
            lines += [str(n), f"{_stamp(start, ',')} --> {_stamp(end, ',')}", text, ""]
        else:
            lines += [f"{_stamp(start, '.')} --> {_stamp(end, '.')}", text, ""]
    return "\n".join(lines)


def _write(annotations: AnnotationSet, out, kind: str, level: Optional[str], subset: Optional[str]) -> None:
    if level is not None and level not in annotations.levels:
        raise AnnotationError(out, None, "level", f"expected one of {annotations.levels}", level)
    write_video_files(out, annotations.subset(subset), f".{kind}",
                      lambda video: document(annotations, video, kind, level))


def write_vtt(annotations: AnnotationSet, out, level: Optional[str] = None, subset: Optional[str] = None) -> None:
    _write(annotations, out, "vtt", level, subset)


def write_srt(annotations: AnnotationSet, out, level: Optional[str] = None, subset: Optional[str] = None) -> None:
    _write(annotations, out, "srt", level, subset)
