"""Per-step targets of online workflow tasks on a small made timeline, against hand-computed values."""
from __future__ import annotations

import numpy as np

from videokit.annotations import Segment, VideoAnnotation
from videokit.annotations.online_targets import current_labels, time_to_next_start, train_mean

# phase 0 on [2, 5), phase 1 on [5, 7) and again on [9, 10); phase 2 never occurs
VIDEO = VideoAnnotation("v", duration=10.0, segments=[
    Segment("phase", 0, 2.0, 5.0), Segment("phase", 1, 5.0, 7.0), Segment("phase", 1, 9.0, 10.0)])


def test_current_phase_per_step():
    times = np.arange(10.0)
    assert current_labels(VIDEO, "phase", times).tolist() == [-1, -1, 0, 0, 0, 1, 1, -1, -1, 1]


def test_time_to_next_start_clipped_at_the_horizon():
    times = np.arange(10.0)
    target = time_to_next_start(VIDEO, "phase", 3, times, horizon=3.0)
    #             t:  0  1  2  3  4  5  6  7  8  9
    assert target[:, 0].tolist() == [2, 1, 0, 0, 0, 3, 3, 3, 3, 3]  # ongoing 2-4, never again
    assert target[:, 1].tolist() == [3, 3, 3, 2, 1, 0, 0, 2, 1, 0]  # 5 s away at t=0 -> clipped to h
    assert target[:, 2].tolist() == [3] * 10  # never starts: h throughout
    wide = time_to_next_start(VIDEO, "phase", 3, times, horizon=10.0)
    assert wide[0].tolist() == [2, 5, 10]


def test_training_mean_baseline():
    a = np.array([[0.0, 3.0], [2.0, 3.0]])
    b = np.array([[1.0, 0.0]])
    assert np.allclose(train_mean([a, b]), [1.0, 2.0])
