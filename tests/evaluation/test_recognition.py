"""Recognition metrics on hand-computed cases."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.annotations import Taxonomy
from videokit.evaluation import (
    HierarchyMetric,
    RecognitionMetric,
    accuracy_report,
    confusion,
    consistency,
    consistent_predictions,
    multilabel_map,
)


def test_accuracy_report_by_hand():
    scores = np.array([[.1, .7, .2], [.6, .3, .1], [.2, .2, .6], [.5, .4, .1]])
    labels = np.array([1, 0, 1, 1])
    report = accuracy_report(scores, labels, (1, 2), {0: "Many", 1: "Few", 2: "Few"})
    assert report["top1"] == 0.5  # samples 0 and 1
    assert report["top2"] == 1.0
    # mmaction2's convention (default): every class true or predicted; class 2 is only predicted -> 0
    assert report["mean_class_accuracy"] == pytest.approx((1 / 1 + 1 / 3 + 0) / 3)
    present = accuracy_report(scores, labels, (1, 2), mean_class="present")
    assert present["mean_class_accuracy"] == pytest.approx((1 / 1 + 1 / 3) / 2)  # classes 0 and 1
    assert report["acc_Many"] == 1.0 and report["acc_Few"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="mean_class"):
        accuracy_report(scores, labels, mean_class="macro")


@pytest.mark.parametrize("seed", range(20))
def test_top_k_and_mean_class_accuracy_equal_mmaction2(seed):
    from mmaction.evaluation.functional import mean_class_accuracy, top_k_accuracy

    rng = np.random.default_rng(seed)
    classes = int(rng.integers(3, 30))
    scores = rng.random((int(rng.integers(5, 200)), classes))
    labels = rng.integers(0, classes, len(scores))
    report = accuracy_report(scores, labels, (1, 5))
    expected = top_k_accuracy(list(scores), labels, [1, 5])
    assert report["top1"] == expected[0] and report["top5"] == expected[1]
    assert report["mean_class_accuracy"] == mean_class_accuracy(list(scores), labels)


def test_confusion_is_padded_to_every_class():
    matrix = confusion(np.array([[.9, .1, 0, 0], [.1, .9, 0, 0], [.9, .1, 0, 0]]), np.array([0, 1, 1]), 4)
    assert matrix.tolist() == [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_multilabel_map():
    scores = np.array([[.9, .8, .1], [.2, .7, .3], [.6, .1, .2]])
    targets = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 0]])
    assert multilabel_map(scores, targets) == pytest.approx(1.0)  # every positive ranks first; class 2 has none
    targets = np.array([[0, 1, 0], [1, 1, 0], [1, 0, 0]])
    # class 0: positives at scores .2 and .6, negative at .9 -> AP = (1/2 + 2/3) / 2
    assert multilabel_map(scores, targets) == pytest.approx(((1 / 2 + 2 / 3) / 2 + 1.0) / 2)


def test_consistent_decoding_never_contradicts_the_hierarchy():
    taxonomy = Taxonomy.from_dict({"levels": [
        {"name": "a", "classes": [{"id": 0, "name": "a0"}, {"id": 1, "name": "a1"}]},
        {"name": "b", "classes": [{"id": 0, "name": "b0", "parents": [0]}, {"id": 1, "name": "b1", "parents": [0]},
                                  {"id": 2, "name": "b2", "parents": [1]}]},
        {"name": "c", "classes": [{"id": 0, "name": "c0", "parents": [0]}, {"id": 1, "name": "c1", "parents": [1]},
                                  {"id": 2, "name": "c2", "parents": [2]}, {"id": 3, "name": "c3", "parents": [2]}]}]})
    paths = np.asarray(taxonomy.class_paths())
    assert paths.tolist() == [[0, 0, 0], [0, 1, 1], [1, 2, 2], [1, 2, 3]]
    top = np.array([[.6, .4]])
    mid = np.array([[.1, .1, .8]])
    low = np.array([[.1, .1, .2, .6]])
    independent = np.array([[0, 2, 3]])
    assert consistency(independent, paths) == 0.0
    joint = consistent_predictions([top, mid, low], paths)
    assert joint.tolist() == [[1, 2, 3]]  # log .4 + log .8 + log .6 beats every path under class 0
    assert consistency(joint, paths) == 1.0


def test_recognition_metric_writes_confusion_files(tmp_path):
    metric = RecognitionMetric(topk=(1,), out_dir=str(tmp_path))
    metric.dataset_meta = {"classes": ("a", "b"), "class_groups": {0: "Many", 1: "Few"}}
    metric.process({}, [{"pred_score": np.array([.8, .2]), "gt_label": np.array([0])},
                        {"pred_score": np.array([.7, .3]), "gt_label": np.array([1])}])
    result = metric.evaluate(2)
    assert result["acc/top1"] == 0.5 and result["acc/acc_Few"] == 0.0 and result["acc/num_samples"] == 2
    assert (tmp_path / "confusion_matrix.csv").read_text().splitlines() == [",a,b", "a,1,0", "b,1,0"]
    assert (tmp_path / "confusion_matrix.png").stat().st_size > 0


def test_hierarchy_metric_compares_joint_and_independent():
    metric = HierarchyMetric()
    metric.dataset_meta = {"levels": ("procedure", "action"), "hierarchy_paths": [(0, 0), (0, 1), (1, 2)]}
    metric.process({}, [
        {"gt_label": np.array([0, 1]), "pred_levels": np.array([0, 1]), "pred_levels_independent": np.array([1, 1])},
        {"gt_label": np.array([1, 2]), "pred_levels": np.array([1, 2]), "pred_levels_independent": np.array([1, 2])}])
    result = metric.evaluate(2)
    assert result["hierarchy/procedure_top1"] == 1.0 and result["hierarchy/procedure_top1_independent"] == 0.5
    assert result["hierarchy/consistent"] == 1.0 and result["hierarchy/consistent_independent"] == 0.5
