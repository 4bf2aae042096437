"""Small H.264 videos made on the fly with PyAV, whose frames say their own index.

Each frame shows its index as a 12-bit pattern of black / white blocks, large enough to survive
compression, so a decoded frame can be identified exactly (:func:`frame_index`).
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Optional, Sequence

import av
import numpy as np

BITS = 12


def index_frame(index: int, width: int = 128, height: int = 96) -> np.ndarray:
    frame = np.full((height, width, 3), 40, dtype=np.uint8)
    block = width // BITS
    for bit in range(BITS):
        if index >> bit & 1:
            frame[: height // 2, bit * block:(bit + 1) * block] = 230
    frame[height // 2:, :, 0] = (index * 7) % 256  # some texture that changes every frame
    return frame


def frame_index(frame: np.ndarray) -> int:
    height, width = frame.shape[:2]
    block = width // BITS
    top = frame[: height // 2].mean(axis=(0, 2))
    return sum(1 << bit for bit in range(BITS) if top[bit * block:(bit + 1) * block].mean() > 135)


def make_video(path: Path, num_frames: int = 60, fps: int = 25, gop: int = 12, width: int = 128,
               height: int = 96, bframes: int = 2, times: Optional[Sequence[float]] = None,
               faststart: bool = True, preset: str = "medium") -> Path:
    """An H.264 MP4 of ``num_frames`` index frames; ``times`` (seconds) makes it variable-rate; ``preset``: x264's
    (``ultrafast`` encodes a long video in a third of the time, in a larger file)."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.options = {"g": str(gop), "bf": str(bframes), "sc_threshold": "0", "crf": "18",
                                       "preset": preset}
        if times is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(num_frames):
            frame = av.VideoFrame.from_ndarray(index_frame(i, width, height), format="rgb24")
            if times is not None:
                frame.pts = int(round(times[i] * 1000))
                frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def sequential_frames(path: Path) -> np.ndarray:
    """Every frame of ``path`` in display order, decoded one after the other (the reference)."""
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])
