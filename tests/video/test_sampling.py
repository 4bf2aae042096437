"""Exact frame indices for each sampling mode, inside time ranges, with real and variable fps."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.video import dense_indices, keyframe_tsn_indices, time_range_to_frames, tsn_indices


def test_time_range_with_fps():
    assert time_range_to_frames(2.0, 4.0, 250, 25.0) == (50, 100)
    assert time_range_to_frames(2.01, 3.99, 250, 25.0) == (51, 99)
    assert time_range_to_frames(None, None, 250, 25.0) == (0, 249)
    assert time_range_to_frames(9.5, 12.0, 250, 25.0) == (238, 249)  # clipped to the video
    assert time_range_to_frames(3.0, 3.0, 250, 25.0) == (75, 75)
    assert time_range_to_frames(3.01, 3.02, 250, 25.0) == (75, 75)  # shorter than a frame: nearest


def test_time_range_with_variable_frame_times():
    times = np.array([0.0, 0.1, 0.2, 0.5, 0.9, 1.0, 1.05, 1.1])
    assert time_range_to_frames(0.15, 0.95, 8, 10.0, times) == (2, 4)
    assert time_range_to_frames(1.0, None, 8, 10.0, times) == (5, 7)


def test_tsn_test_mode_takes_segment_centres():
    # 100 frames in [100, 199], 8 segments of 12.5 frames: centres at 6.25, 18.75, ...
    assert tsn_indices(100, 199, 8, test_mode=True).tolist() == [106, 118, 131, 143, 156, 168, 181, 193]
    # as mmaction2: 8 possible snippet starts, 2 segments of 4, centres 2 and 6
    assert tsn_indices(0, 9, 2, clip_len=3, test_mode=True).tolist() == [2, 3, 4, 6, 7, 8]


def test_tsn_train_mode_draws_one_offset_per_segment():
    rng = np.random.default_rng(0)
    for _ in range(50):
        inds = tsn_indices(100, 199, 8, rng=rng)
        edges = 100 + np.linspace(0, 100, 9)
        assert np.all(inds >= np.floor(edges[:-1])) and np.all(inds < np.ceil(edges[1:]))
    assert tsn_indices(5, 6, 4, test_mode=True).tolist() == [5, 5, 6, 6]  # fewer frames than segments


def test_dense_clips():
    assert dense_indices(0, 99, clip_len=4, frame_interval=2, num_clips=1, test_mode=True).tolist() == \
        [46, 48, 50, 52]
    assert dense_indices(10, 109, clip_len=2, frame_interval=5, num_clips=3, test_mode=True).tolist() == \
        [10, 15, 57, 62, 104, 109]
    inds = dense_indices(0, 5, clip_len=4, frame_interval=2, test_mode=True)  # range shorter than the clip
    assert inds.tolist() == [0, 2, 4, 5]
    rng = np.random.default_rng(1)
    for _ in range(20):
        inds = dense_indices(50, 149, clip_len=32, frame_interval=2, num_clips=1, rng=rng)
        assert inds[0] >= 50 and inds[-1] <= 149 and np.all(np.diff(inds) == 2)


def test_keyframe_aware_offsets_follow_keyframes():
    keyframes = np.arange(0, 1000, 50)
    rng = np.random.default_rng(2)
    for _ in range(50):
        inds = keyframe_tsn_indices(0, 999, 8, keyframes, max_lag=4, rng=rng)
        lags = inds - keyframes[np.searchsorted(keyframes, inds, side="right") - 1]
        assert np.all(lags <= 4)
        assert np.all(np.diff(inds) > 0)
    # a segment without a keyframe keeps the uniform offset
    inds = keyframe_tsn_indices(0, 99, 4, [0], max_lag=2, rng=rng)
    assert inds[0] <= 2 and 25 <= inds[1] < 50


@pytest.mark.parametrize("mode", ["tsn", "dense"])
def test_indices_stay_inside_the_range(mode):
    rng = np.random.default_rng(3)
    for first, last in [(0, 0), (3, 4), (0, 1000), (500, 531)]:
        if mode == "tsn":
            inds = tsn_indices(first, last, 8, clip_len=2, rng=rng)
        else:
            inds = dense_indices(first, last, 8, 4, num_clips=2, rng=rng)
        assert inds.min() >= first and inds.max() <= last
