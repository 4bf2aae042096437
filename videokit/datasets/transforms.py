"""mmaction2 TRANSFORMS that read a time range of an untrimmed video: open, sample, decode.

They replace ``DecordInit -> SampleFrames -> DecordDecode`` and leave the same keys
(``total_frames, avg_fps, frame_inds, clip_len, frame_interval, num_clips, imgs, original_shape,
img_shape``), so the stock transforms that follow (Resize, RandomResizedCrop, Flip, FormatShape,
PackActionInputs) work unchanged. Readers stay open in a bounded per-worker cache.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..features import FeatureFolder
from ..video import (
    DEFAULT_BACKEND,
    dense_indices,
    keyframe_tsn_indices,
    open_video,
    read_frames,
    time_range_to_frames,
    tsn_indices,
)


def _rng() -> np.random.Generator:
    # drawn from numpy's global state, which mmengine seeds per worker: runs stay reproducible
    return np.random.default_rng(np.random.randint(0, 2**31 - 1))


@TRANSFORMS.register_module()
class VideoInit(BaseTransform):
    """Open ``results['filename']`` (cached) and record its frame count and fps."""

    def __init__(self, backend: str = DEFAULT_BACKEND, threads: int = 1) -> None:
        self.backend = backend
        self.threads = threads

    def transform(self, results: Dict) -> Dict:
        reader = open_video(results["filename"], self.backend, threads=self.threads)
        results["total_frames"] = reader.num_frames
        results["avg_fps"] = reader.fps
        results["video_backend"] = self.backend
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend={self.backend!r})"


@TRANSFORMS.register_module()
class SampleTimeRangeFrames(BaseTransform):
    """Frame indices inside ``[results['start'], results['end']]`` seconds (whole video when absent).

    ``mode='tsn'``: ``num_clips`` segments, one snippet of ``clip_len`` frames from each (random offset
    in training, centre in testing; ``keyframe_aware=True`` draws training offsets just after
    keyframes). ``mode='dense'``: ``num_clips`` clips of ``clip_len`` frames every ``frame_interval``.
    Seconds become frames with the file's real frame timestamps.
    """

    def __init__(self, clip_len: int = 1, num_clips: int = 8, frame_interval: int = 1, mode: str = "tsn",
                 test_mode: bool = False, keyframe_aware: bool = False, max_lag: int = 8) -> None:
        if mode not in ("tsn", "dense"):
            raise ValueError(f"mode must be 'tsn' or 'dense', not {mode!r}")
        self.clip_len, self.num_clips, self.frame_interval = clip_len, num_clips, frame_interval
        self.mode, self.test_mode = mode, test_mode
        self.keyframe_aware, self.max_lag = keyframe_aware, max_lag

    def transform(self, results: Dict) -> Dict:
        reader = open_video(results["filename"], results.get("video_backend", DEFAULT_BACKEND))
        first, last = time_range_to_frames(results.get("start"), results.get("end"), reader.num_frames,
                                           reader.fps, reader.frame_times)
        if self.mode == "dense":
            inds = dense_indices(first, last, self.clip_len, self.frame_interval, self.num_clips,
                                 self.test_mode, _rng())
        elif self.keyframe_aware and not self.test_mode:
            inds = keyframe_tsn_indices(first, last, self.num_clips, reader.keyframes, self.clip_len,
                                        self.max_lag, _rng())
        else:
            inds = tsn_indices(first, last, self.num_clips, self.clip_len, self.test_mode, _rng())
        results["frame_inds"] = inds.astype(np.int64)
        results["clip_len"] = self.clip_len
        results["frame_interval"] = self.frame_interval if self.mode == "dense" else None
        results["num_clips"] = self.num_clips
        return results

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(mode={self.mode!r}, clip_len={self.clip_len}, num_clips={self.num_clips}, "
                f"frame_interval={self.frame_interval}, test_mode={self.test_mode}, "
                f"keyframe_aware={self.keyframe_aware})")


@TRANSFORMS.register_module()
class VideoDecode(BaseTransform):
    """Decode ``results['frame_inds']`` in one batched call (sorted, unique) into ``results['imgs']``."""

    def __init__(self, backend: Optional[str] = None) -> None:
        self.backend = backend

    def transform(self, results: Dict) -> Dict:
        backend = self.backend or results.get("video_backend", DEFAULT_BACKEND)
        frames = read_frames(results["filename"], results["frame_inds"], backend)
        results["imgs"] = list(frames)
        results["original_shape"] = frames.shape[1:3]
        results["img_shape"] = frames.shape[1:3]
        return results


@TRANSFORMS.register_module()
class LoadFeatureArray(BaseTransform):
    """Load ``results['features']`` (a ``tools/extract_features.py`` .npy, time x channels) as mmaction2's
    ``raw_feature`` (channels x time, float32), what its localizers (BMN) take."""

    def transform(self, results: Dict) -> Dict:
        path = Path(results["features"])
        results["raw_feature"] = FeatureFolder(path.parent).load(path.stem).T
        return results
