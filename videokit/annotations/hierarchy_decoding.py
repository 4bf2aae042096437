"""Hierarchy-consistent decoding: of per-level class probabilities, the valid path of the taxonomy
(:meth:`Taxonomy.class_paths`) with the highest summed log-probability, so a predicted action never
contradicts its predicted procedure. Numpy only; the multi-level head and the metrics call it."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def consistent_predictions(level_scores: Sequence[np.ndarray], paths) -> np.ndarray:
    """Per sample, the valid path maximising the sum of log-probabilities over the levels.

    ``level_scores[i]`` is ``(N, C_i)`` probabilities; ``paths`` ``(P, num_levels)`` class ids; returns
    ``(N, num_levels)`` class ids.
    """
    paths = np.asarray(paths, dtype=np.int64)
    total = np.zeros((level_scores[0].shape[0], len(paths)))
    for level, scores in enumerate(level_scores):
        total += np.log(np.clip(np.asarray(scores, dtype=np.float64), 1e-12, None))[:, paths[:, level]]
    return paths[total.argmax(1)]
