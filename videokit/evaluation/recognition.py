"""Recognition metrics as pure functions over numpy arrays (mmaction2's own where it has them)."""
from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence

import numpy as np
from mmaction.evaluation.functional import confusion_matrix, mean_average_precision, mean_class_accuracy, top_k_accuracy

from ..annotations.hierarchy_decoding import consistent_predictions  # noqa: F401 (re-exported: the head decodes with it)

MEAN_CLASS = ("mmaction2", "present")


def accuracy_report(scores: np.ndarray, labels: np.ndarray, topk: Sequence[int] = (1, 5),
                    class_groups: Optional[Mapping[int, str]] = None,
                    mean_class: str = "mmaction2") -> Dict[str, float]:
    """Top-k accuracy, mean class accuracy, and accuracy per long-tail group (``acc_<group>``,
    the share of correct top-1 predictions among samples whose true class is in the group); all 0-1.

    ``mean_class='mmaction2'`` (default: the function NurViD's and OphNet's recognition tables were made
    with) averages over every class that is true or predicted, a class only predicted counting 0;
    ``'present'`` averages over the classes present in the ground truth only."""
    if mean_class not in MEAN_CLASS:
        raise ValueError(f"mean_class must be one of {MEAN_CLASS}, not {mean_class!r}")
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    ks = [k for k in topk if k <= scores.shape[1]]
    report = {f"top{k}": float(v) for k, v in zip(ks, top_k_accuracy(list(scores), labels, ks))}
    correct = scores.argmax(1) == labels
    if mean_class == "mmaction2":
        report["mean_class_accuracy"] = float(mean_class_accuracy(list(scores), labels))
    else:
        report["mean_class_accuracy"] = float(np.mean([correct[labels == c].mean() for c in np.unique(labels)]))
    if class_groups:
        groups = np.array([class_groups.get(int(c), "") for c in labels])
        for group in dict.fromkeys(class_groups.values()):
            mask = groups == group
            if mask.any():
                report[f"acc_{group}"] = float(correct[mask].mean())
    return report


def confusion(scores: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """``num_classes x num_classes`` counts, rows = true class, columns = predicted class."""
    pred = np.asarray(scores).argmax(1)
    labels = np.asarray(labels, dtype=np.int64)
    # mmaction2's confusion_matrix sizes the matrix by the labels it sees; pad to every class
    seen = np.union1d(pred, labels)
    small = confusion_matrix(pred, labels)
    full = np.zeros((num_classes, num_classes), dtype=np.int64)
    full[np.ix_(seen, seen)] = small
    return full


def multilabel_map(scores: np.ndarray, targets: np.ndarray) -> float:
    """Mean over classes with a positive sample of the per-class average precision (multi-label, e.g.
    OphNet surgeries; mmaction2's per-class ``mean_average_precision``, not its per-sample MMIT variant)."""
    scores = np.asarray(scores, dtype=np.float64)
    targets = np.asarray(targets)
    keep = targets.sum(0) > 0
    return float(mean_average_precision(list(scores[:, keep]), list(targets[:, keep])))


def consistency(predictions: np.ndarray, paths: np.ndarray) -> float:
    """Share of predicted level tuples that are valid paths of the hierarchy."""
    valid = {tuple(p) for p in paths.tolist()}
    return float(np.mean([tuple(p) in valid for p in np.asarray(predictions).tolist()]))
