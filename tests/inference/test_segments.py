"""Window scores and detections -> timeline segments, against hand-computed answers."""
from __future__ import annotations

import numpy as np

from videokit.annotations import ClassInfo, Level, Taxonomy
from videokit.inference import detections_to_timeline, scores_to_segments, window_grid
from videokit.inference.assemble import restrict_to_children
from videokit.inference.segments import smooth_scores


def test_runs_of_windows_become_segments_split_at_window_centres():
    starts, ends = np.arange(6.0), np.arange(6.0) + 2.0  # centres 1..6
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.2, 0.8], [0.1, 0.9], [0.4, 0.6]])
    segs = scores_to_segments(starts, ends, probs, smooth=1)
    assert [(s.label, s.start, s.end) for s in segs] == [(0, 0.0, 3.5), (1, 3.5, 7.0)]
    assert np.isclose(segs[0].score, 0.8) and np.isclose(segs[1].score, (0.8 + 0.9 + 0.6) / 3)


def test_low_scores_are_background_and_short_runs_join_their_longer_neighbour():
    starts, ends = np.arange(9.0), np.arange(9.0) + 1.0  # centres 0.5..8.5, bounds 0,1,...,9
    labels = [0, 0, 0, 1, 0, 0, 2, 2, 2]
    probs = np.eye(3)[labels] * 0.9 + 0.03
    probs[6:8] = [0.2, 0.2, 0.25]  # below threshold: 2 s of background, then 1 s of class 2
    segs = scores_to_segments(starts, ends, probs, smooth=1, threshold=0.3, min_length=1.5)
    # runs: 0 [0,3) 1 [3,4) 0 [4,6) bg [6,8) 2 [8,9). The 1-s run of class 1 joins its longer neighbour
    # (class 0 on the left), then the 1-s run of class 2 joins its only neighbour, the background.
    assert [(s.label, s.start, s.end) for s in segs] == [(0, 0.0, 6.0)]
    kept = scores_to_segments(starts, ends, probs, smooth=1, threshold=0.3, min_length=0.5)
    assert [(s.label, s.start, s.end) for s in kept] == [(0, 0.0, 3.0), (1, 3.0, 4.0), (0, 4.0, 6.0), (2, 8.0, 9.0)]


def test_smoothing_is_a_centred_moving_average():
    probs = np.array([[1.0], [0.0], [0.0], [1.0]])
    assert np.allclose(smooth_scores(probs, 3)[:, 0], [0.5, 1 / 3, 1 / 3, 0.5])


def test_detections_keep_the_free_time_best_first():
    segments = np.array([[0.0, 10.0], [5.0, 15.0], [20.0, 30.0], [21.0, 22.0]])
    scores = np.array([0.9, 0.8, 0.5, 0.2])
    labels = np.array([0, 1, 2, 3])
    out = detections_to_timeline(segments, scores, labels, score_threshold=0.3)
    assert [(s.label, s.start, s.end, s.score) for s in out] == [(0, 0.0, 10.0, 0.9), (1, 10.0, 15.0, 0.8),
                                                                  (2, 20.0, 30.0, 0.5)]
    clipped = detections_to_timeline(np.array([[-2.0, 40.0]]), np.array([0.7]), np.array([1]), duration=25.0)
    assert (clipped[0].start, clipped[0].end) == (0.0, 25.0)


def test_window_grid_covers_the_video_and_ends_flush():
    assert np.allclose(window_grid(5.0, 2.0, 1.0), [[0, 2], [1, 3], [2, 4], [3, 5]])
    assert np.allclose(window_grid(5.5, 2.0, 2.0), [[0, 2], [2, 4], [3.5, 5.5]])
    assert np.allclose(window_grid(1.0, 2.0, 1.0), [[0, 1]])


def test_steps_are_restricted_to_the_predicted_procedure():
    taxonomy = Taxonomy("t", [Level("procedure", {0: ClassInfo(0, "A"), 1: ClassInfo(1, "B")}),
                              Level("step", {0: ClassInfo(0, "a1", parents=(0,)), 1: ClassInfo(1, "b1", parents=(1,)),
                                             2: ClassInfo(2, "a2", parents=(0,))})])
    scores = np.array([[0.2, 0.7, 0.1]])
    assert np.allclose(restrict_to_children(scores, taxonomy, "step", 0), [[0.2, 0.0, 0.1]])
