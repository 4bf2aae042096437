"""Detection mAP: hand-computed cases, agreement with mmaction2, and `videokit evaluate detection`."""
from __future__ import annotations

import json

import numpy as np
import pytest
from mmaction.evaluation.functional import average_precision_at_temporal_iou

from videokit.cli import main
from videokit.evaluation.detection import detection_map, interpolated_ap

GT = [("v1", "cut", 0.0, 10.0), ("v1", "cut", 20.0, 30.0)]


def test_matching_by_hand():
    pred = [("v1", "cut", 0.0, 10.0, 0.9),  # tIoU 1 with the first -> TP
            ("v1", "cut", 0.0, 10.0, 0.8),  # same ground truth, already taken -> FP
            ("v1", "cut", 20.0, 40.0, 0.7)]  # tIoU 0.5 with the second: TP at 0.5, FP at 0.7
    result = detection_map(GT, pred, [0.5, 0.7])
    # t=0.5: precision 1, .5, 2/3 at recall .5, .5, 1 -> .5 * 1 + .5 * 2/3
    assert result.ap["cut"] == pytest.approx([0.5 + 1 / 3, 0.5])
    assert result.average_mAP == pytest.approx((0.5 + 1 / 3 + 0.5) / 2)


def test_class_without_predictions_counts_zero_and_unknown_video_is_a_false_positive():
    gt = GT + [("v2", "suture", 5.0, 8.0)]
    pred = [("v1", "cut", 0.0, 10.0, 0.9), ("v3", "cut", 20.0, 30.0, 0.95)]  # v3 has no ground truth
    result = detection_map(gt, pred, [0.5])
    assert result.ap["suture"].tolist() == [0.0]
    # cut: FP (score .95) then TP: precision .5 at recall .5
    assert result.ap["cut"] == pytest.approx([0.25])
    assert result.mAP == pytest.approx([0.125])


def test_duplicate_and_zero_length_ground_truth():
    gt = [("v1", "cut", 0.0, 10.0), ("v1", "cut", 0.0, 10.0), ("v1", "cut", 12.0, 12.0)]
    pred = [("v1", "cut", 0.0, 10.0, 0.9)]
    assert detection_map(gt, pred, [0.5]).mAP == pytest.approx([1 / 3])  # official: 3 instances to find
    assert detection_map(gt, pred, [0.5], drop_degenerate=True).mAP == pytest.approx([1.0])


def test_score_ties_keep_input_order():
    gt = [("v1", "cut", 0.0, 10.0)]
    miss, hit = ("v1", "cut", 50.0, 60.0, 0.5), ("v1", "cut", 0.0, 10.0, 0.5)
    assert detection_map(gt, [miss, hit], [0.5]).mAP == pytest.approx([0.5])
    assert detection_map(gt, [hit, miss], [0.5]).mAP == pytest.approx([1.0])


def test_the_best_free_ground_truth_is_taken():
    gt = [("v1", "a", 0.0, 10.0), ("v1", "a", 5.0, 15.0)]
    pred = [("v1", "a", 5.0, 15.0, 0.9), ("v1", "a", 0.0, 10.0, 0.8)]
    # the first prediction takes the second instance (tIoU 1, not 1/3); the second is then free to match
    assert detection_map(gt, pred, [0.3, 0.9]).mAP == pytest.approx([1.0, 1.0])


def test_interpolated_ap():
    assert interpolated_ap(np.array([1.0, 0.5, 2 / 3]), np.array([0.5, 0.5, 1.0])) == pytest.approx([5 / 6])
    assert interpolated_ap(np.array([[1.0, 0.5, 1 / 3]]), np.array([[0.5, 0.5, 0.5]])) == pytest.approx([0.5])


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_mmaction_per_class(seed):
    rng = np.random.default_rng(seed)
    gt, pred = [], []
    for v in range(30):
        for _ in range(rng.integers(0, 6)):
            s = rng.uniform(0, 100)
            gt.append((f"v{v}", f"c{rng.integers(4)}", s, s + rng.uniform(1, 20)))
        for _ in range(rng.integers(0, 25)):
            s = rng.uniform(0, 100)
            pred.append((f"v{v}", f"c{rng.integers(4)}", s, s + rng.uniform(1, 20), float(rng.random())))
    thresholds = np.linspace(0.1, 0.9, 9)
    ours = detection_map(gt, pred, thresholds)
    for label, ap in ours.ap.items():
        truth = {}
        for video, lab, start, end in gt:
            if lab == label:
                truth.setdefault(video, []).append([start, end])
        rows = [list(p) for p in pred if p[1] == label]
        assert np.allclose(ap, average_precision_at_temporal_iou(truth, rows, thresholds), atol=1e-6)


def write_json(path, data):
    path.write_text(json.dumps(data))
    return path


def test_evaluate_detection_cli(tmp_path, capsys):
    gt = write_json(tmp_path / "gt.json", {"database": {
        "v1": {"subset": "validation", "duration": 40, "annotations": [
            {"label": "cut", "segment": [0, 10]}, {"label": "cut", "segment": [20, 30]}]},
        "v2": {"subset": "training", "duration": 40, "annotations": [{"label": "suture", "segment": [1, 2]}]}}})
    pred = write_json(tmp_path / "pred.json", {"results": {"v1": [
        {"label": "cut", "segment": [0, 10], "score": 0.9}, {"label": "cut", "segment": [0, 10], "score": 0.8},
        {"label": "cut", "segment": [20, 40], "score": 0.7}]}})
    assert main(["evaluate", "detection", str(gt), str(pred), "--subset", "validation", "--tiou", "0.5,0.7",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tiou"] == [0.5, 0.7] and out["per_class"]["cut"] == pytest.approx([5 / 6, 0.5])
    assert out["average_mAP"] == pytest.approx((5 / 6 + 0.5) / 2)
    csv, png = tmp_path / "ap.csv", tmp_path / "pr.png"
    assert main(["evaluate", "detection", str(gt), str(pred), "--per-class-csv", str(csv), "--pr-curve", str(png),
                 "--tiou", "0.5,0.7"]) == 0
    assert "mAP" in capsys.readouterr().out
    lines = csv.read_text().splitlines()
    assert lines[0] == "class,AP@0.50,AP@0.70,mean" and lines[1].startswith("cut,0.833333,0.500000")
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("results,message", [
    ({"results": {"v9": [{"label": "cut", "segment": [0, 1], "score": 1}]}},
     "results.v9: video: not in the ground truth"),
    ({"results": {"v1": [{"label": "stitch", "segment": [0, 1], "score": 1}]}}, "results.v1: label: not a"),
    ({"results": {"v1": [{"label": "cut", "segment": [0], "score": 1}]}},
     "results.v1[0]: segment: expected [start, end]"),
    ({"results": {"v1": [{"label": "cut", "segment": [0, 1]}]}}, "results.v1[0]: score: missing field"),
    ({"detections": {}}, "top: results: missing field"),
])
def test_evaluate_detection_errors(tmp_path, capsys, results, message):
    gt = write_json(tmp_path / "gt.json", {"database": {"v1": {"subset": "validation", "annotations": [
        {"label": "cut", "segment": [0, 10]}]}}})
    pred = write_json(tmp_path / "pred.json", results)
    assert main(["evaluate", "detection", str(gt), str(pred)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"pred.json:{message}" in errors[0]
