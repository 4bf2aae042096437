"""One owner for time on a video (:mod:`videokit.annotations.timeline`): the rule on its edge cases, and the former
owners' callers agreeing with it and with each other (the frame-label format, the workflow targets, agreement's
kappa; parents as the tool readers and predict link them; tIoU in agreement, detection mAP and segmental F1)."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.annotations import AnnotationSet, Segment, Taxonomy, VideoAnnotation
from videokit.annotations.formats.frames import label_arrays
from videokit.annotations.model import ClassInfo, Level
from videokit.annotations.online_targets import current_labels
from videokit.annotations.timeline import labels_at, link_by_time, sample_times, tiou, video_file
from videokit.evaluation import agreement, detection_map
from videokit.evaluation.workflow import segment_matches

TAXONOMY = Taxonomy("t", [Level("phase", {k: ClassInfo(k, f"p{k}") for k in range(6)}),
                          Level("step", {k: ClassInfo(k, f"s{k}") for k in range(6)})])


def _video(segments, duration=6.0, level="step"):
    return VideoAnnotation("v", "v.mp4", duration, 1.0, "test", [], [Segment(level, c, s, e) for s, e, c in segments])


#: (segments as (start, end, class), the labels at t = 0, 1, ..., 6 s)
EDGES = {
    "a segment's end is not inside it": ([(0.0, 2.0, 5)], [5, 5, -1, -1, -1, -1, -1]),
    "two segments meeting: the second holds the meeting time": ([(0.0, 2.0, 1), (2.0, 4.0, 2)],
                                                                [1, 1, 2, 2, -1, -1, -1]),
    "an overlap: the later start wins": ([(0.0, 5.0, 1), (2.0, 3.0, 2)], [1, 1, 2, 1, 1, -1, -1]),
    "the same start: the later in the list wins": ([(1.0, 3.0, 1), (1.0, 2.0, 2)], [-1, 2, 1, -1, -1, -1, -1]),
    "zero length: the step at its start": ([(0.0, 4.0, 1), (2.5, 2.5, 3)], [1, 1, 3, 1, -1, -1, -1]),
    "zero length on a sample time": ([(3.0, 3.0, 4)], [-1, -1, -1, 4, -1, -1, -1]),
    "a sub-step segment holds no sample": ([(1.2, 1.7, 2)], [-1, -1, -1, -1, -1, -1, -1]),
    "a segment past the end": ([(5.0, 9.0, 1)], [-1, -1, -1, -1, -1, 1, 1]),
}


@pytest.mark.parametrize("case", sorted(EDGES))
def test_every_owner_of_the_label_at_a_time_gives_the_same_answer(case):
    segments, expected = EDGES[case]
    times = sample_times(6.0, 1.0)
    assert labels_at(segments, times).tolist() == expected
    video = _video(segments)
    annotations = AnnotationSet(TAXONOMY, {"v": video}, "test")
    # the frame-label format (--to frames): the array's length is the grid's
    assert label_arrays(annotations, "step", 1.0)["v"][:7].tolist() == expected
    # the workflow targets of online recognition
    assert current_labels(video, "step", times).tolist() == expected
    # agreement's kappa grid: against a second annotator who marked nothing, the seconds the two disagree on are
    # exactly those a segment holds under the rule
    nothing = AnnotationSet(TAXONOMY, {"v": _video([])}, "b")
    (level,) = agreement.compare(annotations, nothing, levels=["step"])
    said = {t for _, run in level.disagreements.iterrows() for t in range(int(run["start"]), int(run["end"]))}
    assert {t for t in said if t <= 6} == {t for t, label in enumerate(expected) if label != -1}


def test_parents_are_linked_by_one_rule_in_the_readers_and_in_predict():
    """The longest coarser segment holding the middle (a largest-overlap rule picked the other one here)."""
    video = VideoAnnotation("v", "v.mp4", 20.0, 1.0, None, [], [
        Segment("phase", 0, 0.0, 12.0), Segment("phase", 1, 8.0, 11.0),
        Segment("step", 0, 10.5, 16.0)])  # middle 13.25: held by no phase; phase 0 overlaps it by 1.5 s
    assert link_by_time(video, ["phase", "step"]) == [] and video.segments[2].parent is None
    held = VideoAnnotation("v", "v.mp4", 20.0, 1.0, None, [], [
        Segment("phase", 0, 0.0, 4.0), Segment("phase", 1, 4.5, 5.5), Segment("phase", 2, 5.5, 20.0),
        Segment("step", 0, 0.0, 10.0)])  # middle 5: phase 1 holds it (phase 2 overlaps most: 4.5 s)
    assert link_by_time(held, ["phase", "step"]) == [] and held.segments[3].parent == 1
    twice = VideoAnnotation("v", "v.mp4", 20.0, 1.0, None, [], [
        Segment("phase", 0, 0.0, 10.0), Segment("phase", 1, 4.0, 16.0), Segment("step", 0, 8.0, 12.0)])
    ambiguous = link_by_time(twice, ["phase", "step"])
    assert ambiguous == [twice.segments[2]] and twice.segments[2].parent == 1  # both hold 10 s: the longer one


def test_one_tiou_in_agreement_detection_and_segmental_f1():
    a = np.array([[0.0, 10.0], [5.0, 5.0], [3.0, 4.0]])
    b = np.array([[5.0, 15.0], [5.0, 5.0], [4.0, 6.0]])
    assert tiou(a, b).tolist() == [pytest.approx(1 / 3), 0.0, 0.0]
    assert tiou(a[:, None], b[None]).shape == (3, 3)
    # agreement's matching, detection's mAP and the segmental F1 count the same pair as a match at 1/3
    match = agreement.match([(0.0, 10.0, 1)], [(5.0, 15.0, 1)])
    assert match == [(0, 0, pytest.approx(1 / 3))]
    found = detection_map([("v", "a", 0.0, 10.0)], [("v", "a", 5.0, 15.0, 0.9)], thresholds=(0.33, 0.34))
    assert [float(m) for m in found.mAP] == [1.0, 0.0]
    truth = np.array([0] * 10 + [-1] * 10)
    pred = np.array([-1] * 5 + [0] * 10 + [-1] * 5)
    assert segment_matches(pred, truth, 0.33) == (1, 0, 0) and segment_matches(pred, truth, 0.34) == (0, 1, 1)


def test_the_video_file_of_a_record():
    assert video_file(VideoAnnotation("a", "sub/a.avi")) == "sub/a.avi"
    assert video_file(VideoAnnotation("b", None)) == "b.mp4"
