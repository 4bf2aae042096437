"""A trained model at work without the training stack: a videokit model file (an ONNX network with its
manifest, written by ``videokit export``) predicts a video's timeline with onnxruntime, PyAV and numpy only.

Entry points: :class:`ModelFile` (read and check a model file), :func:`predict_with_model_file` (one video ->
a one-video annotation set, as ``videokit predict`` makes), :func:`open_online` (an exported backbone and
workflow step, for ``videokit predict --online``). Nothing here imports torch, mmengine, mmaction2 or
mmcv; ``videokit-runtime`` (docs/prediction.md) installs only what this package needs.
"""
from .clips import ClipPipeline
from .model_file import FORMAT, KEY, VERSION, ModelFile, ModelFileError, read_manifest
from .online import OnlineModelFiles, open_online
from .predict import predict_with_model_file

__all__ = ["FORMAT", "KEY", "VERSION", "ClipPipeline", "ModelFile", "ModelFileError", "OnlineModelFiles",
           "open_online", "predict_with_model_file", "read_manifest"]
