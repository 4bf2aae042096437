"""Read a ``tools/test.py --dump`` file (mmengine's list of data-sample dicts) into score and label
arrays per taxonomy level, for the analysis pictures."""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np


def _array(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def dump_scores(samples: Sequence[dict], levels: Sequence[str],
                level: Optional[str] = None) -> Tuple[str, np.ndarray, np.ndarray]:
    """``(level, scores (N, K), true labels (N,))`` from dumped samples.

    Multi-level samples (``MultiLevelHead``) carry ``level_scores`` and a label per level; pick one with
    ``level`` (default: the finest). Single-level samples carry ``pred_score`` and one label.
    """
    if not samples:
        raise ValueError("the dump holds no samples")
    first = samples[0]
    if "pred_score" not in first or "gt_label" not in first:
        raise ValueError("dump samples lack pred_score / gt_label: is this a tools/test.py --dump file?")
    multi = "level_scores" in first
    if multi:
        levels = list(levels)
        level = level or levels[-1]
        if level not in levels:
            raise ValueError(f"level {level!r} is not one of the model's levels {levels}")
        index = levels.index(level)
        scores = np.stack([_array(s["level_scores"][index]) for s in samples])
        labels = np.array([int(_array(s["gt_label"]).reshape(-1)[index]) for s in samples])
    else:
        level = level or levels[-1]
        scores = np.stack([_array(s["pred_score"]) for s in samples])
        labels = np.array([int(_array(s["gt_label"]).reshape(-1)[-1]) for s in samples])
    keep = labels >= 0
    return level, scores[keep].astype(np.float64), labels[keep]


def per_class_accuracy(scores: np.ndarray, labels: np.ndarray, num_classes: int) -> Dict[int, float]:
    """Top-1 accuracy of each class present in ``labels``."""
    pred = np.asarray(scores).argmax(1)
    return {int(c): float((pred[labels == c] == c).mean()) for c in range(num_classes) if (labels == c).any()}
