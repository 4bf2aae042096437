"""Decoding frames by index behind one small interface, with two backends and a bounded reader cache.

- ``pyav``: indexes the packets once (display order, keyframes), then for each batch of wanted frames
  seeks to the keyframe before a frame only when the decoder cannot reach it by going on, decodes
  forward (non-reference frames nobody asked for are skipped), and converts to RGB only the frames asked
  for, with one reused swscale context. Frame-exact by presentation timestamp,
  also for variable-frame-rate files and B-frames.
- ``decord``: ``VideoReader.get_batch``, what mmaction2 users have.

Both return ``uint8`` RGB arrays ``(N, H, W, 3)``. They match a sequential decode exactly in frame
identity; pixel values may differ by the YUV->RGB conversion of each library (see ``docs/video.md``).
"""
from __future__ import annotations

import atexit
import os
import threading
import warnings
from collections import OrderedDict, deque
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import numpy as np

from ..utils import PathLike


class BrokenVideoError(RuntimeError):
    """A video that cannot be opened or decoded (missing, empty, truncated, not a video)."""

    def __init__(self, path: PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _reason(exc: Exception) -> str:
    """FFmpeg's own words for an error, without errno numbers and paths."""
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0]


def _check_file(path: Path) -> None:
    if not path.exists():
        raise BrokenVideoError(path, "missing file")
    if path.is_dir():
        raise BrokenVideoError(path, "is a folder, not a video")
    if path.stat().st_size == 0:
        raise BrokenVideoError(path, "empty file (0 bytes)")


class PyAVReader:
    """Keyframe-aware random access with PyAV (FFmpeg)."""

    backend = "pyav"

    def __init__(self, path: PathLike, threads: int = 1, skip_unwanted: bool = True) -> None:
        import av
        import av.video.reformatter

        self.skip_unwanted = skip_unwanted
        self.path = Path(path)
        _check_file(self.path)
        try:
            self._container = av.open(str(self.path))
            if not self._container.streams.video:
                raise BrokenVideoError(self.path, "no video stream")
            self._stream = stream = self._container.streams.video[0]
            stream.thread_count = threads
            pts, keys = [], []
            for packet in self._container.demux(stream):
                if packet.pts is None or packet.size == 0:
                    continue
                pts.append(packet.pts)
                keys.append(packet.is_keyframe)
        except BrokenVideoError:
            raise
        except Exception as exc:  # PyAV raises one exception class per FFmpeg error code
            raise BrokenVideoError(self.path, f"cannot read: {_reason(exc)}") from None
        if not pts:
            raise BrokenVideoError(self.path, "no video frames")
        declared = stream.frames  # the container's own frame count (0 when it keeps none)
        if declared and len(pts) < declared:
            raise BrokenVideoError(self.path, f"truncated file: {len(pts)} of {declared} frames present")
        order = np.argsort(pts, kind="stable")
        self._pts = np.asarray(pts, dtype=np.int64)[order]
        self._index_of_pts: Dict[int, int] = {int(p): i for i, p in enumerate(self._pts)}
        is_key = np.asarray(keys, dtype=bool)[order]
        is_key[0] = True  # decoding always starts somewhere
        self.keyframes = np.flatnonzero(is_key)
        base = stream.start_time if stream.start_time is not None else int(self._pts[0])
        self.frame_times = (self._pts - base) * float(stream.time_base)
        self.num_frames = len(self._pts)
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else (self.num_frames - 1) / max(self.frame_times[-1], 1e-9)
        self.width = stream.codec_context.width
        self.height = stream.codec_context.height
        self.codec = stream.codec_context.name
        self.duration = float(self.frame_times[-1] + 1.0 / self.fps)
        self._packets = None
        self._position = -1  # index of the last frame the decoder produced
        # one colour converter for every frame: ``frame.to_ndarray(format="rgb24")`` builds a new swscale
        # context (and a thread pool) per frame, 3-10x the cost of the conversion itself; same pixels
        self._to_rgb = av.video.reformatter.VideoReformatter()

    def _restart_at(self, index: int) -> None:
        key = self.keyframes[np.searchsorted(self.keyframes, index, side="right") - 1]
        self._container.seek(int(self._pts[key]), stream=self._stream, backward=True, any_frame=False)
        self._packets = self._container.demux(self._stream)
        self._pending: deque = deque()  # decoded frames not handed out yet
        self._skipped: set = set()  # pts of packets decoded with non-reference frames skipped
        self._position = -1

    def _next_frame(self, wanted: set):
        """The next frame in display order; packets of frames nobody asked for are decoded with
        ``skip_frame=NONREF``, so non-reference frames among them (most B-frames) cost nothing."""
        context = self._stream.codec_context
        while not self._pending:
            packet = next(self._packets)
            if self.skip_unwanted and packet.pts is not None and packet.size and packet.pts not in wanted:
                context.skip_frame = "NONREF"
                self._skipped.add(packet.pts)
            else:
                context.skip_frame = "DEFAULT"
            self._pending.extend(context.decode(packet))
        return self._pending.popleft()

    def _copy_rgb(self, frame, out: np.ndarray) -> None:
        """Convert ``frame`` to RGB straight into ``out`` (no intermediate array)."""
        plane = self._to_rgb.reformat(frame, format="rgb24", threads=1).planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(self.height, plane.line_size)
        out[...] = rows[:, :self.width * 3].reshape(self.height, self.width, 3)

    def get_frames(self, indices: Sequence[int]) -> np.ndarray:
        """Frames at sorted, unique ``indices`` as ``(N, H, W, 3)`` RGB."""
        out = np.empty((len(indices), self.height, self.width, 3), dtype=np.uint8)
        indices = [int(i) for i in indices]
        for index in indices:
            if not 0 <= index < self.num_frames:
                raise IndexError(f"{self.path}: frame {index} out of range [0, {self.num_frames})")
        wanted = {int(p) for p in self._pts[indices]} if indices else set()
        for slot, index in enumerate(indices):
            key_before = self.keyframes[np.searchsorted(self.keyframes, index, side="right") - 1]
            if (self._packets is None or self._position >= index or key_before > self._position
                    or int(self._pts[index]) in self._skipped):
                self._restart_at(index)
            try:
                while self._position < index:
                    frame = self._next_frame(wanted)
                    position = None if frame.pts is None else self._index_of_pts.get(int(frame.pts))
                    if position is None:
                        continue
                    self._position = position
                    if position == index:
                        self._copy_rgb(frame, out[slot])
            except StopIteration:
                self._packets = None
                raise BrokenVideoError(self.path, f"frame {index} cannot be decoded (truncated file?)") from None
            except Exception as exc:
                self._packets = None
                raise BrokenVideoError(self.path, f"decoding frame {index} failed: {_reason(exc)}") from None
            if self._position != index:  # the decoder passed the frame without producing it
                self._packets = None
                raise BrokenVideoError(self.path, f"frame {index} was not produced by the decoder")
        return out

    def close(self) -> None:
        self._container.close()


class DecordReader:
    """decord's ``VideoReader`` (what mmaction2's ``DecordInit`` / ``DecordDecode`` use)."""

    backend = "decord"

    def __init__(self, path: PathLike, threads: int = 1) -> None:
        import decord

        self.path = Path(path)
        _check_file(self.path)
        try:  # decord raises its own DECORDError (from its threaded decoder too) on a damaged file
            self._reader = decord.VideoReader(str(self.path), num_threads=threads)
            self.num_frames = len(self._reader)
            if self.num_frames == 0:
                raise BrokenVideoError(self.path, "no video frames")
            self.fps = float(self._reader.get_avg_fps())
            self.height, self.width = self._reader[0].shape[:2]
            self.keyframes = np.asarray(self._reader.get_key_indices(), dtype=np.int64)
            stamps = np.asarray(self._reader.get_frame_timestamp(np.arange(self.num_frames)))
        except BrokenVideoError:
            raise
        except Exception as exc:
            raise BrokenVideoError(self.path, f"cannot read: {_reason(exc)[:200]}") from None
        self.frame_times = stamps[:, 0]
        self.duration = float(stamps[-1, 1])
        self.codec = None

    def get_frames(self, indices: Sequence[int]) -> np.ndarray:
        try:
            return self._reader.get_batch(list(map(int, indices))).asnumpy()
        except Exception as exc:
            raise BrokenVideoError(self.path, f"decoding failed: {str(exc).splitlines()[0]}") from None

    def close(self) -> None:
        self._reader = None


BACKENDS: Dict[str, Callable[..., object]] = {"pyav": PyAVReader, "decord": DecordReader}
DEFAULT_BACKEND = "pyav"
_OPENED: set = set()


def _note_backend(backend: str) -> None:
    """Warn once when one process uses both backends: decord and PyAV bundle different FFmpeg builds,
    and once decord has decoded in a process, every PyAV read there leaks ~1 GB (measured: 5.5 GB after
    8 sparse reads of a 720p file). Use one backend per process (DataLoader workers included)."""
    _OPENED.add(backend)
    if len(_OPENED) == 2 and not getattr(_note_backend, "warned", False):

        _note_backend.warned = True
        warnings.warn("videokit: decord and PyAV readers in one process: their FFmpeg builds conflict and PyAV "
                      "reads then leak memory; use one video backend per process", RuntimeWarning, stacklevel=3)


class ReaderCache:
    """A bounded LRU of open readers, one per process (DataLoader workers each get their own)."""

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._readers: "OrderedDict[tuple, object]" = OrderedDict()
        self._lock = threading.Lock()
        self._inherited: list = []

    def forget_after_fork(self) -> None:
        """In a forked child: start empty, and never close (nor free) the parent's readers, whose
        decoder threads do not exist here; freeing them would wait for those threads forever."""
        self._inherited.extend(self._readers.values())
        self._readers = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: PathLike, backend: str = DEFAULT_BACKEND, threads: int = 1):
        key = (backend, str(path))
        with self._lock:
            reader = self._readers.get(key)
            if reader is not None:
                self._readers.move_to_end(key)
                return reader
        reader = open_video(path, backend, threads=threads, cache=False)
        with self._lock:
            self._readers[key] = reader
            while len(self._readers) > self.capacity:
                _, old = self._readers.popitem(last=False)
                old.close()
        return reader

    def clear(self) -> None:
        with self._lock:
            for reader in self._readers.values():
                reader.close()
            self._readers.clear()


_CACHE = ReaderCache()
os.register_at_fork(after_in_child=_CACHE.forget_after_fork)
atexit.register(_CACHE.clear)  # close decoders before the interpreter tears their libraries down


def open_video(path: PathLike, backend: str = DEFAULT_BACKEND, threads: int = 1, cache: bool = True):
    """An open reader for ``path`` (reused from this process's cache when ``cache``)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown video backend {backend!r}; expected one of {sorted(BACKENDS)}")
    _note_backend(backend)
    if cache:
        return _CACHE.get(path, backend, threads)
    return BACKENDS[backend](path, threads=threads)


def read_frames(path: PathLike, indices: Sequence[int], backend: str = DEFAULT_BACKEND,
                cache: bool = True, reader: Optional[object] = None) -> np.ndarray:
    """Frames at ``indices`` (any order, repeats allowed) in one batched call: ``(len(indices), H, W, 3)``."""
    indices = np.asarray(indices, dtype=np.int64)
    unique, inverse = np.unique(indices, return_inverse=True)
    reader = reader or open_video(path, backend, cache=cache)
    frames = reader.get_frames(unique)
    return frames[inverse]
