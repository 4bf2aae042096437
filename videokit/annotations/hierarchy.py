"""Moved to :mod:`videokit.annotations.hierarchy_decoding` (it decodes predictions along the hierarchy);
this path is kept for one release."""
from ..utils.moved import moved
from .hierarchy_decoding import consistent_predictions  # noqa: F401

moved(__name__, "videokit.annotations.hierarchy_decoding")
