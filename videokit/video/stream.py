"""Frames in arrival order, for streaming: a video file, a file still being written, or a camera.

The online streamer (``videokit predict --online``) reads through this; it is the one place besides
:mod:`.decode` that opens a video, through OpenCV (which also reads cameras and growing files).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator, Union

import numpy as np


class FrameSource:
    """Frames in order from a video file, a growing file (``follow=True``: wait for more until
    ``idle_timeout`` seconds pass without a new frame) or a camera index, through OpenCV; RGB uint8."""

    def __init__(self, source: Union[str, int], follow: bool = False, idle_timeout: float = 10.0,
                 default_fps: float = 30.0) -> None:
        import cv2

        self.source = int(source) if str(source).isdigit() and not Path(str(source)).exists() else str(source)
        self.follow, self.idle_timeout = follow, idle_timeout
        self.capture = cv2.VideoCapture(self.source)
        if not self.capture.isOpened():
            raise ValueError(f"{source}: cannot open (not a readable video file or camera index)")
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 else default_fps
        self.is_camera = isinstance(self.source, int)

    def __iter__(self) -> Iterator[np.ndarray]:
        import cv2

        index, idle_since = 0, None
        while True:
            ok, frame = self.capture.read()
            if ok:
                idle_since = None
                index += 1
                yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                continue
            if not self.follow or self.is_camera:
                break
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > self.idle_timeout:
                break
            time.sleep(0.2)  # the file may still be growing: reopen and go on from the next frame
            self.capture.release()
            self.capture = cv2.VideoCapture(self.source)
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        self.capture.release()
