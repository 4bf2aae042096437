"""Each validation check on a small set built for it."""
from __future__ import annotations

import pytest

from videokit.annotations import AnnotationSet, ClassInfo, Level, Segment, Taxonomy, VideoAnnotation, validate


def make(segments, duration=10.0, labels=(0,), **video):
    taxonomy = Taxonomy("t", [Level("task", {0: ClassInfo(0, "a")}),
                              Level("step", {0: ClassInfo(0, "s0", parents=(0,)), 1: ClassInfo(1, "s1")})])
    v = VideoAnnotation("v", "v.mp4", duration, 25.0, "train", list(labels), segments, **video)
    return AnnotationSet(taxonomy, {"v": v}, "mem.json")


def codes(annotations):
    return sorted((f.severity, f.code) for f in validate(annotations).findings)


def test_clean_set_has_no_findings():
    assert codes(make([Segment("step", 0, 0.0, 2.0), Segment("step", 1, 2.0, 4.0)])) == []


@pytest.mark.parametrize("segments,expected", [
    ([Segment("step", 5, 0.0, 2.0)], [("error", "unknown-id")]),
    ([Segment("stage", 0, 0.0, 2.0)], [("error", "unknown-level")]),
    ([Segment("step", 0, 3.0, 2.0)], [("error", "end-before-start")]),
    ([Segment("step", 0, 2.0, 2.0)], [("warning", "zero-length")]),
    ([Segment("step", 0, -1.0, 2.0)], [("error", "negative-time")]),
    ([Segment("step", 0, 5.0, 10.9)], []),  # within the 1 s tolerance of a truncated duration
    ([Segment("step", 0, 5.0, 11.5)], [("warning", "beyond-duration")]),
    ([Segment("step", 0, 0.0, 5.0), Segment("step", 1, 4.0, 6.0)], [("warning", "overlap")]),
    ([Segment("step", 0, 0.0, 5.0), Segment("step", 0, 0.0, 5.0)], [("warning", "duplicate"), ("warning", "overlap")]),
    ([Segment("step", 0, 0.0, 5.0, parent=4)], [("error", "bad-parent")]),
    ([Segment("step", 0, 0.0, 5.0), Segment("step", 1, 1.0, 2.0, parent=0)], [("error", "bad-parent"),
                                                                              ("warning", "overlap")]),
])
def test_segment_checks(segments, expected):
    assert codes(make(segments)) == expected


def test_a_duplicate_has_its_twins_class_times_and_side_fields():
    """Same class and times but other side fields (two NurViD samples told apart by their action_id) are no
    duplicates; each duplicate names the first segment it repeats."""
    segments = [Segment("step", 0, 0.0, 5.0, attrs={"action_id": side}) for side in (1, 2, 2, 1)] + \
        [Segment("step", 0, 0.0, 5.0), Segment("step", 0, 0.0, 5.0)]
    found = [(f.segment, f.message) for f in validate(make(segments)).findings if f.code == "duplicate"]
    assert found == [(2, "duplicate of segment 1"), (3, "duplicate of segment 0"), (5, "duplicate of segment 4")]


def test_video_checks():
    assert codes(make([], labels=(3,))) == [("error", "unknown-id")]
    assert codes(make([], duration=0.0)) == [("error", "bad-duration")]


def test_findings_name_file_record_field_and_value():
    annotations = make([Segment("step", 0, 3.0, 2.0, origin=("gt.json", "video v annotations[0]"))])
    (finding,) = validate(annotations).findings
    assert str(finding) == "gt.json:video v annotations[0]: end: before start 3.0 (2.0)"


def test_summary_counts_by_check():
    annotations = make([Segment("step", 0, 0.0, 5.0), Segment("step", 1, 4.0, 6.0), Segment("step", 1, 5.5, 7.0)])
    report = validate(annotations)
    assert report.ok
    table = report.summary()
    assert table.to_dict("records")[0]["count"] == 2 and table.to_dict("records")[0]["check"] == "overlap"
