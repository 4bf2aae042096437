"""Every window's frames from one decoding pass over a video.

Sliding windows overlap, and a group of pictures spans several of them: decoding each window on its own
re-opens, seeks back and decodes the same frames many times over. :func:`decode_windows` gathers the frame
indices all windows ask for, decodes them once in stream order (the reader seeks forward over stretches no window
needs, where the codec allows), converts each to RGB once, and hands each window its frames as soon as its last
frame is decoded, in window order. Memory holds only the frames between the oldest window still open and the
decoder's position (a few windows' worth, whatever the video's length).
"""
from __future__ import annotations

from typing import Dict, Iterator, Sequence, Tuple

import numpy as np

#: frames asked of the reader per call (its cost is per call and per frame; chunks keep memory bounded)
CHUNK = 32


def decode_windows(reader, windows: Sequence[np.ndarray], chunk: int = CHUNK) -> Iterator[Tuple[int, np.ndarray]]:
    """``(window number, frames)`` for each window (an array of frame indices, any order, repeats allowed) in
    window order: ``frames`` is ``(len(indices), H, W, 3)`` uint8 RGB, exactly what ``read_frames`` returns for
    those indices. ``reader`` is an open reader (:func:`~videokit.video.open_video`)."""
    windows = [np.asarray(w, dtype=np.int64) for w in windows]
    if not windows:
        return
    ends = np.array([w.max() if len(w) else -1 for w in windows])
    # the smallest index any window from k on needs: frames below it are never asked for again
    starts = np.array([w.min() if len(w) else np.iinfo(np.int64).max for w in windows])
    floor = np.minimum.accumulate(starts[::-1])[::-1]
    needed = np.unique(np.concatenate(windows))
    store: Dict[int, np.ndarray] = {}
    decoded = -1  # the highest frame index decoded so far
    position = 0  # the next of ``needed`` to decode
    for k, window in enumerate(windows):
        while decoded < ends[k]:
            batch = needed[position:position + chunk]
            for index, frame in zip(batch.tolist(), reader.get_frames(batch)):
                store[index] = frame
            position += len(batch)
            decoded = int(batch[-1])
        frames = np.stack([store[i] for i in window.tolist()]) if len(window) else np.empty((0, 0, 0, 3), np.uint8)
        yield k, frames
        if k + 1 < len(windows):
            for index in [i for i in store if i < floor[k + 1]]:
                del store[index]
