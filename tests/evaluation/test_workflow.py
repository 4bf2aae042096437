"""Frame-level workflow metrics on small made timelines."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.evaluation.workflow import edit_score, frame_accuracy, label_runs, segmental_f1, workflow_report

TRUTH = np.array([0, 0, 0, 0, 1, 1, 1, 1, -1, 2, 2, 2])
PRED = np.array([0, 0, 0, 1, 1, 1, 0, 1, -1, 2, 2, 2])


def test_runs_and_frame_accuracy():
    assert label_runs(TRUTH) == [(0, 0, 4), (1, 4, 8), (2, 9, 12)]
    assert frame_accuracy(PRED, TRUTH) == pytest.approx(9 / 11)  # the background frame is left out


def test_edit_score():
    # predicted runs 0 1 0 1 2 vs true 0 1 2: two insertions -> 1 - 2/5
    assert edit_score(PRED, TRUTH) == pytest.approx(60.0)
    assert edit_score(TRUTH, TRUTH) == 100.0


def test_segmental_f1():
    # predicted runs: 0[0,3) IoU .75 with 0[0,4): TP at 10/25/50; 1[3,6) IoU 2/5 with 1[4,8); 0[6,7) no;
    # 1[7,8) IoU 1/4 but the best 1-segment is already used at low k; 2[9,12) TP
    assert segmental_f1(PRED, TRUTH, 0.1) == pytest.approx(2 * (3 / 5) * 1 / (3 / 5 + 1) * 100)
    assert segmental_f1(PRED, TRUTH, 0.5) == pytest.approx(2 * (2 / 5) * (2 / 3) / (2 / 5 + 2 / 3) * 100)


def test_report():
    report = workflow_report([PRED, TRUTH], [TRUTH, TRUTH])
    assert report["frame_accuracy"] == pytest.approx(20 / 22)
    assert report["edit"] == pytest.approx(80.0)
    assert set(report) == {"frame_accuracy", "edit", "F1@10", "F1@25", "F1@50"}
