"""Checks on an :class:`AnnotationSet`: each problem becomes a :class:`Finding` naming its file and record.

Errors make a set unusable (a segment ending before it starts, an unknown class id, a video in two
splits); warnings are the quirks real files have (NurViD's durations are whole seconds, truncated,
and some segments run past them; OphNet's operations overlap) and are reported with counts.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Dict, List

import pandas as pd

from .errors import Finding
from .model import AnnotationSet, Segment, VideoAnnotation

#: durations are often whole seconds, truncated: a segment may end up to this much after one
DURATION_TOLERANCE_S = 1.0
#: two segments of a level overlap when one starts this much before the previous one ends
OVERLAP_EPS_S = 1e-6


@dataclass
class ValidationReport:
    """All findings of one validation, with counts per kind."""

    findings: List[Finding] = field(default_factory=list)

    @property
    def errors(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> Dict[tuple, int]:
        return dict(Counter((f.severity, f.code) for f in self.findings))

    def summary(self) -> pd.DataFrame:
        """One row per (severity, code): how many, and the first example."""
        rows = []
        first: Dict[tuple, Finding] = {}
        for f in self.findings:
            first.setdefault((f.severity, f.code), f)
        for (severity, code), count in sorted(self.counts().items()):
            rows.append({"severity": severity, "check": code, "count": count,
                         "example": str(first[(severity, code)])})
        return pd.DataFrame(rows, columns=["severity", "check", "count", "example"])


def _where(video: VideoAnnotation, seg: Segment, index: int):
    if seg.origin is not None:
        return seg.origin
    file = video.origin[0] if video.origin else None
    return file, f"video {video.video_id} segment {index}"


def _side_fields(segment) -> str:
    return json.dumps(segment.attrs, sort_keys=True, default=str) if segment.attrs else ""


def validate(annotations: AnnotationSet, duration_tolerance: float = DURATION_TOLERANCE_S) -> ValidationReport:
    """Check every video and segment; cross-file findings from the reader are included."""
    findings: List[Finding] = list(annotations.findings)
    taxonomy = annotations.taxonomy
    levels = taxonomy.level_names
    declared = {lvl.name: set(lvl.classes) for lvl in taxonomy.levels}
    parent_level = {lvl: taxonomy.parent_level(lvl) for lvl in levels}
    top = levels[0]
    for video in annotations:
        video_mark = len(findings)
        vfile, vrecord = video.origin if video.origin else (annotations.source, f"video {video.video_id}")
        for label in video.labels:
            if label not in declared[top]:
                findings.append(Finding("error", vfile, vrecord, top, "unknown class id", label, "unknown-id"))
        if video.duration is not None and video.duration <= 0:
            findings.append(Finding("error", vfile, vrecord, "duration", "must be > 0", video.duration,
                                    "bad-duration"))
        if video.fps is not None and video.fps <= 0:
            findings.append(Finding("error", vfile, vrecord, "fps", "must be > 0", video.fps, "bad-fps"))
        seen: Dict[tuple, List[int]] = {}  # class and times -> the segments (not duplicates) that have them
        last_end: Dict[str, tuple] = {}
        order = sorted(range(len(video.segments)), key=lambda i: (video.segments[i].start, i))
        first_of_segments = len(findings)
        for i in order:
            seg = video.segments[i]
            file, record = _where(video, seg, i)
            mark = len(findings)
            if seg.level not in declared:
                findings.append(Finding("error", file, record, "level", f"not one of {levels}", seg.level,
                                        "unknown-level"))
                continue
            if seg.label not in declared[seg.level]:
                findings.append(Finding("error", file, record, seg.level, "unknown class id", seg.label,
                                        "unknown-id"))
            if seg.start < 0:
                findings.append(Finding("error", file, record, "start", "negative time", seg.start,
                                        "negative-time"))
            if seg.end < seg.start:
                findings.append(Finding("error", file, record, "end", f"before start {seg.start}", seg.end,
                                        "end-before-start"))
            elif seg.end == seg.start:
                findings.append(Finding("warning", file, record, "end", "zero-length segment (end == start)",
                                        seg.end, "zero-length"))
            if video.duration is not None and seg.end > video.duration + duration_tolerance:
                findings.append(Finding(
                    "warning", file, record, "end",
                    f"{seg.end - video.duration:.2f} s after the video's duration {video.duration}", seg.end,
                    "beyond-duration"))
            if seg.parent is not None:
                if not 0 <= seg.parent < len(video.segments):
                    findings.append(Finding("error", file, record, "parent", "no such segment", seg.parent,
                                            "bad-parent"))
                elif video.segments[seg.parent].level != parent_level[seg.level]:
                    findings.append(Finding("error", file, record, "parent",
                                            f"is a {video.segments[seg.parent].level} segment, expected "
                                            f"{parent_level[seg.level]}", seg.parent, "bad-parent"))
            # a duplicate says nothing its twin does not: same class, times and side fields (two NurViD steps
            # with the same times are two procedure samples, told apart by their action_id); the side fields
            # are compared only where class and times already are the same
            twins = seen.setdefault((seg.level, seg.label, seg.start, seg.end), [])
            twin = next((j for j in twins if _side_fields(video.segments[j]) == _side_fields(seg)), None) \
                if twins else None
            if twin is not None:
                findings.append(Finding("warning", file, record, "segment",
                                        f"duplicate of segment {twin}", [seg.start, seg.end], "duplicate"))
            else:
                twins.append(i)
            previous = last_end.get(seg.level)
            if previous is not None and seg.start < previous[0] - OVERLAP_EPS_S:
                findings.append(Finding("warning", file, record, "start",
                                        f"overlaps the previous {seg.level} segment (ends {previous[0]})",
                                        seg.start, "overlap"))
            if previous is None or seg.end > previous[0]:
                last_end[seg.level] = (seg.end, i)
            if len(findings) > mark:
                findings[mark:] = [replace(f, video=video.video_id, segment=i) for f in findings[mark:]]
        findings[video_mark:first_of_segments] = [replace(f, video=video.video_id)
                                                  for f in findings[video_mark:first_of_segments]]
    return ValidationReport(findings)
