"""Anticipation errors (wMAE, inMAE, outMAE, eMAE, mMAE) and online recognition metrics, by hand."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.evaluation import AnticipationMetric, OnlineRecognitionMetric, anticipation_errors, per_class_f1

# the worked example of docs/workflow.md: horizon 10 s, two phases, five steps
TARGET = np.array([[10, 0], [10, 5], [6, 10], [2, 10], [0, 10]], dtype=float)
PRED = np.array([[9, 1], [10, 7], [5, 10], [4, 8], [0, 10]], dtype=float)


def test_worked_example():
    errors = anticipation_errors(PRED, TARGET, horizon=10.0)
    # phase 0: |e| = 1 0 1 2 0; out (t=10): steps 0,1 -> 0.5; in (0<t<10): steps 2,3 -> 1.5; m (1<t<9): 1.5
    # phase 1: |e| = 1 2 0 2 0; out: steps 2,3,4 -> 2/3; in: step 1 -> 2; m: step 1 -> 2
    # e (0<t<1): no step of either phase is imminent -> NaN
    assert errors["outMAE"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert errors["inMAE"] == pytest.approx((1.5 + 2) / 2)
    assert errors["wMAE"] == pytest.approx(((1.5 + 0.5) / 2 + (2 + 2 / 3) / 2) / 2)
    assert errors["mMAE"] == pytest.approx((1.5 + 2) / 2)
    assert np.isnan(errors["eMAE"])


def test_emae_is_the_imminent_window():
    """The issue's example, h = 10, one class: only the step 0.5 s before the event is in (0, 1)."""
    errors = anticipation_errors(np.array([[10.0], [7.0], [3.0]]), np.array([[10.0], [5.0], [0.5]]), 10.0)
    assert errors["eMAE"] == pytest.approx(2.5)
    assert errors["mMAE"] == pytest.approx(2.0)  # what videokit < 0.3 printed as eMAE


def test_class_without_an_imminent_step_is_left_out_of_emae():
    # class 0 has an imminent step (0.4: |1.4 - 0.4| = 1), class 1 none (its targets 10, 6, 0)
    target = np.array([[10.0, 10.0], [0.4, 6.0], [0.0, 0.0]])
    pred = np.array([[10.0, 9.0], [1.4, 2.0], [0.0, 0.0]])
    errors = anticipation_errors(pred, target, 10.0)
    assert errors["eMAE"] == pytest.approx(1.0)  # not (1 + nan) / 2, not (1 + 0) / 2
    assert errors["mMAE"] == pytest.approx(4.0)  # only class 1 has a step in (1, 9)


def test_smaller_horizon_clips_both_sides():
    errors = anticipation_errors(PRED, TARGET, horizon=5.0)
    # clipped at 5: phase 0 target 5 5 5 2 0, pred 5 5 5 4 0 -> out 0 (3 steps), in |4-2| = 2
    # phase 1 target 0 5 5 5 5, pred 1 5 5 5 5 -> out 0; no "in" step (0 < t < 5): no wMAE for phase 1
    assert errors["outMAE"] == 0.0 and errors["inMAE"] == 2.0 and errors["wMAE"] == 1.0


def test_perfect_prediction_and_shape_check():
    assert all(v == 0 or np.isnan(v) for v in anticipation_errors(TARGET, TARGET, 10.0).values())
    with pytest.raises(ValueError, match="shape"):
        anticipation_errors(PRED[:, :1], TARGET, 10.0)


def test_per_phase_f1():
    truth = np.array([0, 0, 1, 1, -1, 2])
    pred = np.array([0, 1, 1, 1, 0, 0])
    f1 = per_class_f1(pred, truth, 3)  # the -1 step is left out
    # class 0: tp 1, fp 1 (the last step), fn 1 -> 0.5; class 1: tp 2, fp 1 -> 0.8; class 2: missed -> 0
    assert f1 == {0: pytest.approx(0.5), 1: pytest.approx(0.8), 2: 0.0}


def test_registered_metrics_report_the_baseline_beside_the_model():
    metric = AnticipationMetric(horizons=(10.0, 5.0), scale=1.0)
    metric.dataset_meta = {"train_mean_anticipation": [5.0, 5.0]}
    metric.process(None, [{"anticipation": PRED, "gt_anticipation": TARGET}])
    report = metric.compute_metrics(metric.results)
    assert report["wMAE@10"] == pytest.approx(anticipation_errors(PRED, TARGET, 10.0)["wMAE"])
    constant = np.full_like(TARGET, 5.0)
    assert report["baseline_wMAE@10"] == pytest.approx(anticipation_errors(constant, TARGET, 10.0)["wMAE"])
    assert "wMAE@5" in report and "baseline_eMAE@5" in report and "mMAE@5" in report
    assert report["num_videos"] == 1 and "baseline_num_videos" not in report
    online = OnlineRecognitionMetric()
    online.dataset_meta = {"classes": ("a", "b", "c")}
    online.process(None, [{"phase_scores": np.eye(3)[[0, 1, 1, 1, 0, 0]], "gt_labels": np.array([0, 0, 1, 1, -1, 2])}])
    report = online.compute_metrics(online.results)
    assert report["accuracy"] == pytest.approx(3 / 6)  # published: every step, the -1 step too
    assert report["f1/b"] == pytest.approx(0.8) and report["num_steps"] == 6
    assert report["accuracy_labelled"] == pytest.approx(3 / 5)
    assert report["mean_f1"] == pytest.approx((0.5 + 0.8 + 0) / 3) and "edit" in report and "F1@50" in report
    option = OnlineRecognitionMetric(ignore_background=True, f1_average="video")
    option.process(None, [{"phase_scores": np.eye(3)[[0, 1, 1, 1, 0, 0]], "gt_labels": np.array([0, 0, 1, 1, -1, 2])}])
    assert option.compute_metrics(option.results)["accuracy"] == pytest.approx(3 / 5)
    with pytest.raises(ValueError, match="f1_average"):
        OnlineRecognitionMetric(f1_average="macro")
