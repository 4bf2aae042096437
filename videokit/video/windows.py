"""Every window's frames from one decoding pass over a video.

Sliding windows overlap, and a group of pictures spans several of them: decoding each window on its own
re-opens, seeks back and decodes the same frames many times over. :func:`decode_windows` gathers the frame
indices all windows ask for, decodes them once in stream order (the reader seeks forward over stretches no window
needs, where the codec allows), converts each to RGB once, and hands each window its frames as soon as its last
frame is decoded, in window order. Memory holds only the frames between the oldest window still open and the
decoder's position (a few windows' worth, whatever the video's length).

With ``damaged=True`` a stretch the decoder cannot get through costs only the windows that need its frames: a
chunk that fails is decoded frame by frame (frames after the failing one in the same group of pictures are taken
as lost too), and a window missing a frame is handed ``None``.
"""
from __future__ import annotations

from typing import Dict, Iterator, Optional, Sequence, Tuple

import numpy as np

from .decode import BrokenVideoError

#: frames asked of the reader per call (its cost is per call and per frame; chunks keep memory bounded)
CHUNK = 32


def decode_windows(reader, windows: Sequence[np.ndarray], chunk: int = CHUNK,
                   damaged: bool = False) -> Iterator[Tuple[int, Optional[np.ndarray]]]:
    """``(window number, frames)`` for each window (an array of frame indices, any order, repeats allowed) in
    window order: ``frames`` is ``(len(indices), H, W, 3)`` uint8 RGB, exactly what ``read_frames`` returns for
    those indices. ``reader`` is an open reader (:func:`~videokit.video.open_video`). ``damaged``: go on past
    frames that cannot be decoded (their windows get ``None``) instead of raising :class:`BrokenVideoError`."""
    windows = [np.asarray(w, dtype=np.int64) for w in windows]
    if not windows:
        return
    ends = np.array([w.max() if len(w) else -1 for w in windows])
    # the smallest index any window from k on needs: frames below it are never asked for again
    starts = np.array([w.min() if len(w) else np.iinfo(np.int64).max for w in windows])
    floor = np.minimum.accumulate(starts[::-1])[::-1]
    needed = np.unique(np.concatenate(windows))
    store: Dict[int, Optional[np.ndarray]] = {}
    decoded = -1  # the highest frame index decoded so far
    position = 0  # the next of ``needed`` to decode
    for k, window in enumerate(windows):
        while decoded < ends[k]:
            batch = needed[position:position + chunk]
            store.update(_decode(reader, batch, damaged))
            position += len(batch)
            decoded = int(batch[-1])
        got = [store[i] for i in window.tolist()]
        if any(frame is None for frame in got):
            yield k, None
        else:
            yield k, np.stack(got) if got else np.empty((0, 0, 0, 3), np.uint8)
        if k + 1 < len(windows):
            for index in [i for i in store if i < floor[k + 1]]:
                del store[index]


def _decode(reader, batch: np.ndarray, damaged: bool) -> Dict[int, Optional[np.ndarray]]:
    """The frames of ``batch`` (sorted indices); with ``damaged``, ``None`` for each one that cannot be decoded."""
    try:
        return dict(zip(batch.tolist(), reader.get_frames(batch)))
    except BrokenVideoError:
        if not damaged:
            raise
    out: Dict[int, Optional[np.ndarray]] = {}
    keyframes = np.asarray(reader.keyframes)
    lost_from = None  # the keyframe whose group of pictures broke: the rest of the group is lost with it
    for index in batch.tolist():
        key = int(keyframes[np.searchsorted(keyframes, index, side="right") - 1]) if len(keyframes) else 0
        if lost_from is not None and key == lost_from:
            out[index] = None
            continue
        try:
            out[index] = reader.get_frames([index])[0]
        except BrokenVideoError:
            out[index], lost_from = None, key
    return out
