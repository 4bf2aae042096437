"""Moved to :mod:`videokit.features.window_features` (windows of frames into feature rows; the backbone
is the model's); this path is kept for one release."""
from ..utils.moved import moved
from .window_features import WindowBackbone, prepare_frames, window_features  # noqa: F401

moved(__name__, "videokit.features.window_features")
