"""Feature extraction: one video's features (:func:`video_features`, what ``videokit predict`` feeds a
detector) and a dataset's (:func:`extract_features`: windows decoded in DataLoader workers while the
backbone runs), cut by the same plan and chunks.

The main process plans every video into chunks of ``windows_per_chunk`` windows (from each file's frame
count and fps); chunk ``g`` of that global plan goes to worker ``g % num_workers``, which decodes and
resizes it. PyTorch's DataLoader returns the workers' items round-robin, so the chunks arrive in plan
order: a video is complete when its last chunk has arrived, and it is written then (atomically, through
:class:`~videokit.features.FeatureFolder`). Memory stays bounded whatever the video length: at most
``prefetch`` chunks per worker are decoded ahead, never a whole video.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Union

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from ..video import BrokenVideoError, open_video, tsn_indices
from ..video.windows import decode_windows
from .spec import FeatureSpec
from .window_features import prepare_frames, window_features


@dataclass
class VideoPlan:
    """One video's windows: their first frames, and the chunks they are decoded in."""

    index: int
    video_id: str
    path: str
    fps: float = 0.0
    num_frames: int = 0
    window: int = 0
    stride: int = 0
    starts: List[int] = field(default_factory=list)
    num_chunks: int = 0
    error: Optional[str] = None  # why the file cannot be read (BrokenVideoError.reason)
    lost: List[int] = field(default_factory=list)  # windows whose frames could not be decoded (a damaged stretch)

    def centres(self) -> np.ndarray:
        """Centre time (s) of every window (the spec's formula, with this video's window in frames)."""
        return FeatureSpec(window=self.window, stride=self.stride).centres(self.starts, self.num_frames, self.fps)


@dataclass
class Chunk:
    """What a worker hands back: decoded frames of some windows of one video, or why it could not."""

    video: int
    k: int
    num_chunks: int
    frames: Optional[np.ndarray] = None
    error: Optional[str] = None  # a reason (strings cross worker processes; the exception does not pickle)
    lost: List[int] = field(default_factory=list)  # the video's windows in this chunk that could not be decoded


def plan_video(index: int, video_id: str, path: str, spec: FeatureSpec, windows_per_chunk: int) -> VideoPlan:
    """Open ``path`` once for its frame count and fps and cut it into windows and chunks."""
    plan = VideoPlan(index, video_id, path)
    try:
        reader = open_video(path, cache=False)
    except BrokenVideoError as exc:
        plan.error = exc.reason
        return plan
    try:
        plan.fps, plan.num_frames = float(reader.fps), int(reader.num_frames)
    finally:
        reader.close()
    plan.window, plan.stride = spec.in_frames(plan.fps)
    plan.starts = spec.window_starts(plan.num_frames, plan.fps).tolist()
    plan.num_chunks = -(-len(plan.starts) // windows_per_chunk)
    return plan


class WindowChunks(IterableDataset):
    """The chunks of every planned video, in plan order, split round-robin over DataLoader workers."""

    def __init__(self, plans: Sequence[VideoPlan], spec: FeatureSpec, windows_per_chunk: int) -> None:
        self.plans = [p for p in plans if p.error is None and p.num_chunks]
        self.spec, self.windows_per_chunk = spec, windows_per_chunk

    def __iter__(self) -> Iterator[Chunk]:
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info else (0, 1)
        position = 0
        for plan in self.plans:
            mine = [k for k in range(plan.num_chunks) if (position + k) % workers == worker]
            position += plan.num_chunks
            if mine:
                yield from self._chunks(plan, mine)

    def _chunks(self, plan: VideoPlan, mine: List[int]) -> Iterator[Chunk]:
        """This worker's chunks of one video, every window's frames from one decoding pass. A window whose frames
        cannot be decoded (a damaged stretch) holds the last decoded window's frames (black before the first) and
        is listed in the chunk's ``lost``; a video that cannot be opened yields its error for each chunk."""
        windows = {k: self._windows(plan, k) for k in mine}
        reader, done = None, 0
        try:
            reader = open_video(plan.path, cache=False)
            stream = decode_windows(reader, [w for k in mine for w in windows[k]], damaged=True)
            held = np.zeros((self.spec.frames_per_window, reader.height, reader.width, 3), dtype=np.uint8)
            for k in mine:
                parts, lost = [], []
                for n in range(len(windows[k])):
                    _, frames = next(stream)
                    if frames is None:
                        lost.append(k * self.windows_per_chunk + n)
                        frames = held
                    held = frames
                    parts.append(frames)
                yield Chunk(plan.index, k, plan.num_chunks, frames=prepare_frames(np.concatenate(parts),
                                                                                  self.spec.size), lost=lost)
                done += 1
        except BrokenVideoError as exc:
            for k in mine[done:]:
                yield Chunk(plan.index, k, plan.num_chunks, error=exc.reason)
        finally:
            if reader is not None:
                reader.close()

    def _windows(self, plan: VideoPlan, k: int) -> List[np.ndarray]:
        """The frame indices of chunk ``k``'s windows (TSN centre sampling inside each window)."""
        starts = plan.starts[k * self.windows_per_chunk:(k + 1) * self.windows_per_chunk]
        last = plan.num_frames - 1
        return [tsn_indices(s, min(s + plan.window - 1, last), self.spec.frames_per_window, test_mode=True)
                for s in starts]


def _single_thread(_: int) -> None:
    torch.set_num_threads(1)  # the worker decodes; the main process keeps the cores for the model


def _as_is(item: Chunk) -> Chunk:
    return item


def extract_features(model, plans: Sequence[VideoPlan], spec: FeatureSpec,
                     write: Callable[[VideoPlan, np.ndarray], None],
                     device: str = "cpu", windows_per_chunk: int = 8, workers: int = 0, prefetch: int = 2,
                     on_broken: Optional[Callable[[VideoPlan, str], None]] = None,
                     progress: Optional[Callable[[int], None]] = None) -> Dict[str, int]:
    """Run ``model`` over the windows of every plan; ``write(plan, features)`` gets each complete video (its
    ``plan.lost``: the windows of a damaged stretch, whose features repeat the last decoded window's).

    Returns counts: ``extracted``, ``unreadable``, ``windows``.
    """
    by_index = {p.index: p for p in plans}
    counts = {"extracted": 0, "unreadable": 0, "windows": 0}
    for plan in plans:
        if plan.error is not None:
            counts["unreadable"] += 1
            if on_broken:
                on_broken(plan, plan.error)
    dataset = WindowChunks(plans, spec, windows_per_chunk)
    loader = DataLoader(dataset, batch_size=None, num_workers=workers, collate_fn=_as_is,
                        worker_init_fn=_single_thread if workers else None,
                        prefetch_factor=prefetch if workers else None, persistent_workers=False)
    parts: List[np.ndarray] = []
    failed: Optional[str] = None
    for chunk in loader:
        plan = by_index[chunk.video]
        if chunk.error is not None:
            failed = failed or chunk.error
        elif failed is None:
            plan.lost.extend(chunk.lost)
            parts.append(window_features(model, chunk.frames, spec.frames_per_window, device))
            counts["windows"] += len(parts[-1])
            if progress:
                progress(len(parts[-1]))
        if chunk.k == chunk.num_chunks - 1:  # the video's last chunk: write it, or report it
            if failed is None and len(plan.lost) == len(plan.starts):
                failed = "no window could be decoded"
            if failed is None:
                write(plan, np.concatenate(parts))
                counts["extracted"] += 1
            else:
                counts["unreadable"] += 1
                if on_broken:
                    on_broken(plan, failed)
            parts, failed = [], None
    return counts


def video_features(model, path: str, spec: FeatureSpec, device: str = "cpu", batch_size: int = 8,
                   progress: Optional[Callable[[int], None]] = None) -> Dict[str, object]:
    """Features of every window of ``path``, cut exactly as ``tools/extract_features.py`` cuts them (the
    same plan and chunks): ``features`` (W, C) float32, ``times`` (window centres, s), ``fps``,
    ``num_frames``, ``window`` and ``stride`` (frames). ``progress(n)`` is told of each batch."""
    plan = plan_video(0, str(path), str(path), spec, batch_size)
    if plan.error is not None:
        raise BrokenVideoError(path, plan.error)
    features: List[np.ndarray] = []
    for chunk in WindowChunks([plan], spec, batch_size):
        if chunk.error is not None:
            raise BrokenVideoError(path, chunk.error)
        plan.lost.extend(chunk.lost)
        features.append(window_features(model, chunk.frames, spec.frames_per_window, device))
        if progress:
            progress(len(features[-1]))
    if len(plan.lost) == len(plan.starts):
        raise BrokenVideoError(path, "no window could be decoded")
    return {"features": np.concatenate(features), "times": plan.centres(), "fps": plan.fps,
            "num_frames": plan.num_frames, "window": plan.window, "stride": plan.stride, "lost": plan.lost}


def resample(features: np.ndarray, length: int) -> np.ndarray:
    """Linear interpolation of (T, C) features to (length, C) over normalised time (``--fixed-length``)."""
    if len(features) == 1:
        return np.repeat(features, length, axis=0)
    source = np.linspace(0.0, 1.0, len(features))
    target = np.linspace(0.0, 1.0, length)
    return np.stack([np.interp(target, source, features[:, c]) for c in range(features.shape[1])], axis=1)


def resampled_times(times: Union[Sequence[float], np.ndarray], length: int) -> np.ndarray:
    """Centre times of features resampled by :func:`resample`: evenly from the first to the last centre."""
    times = np.asarray(times, dtype=np.float64)
    return np.linspace(times[0], times[-1], length)
