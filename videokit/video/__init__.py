"""Everything that touches a video file: probing, time -> frame sampling, decoding.

Plain Python over decord / PyAV, no mmaction2 imports. Entry points: :func:`probe`,
:func:`read_frames` (with :func:`open_video`), the samplers in :mod:`videokit.video.sampling`, and
:class:`FrameSource` for frames as they arrive (files, growing files, cameras).
"""
from .check import check_video
from .decode import BACKENDS, DEFAULT_BACKEND, BrokenVideoError, ReaderCache, open_video, read_frames
from .probe import FrameRates, VideoInfo, find_videos, probe, probe_files, probe_folder
from .sampling import dense_indices, keyframe_tsn_indices, time_range_to_frames, tsn_indices
from .stream import FrameSource

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "BrokenVideoError", "FrameRates", "FrameSource", "ReaderCache", "VideoInfo",
           "check_video", "dense_indices", "find_videos", "keyframe_tsn_indices", "open_video", "probe", "probe_files",
           "probe_folder", "read_frames", "time_range_to_frames", "tsn_indices"]
