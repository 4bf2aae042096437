"""Moved to :mod:`videokit.inference.runtime` (running an exported model is prediction's job);
this path is kept for one release."""
from ..inference.runtime import OnnxBackbone, OnnxDetector, OnnxRecognizer, OnnxWorkflow, providers, session  # noqa: F401
from ..utils.moved import moved

moved(__name__, "videokit.inference.runtime")
