"""Frame-level workflow metrics on small made timelines, with the published conventions (MS-TCN's eval.py)
and their alternatives computed by hand."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.evaluation.workflow import (
    edit_score,
    frame_accuracy,
    label_runs,
    segment_matches,
    segmental_f1,
    workflow_report,
)

TRUTH = np.array([0, 0, 0, 0, 1, 1, 1, 1, -1, 2, 2, 2])
PRED = np.array([0, 0, 0, 1, 1, 1, 0, 1, -1, 2, 2, 2])


def test_runs_and_frame_accuracy():
    assert label_runs(TRUTH) == [(0, 0, 4), (1, 4, 8), (2, 9, 12)]
    assert frame_accuracy(PRED, TRUTH) == pytest.approx(10 / 12)  # published: every frame, background too
    assert frame_accuracy(PRED, TRUTH, ignore=-1) == pytest.approx(9 / 11)  # option: background left out
    # a background frame predicted as a phase costs under the published convention only
    wrong_bg = PRED.copy()
    wrong_bg[8] = 1
    assert frame_accuracy(wrong_bg, TRUTH) == pytest.approx(9 / 12)
    assert frame_accuracy(wrong_bg, TRUTH, ignore=-1) == pytest.approx(9 / 11)


def test_edit_score():
    # predicted runs 0 1 0 1 2 vs true 0 1 2: two insertions -> 1 - 2/5
    assert edit_score(PRED, TRUTH) == pytest.approx(60.0)
    assert edit_score(TRUTH, TRUTH) == 100.0


def test_segmental_f1():
    # predicted runs: 0[0,3) IoU .75 with 0[0,4): TP at 10/25/50; 1[3,6) IoU 2/5 with 1[4,8); 0[6,7) no;
    # 1[7,8) IoU 1/4 but the best 1-segment is already used at low k; 2[9,12) TP
    assert segment_matches(PRED, TRUTH, 0.1) == (3, 2, 0)
    assert segment_matches(PRED, TRUTH, 0.5) == (2, 3, 1)
    assert segmental_f1(PRED, TRUTH, 0.1) == pytest.approx(2 * (3 / 5) * 1 / (3 / 5 + 1) * 100)
    assert segmental_f1(PRED, TRUTH, 0.5) == pytest.approx(2 * (2 / 5) * (2 / 3) / (2 / 5 + 2 / 3) * 100)


def test_report_published_defaults():
    report = workflow_report([PRED, TRUTH], [TRUTH, TRUTH])
    assert report["frame_accuracy"] == pytest.approx(22 / 24)
    assert report["edit"] == pytest.approx(80.0)  # mean over videos: (60 + 100) / 2
    # pooled at 0.5: tp 2+3, fp 3+0, fn 1+0 -> P 5/8, R 5/6
    assert report["F1@50"] == pytest.approx(200 * (5 / 8) * (5 / 6) / (5 / 8 + 5 / 6))
    assert set(report) == {"frame_accuracy", "edit", "F1@10", "F1@25", "F1@50", "num_videos"}
    assert report["num_videos"] == 2


def test_pooled_and_per_video_f1_differ():
    """One long video with many segments, all found, and one short video with one segment, missed:
    pooled F1 weighs every segment once, the per-video mean weighs the videos."""
    long_truth = np.repeat(np.arange(8), 5)  # 8 segments of 5 frames
    short_truth = np.array([3, 3, 3, 3])
    short_pred = np.array([5, 5, 5, 5])  # one FP and one FN
    pooled = workflow_report([long_truth, short_pred], [long_truth, short_truth], overlaps=(0.5,))
    per_video = workflow_report([long_truth, short_pred], [long_truth, short_truth], overlaps=(0.5,),
                                f1_average="video")
    # pooled: tp 8, fp 1, fn 1 -> P = R = 8/9 -> F1 88.9; per video: (100 + 0) / 2 = 50
    assert pooled["F1@50"] == pytest.approx(100 * 8 / 9)
    assert per_video["F1@50"] == pytest.approx(50.0)
    assert pooled["edit"] == per_video["edit"] == pytest.approx(50.0)
    with pytest.raises(ValueError, match="f1_average"):
        workflow_report([PRED], [TRUTH], f1_average="mean")


def test_background_option_in_report():
    report = workflow_report([PRED], [TRUTH], ignore=-1)
    assert report["frame_accuracy"] == pytest.approx(9 / 11)
