"""Which frames to read: seconds -> frame indices, and the sampling strategies of video recognition.

Pure numpy, no decoding. Indices are 0-based frame numbers of the file. Times become frames with
the file's real frame timestamps when known (variable frame rate), else with its average fps.
Conventions follow mmaction2's ``SampleFrames`` so that the stock transforms that follow
(``FormatShape``...) see what they expect: ``frame_inds`` is ``num_clips * clip_len`` long.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np


def time_range_to_frames(start: Optional[float], end: Optional[float], num_frames: int, fps: float,
                         frame_times: Optional[np.ndarray] = None) -> Tuple[int, int]:
    """``(first, last)`` frame indices (inclusive) whose timestamps lie in ``[start, end]`` seconds.

    ``None`` means the video's start / end. A range shorter than one frame gives the frame nearest
    its middle; ranges are clipped to the video.
    """
    if num_frames <= 0:
        raise ValueError("video has no frames")
    start = 0.0 if start is None else max(0.0, float(start))
    if frame_times is not None:
        times = np.asarray(frame_times, dtype=np.float64)
        end_t = times[-1] if end is None else float(end)
        first = int(np.searchsorted(times, start - 1e-6, side="left"))
        last = int(np.searchsorted(times, end_t + 1e-6, side="right")) - 1
    else:
        end_t = num_frames / fps if end is None else float(end)
        first = int(np.ceil(start * fps - 1e-6))
        last = int(np.floor(end_t * fps + 1e-6))
    last = min(last, num_frames - 1)
    first = min(first, num_frames - 1)
    if last < first:  # shorter than a frame: the frame nearest the middle of the range
        middle = (start + end_t) / 2
        if frame_times is not None:
            nearest = int(np.clip(np.searchsorted(np.asarray(frame_times), middle), 0, num_frames - 1))
        else:
            nearest = int(np.clip(round(middle * fps), 0, num_frames - 1))
        return nearest, nearest
    return first, last


def tsn_indices(first: int, last: int, num_segments: int, clip_len: int = 1, test_mode: bool = False,
                rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """TSN segment sampling in ``[first, last]``: ``num_segments`` equal parts, one snippet of
    ``clip_len`` consecutive frames from each; a random offset in training, the centre in testing."""
    length = last - first + 1
    span = max(length - clip_len + 1, 1)
    edges = np.linspace(0, span, num_segments + 1)
    if test_mode:
        starts = np.floor((edges[:-1] + edges[1:]) / 2)
    else:
        rng = rng or np.random.default_rng()
        widths = np.maximum(edges[1:] - edges[:-1], 1e-9)
        starts = np.floor(edges[:-1] + rng.random(num_segments) * widths)
    starts = np.clip(starts.astype(np.int64), 0, span - 1)
    inds = starts[:, None] + np.arange(clip_len)[None, :]
    return np.clip(inds.reshape(-1), 0, length - 1) + first


def dense_indices(first: int, last: int, clip_len: int, frame_interval: int = 1, num_clips: int = 1,
                  test_mode: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Dense clips of ``clip_len`` frames every ``frame_interval`` frames inside ``[first, last]``.

    Training: ``num_clips`` clips at random starts; testing: clips evenly spread over the range.
    A range shorter than a clip repeats its last frame (mmaction2 loops; here the clip is padded).
    """
    length = last - first + 1
    window = (clip_len - 1) * frame_interval + 1
    room = max(length - window, 0)
    if test_mode:
        if num_clips == 1:
            starts = np.array([room // 2])
        else:
            starts = np.round(np.linspace(0, room, num_clips)).astype(np.int64)
    else:
        rng = rng or np.random.default_rng()
        starts = rng.integers(0, room + 1, size=num_clips)
    inds = starts[:, None] + np.arange(clip_len)[None, :] * frame_interval
    return np.minimum(inds.reshape(-1), length - 1) + first


def keyframe_tsn_indices(first: int, last: int, num_segments: int, keyframes: Sequence[int], clip_len: int = 1,
                         max_lag: int = 8, rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """TSN training sampling whose random offsets fall at most ``max_lag`` frames after a keyframe.

    Each segment draws a keyframe inside it (when it holds one) and a lag in ``[0, max_lag]``, so a
    sampled frame costs at most ``max_lag + clip_len`` decoded frames instead of half a GOP on average.
    Segments without a keyframe fall back to the uniform offset of :func:`tsn_indices`.
    """
    rng = rng or np.random.default_rng()
    base = tsn_indices(first, last, num_segments, clip_len, test_mode=False, rng=rng).reshape(num_segments, clip_len)
    keys = np.asarray(sorted(keyframes), dtype=np.int64)
    length = last - first + 1
    span = max(length - clip_len + 1, 1)
    edges = np.floor(np.linspace(0, span, num_segments + 1)).astype(np.int64) + first
    for s in range(num_segments):
        lo, hi = edges[s], max(edges[s + 1] - 1, edges[s])
        inside = keys[(keys >= lo) & (keys <= hi)]
        if inside.size == 0:
            continue
        start = int(rng.choice(inside)) + int(rng.integers(0, max_lag + 1))
        start = min(start, hi, last - clip_len + 1) if last - clip_len + 1 >= first else first
        base[s] = np.minimum(start + np.arange(clip_len), last)
    return base.reshape(-1)
