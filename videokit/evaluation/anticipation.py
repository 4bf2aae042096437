"""Anticipation errors of the remaining-time regression protocol of Rivoir et al. (MICCAI 2020,
"Rethinking anticipation tasks"), which OphNet's phase anticipation uses, per class then averaged over
classes. With targets and predictions clipped to the horizon ``h``, for each class:

- ``outMAE``: mean |pred - target| over the steps where the class does not start within ``h``
  (target = h): how quiet the model stays when nothing is coming;
- ``inMAE``: over the steps where it starts within ``h`` but is not ongoing (0 < target < h);
- ``wMAE`` = (inMAE + outMAE) / 2, which weighs both kinds equally however rare the approach is;
- ``eMAE``: over the steps where the event is imminent, 0 < target < 0.1 h;
- ``mMAE``: over the middle of the approach, 0.1 h < target < 0.9 h (videokit's eMAE before 0.3).

Each is averaged over the classes that have steps of its kind; a class with no step in a window is left
out of that window's mean (NaN when no class has one). Evaluating at a horizon ``h'`` below the one the
model was trained with clips both sides at ``h'`` first. Worked example: docs/workflow.md.
"""
from __future__ import annotations

from typing import Dict, Sequence

import numpy as np


def anticipation_errors(pred: np.ndarray, target: np.ndarray, horizon: float) -> Dict[str, float]:
    """``wMAE, inMAE, outMAE, eMAE, mMAE`` of ``(steps, classes)`` predictions and targets, in the inputs' unit."""
    pred = np.minimum(np.asarray(pred, dtype=np.float64), horizon)
    target = np.minimum(np.asarray(target, dtype=np.float64), horizon)
    if pred.shape != target.shape:
        raise ValueError(f"predictions {pred.shape} and targets {target.shape} differ in shape")
    error = np.abs(pred - target)
    eps = 1e-9
    masks = {"outMAE": target >= horizon - eps, "inMAE": (target > eps) & (target < horizon - eps),
             "eMAE": (target > eps) & (target < 0.1 * horizon),
             "mMAE": (target > 0.1 * horizon) & (target < 0.9 * horizon)}
    per_class = {name: np.array([_masked_mean(error[:, k], mask[:, k]) for k in range(error.shape[1])])
                 for name, mask in masks.items()}
    per_class["wMAE"] = (per_class["inMAE"] + per_class["outMAE"]) / 2  # NaN unless the class has both kinds
    return {key: _nanmean(per_class[key]) for key in ("wMAE", "inMAE", "outMAE", "eMAE", "mMAE")}


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask].mean()) if mask.any() else float("nan")


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else float("nan")


def anticipation_report(preds: Sequence[np.ndarray], targets: Sequence[np.ndarray], horizons: Sequence[float],
                        scale: float = 1.0) -> Dict[str, float]:
    """:func:`anticipation_errors` over all steps of all videos at each horizon, keys ``wMAE@<h>`` etc.;
    errors and horizon labels divided by ``scale`` (60: minutes, OphNet's and Cholec80's unit)."""
    pred, target = np.concatenate(list(preds)), np.concatenate(list(targets))
    report = {}
    for h in horizons:
        name = f"{h / scale:g}"
        for key, value in anticipation_errors(pred, target, h).items():
            report[f"{key}@{name}"] = value / scale
    return report
