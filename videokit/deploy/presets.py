"""Moved to :mod:`videokit.inference.presets` (detection post-processing presets are prediction's);
this path is kept for one release."""
from ..inference.presets import PRESETS, apply_preset  # noqa: F401
from ..utils.moved import moved

moved(__name__, "videokit.inference.presets")
