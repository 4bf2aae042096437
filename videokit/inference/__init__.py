"""From a trained model and a video to a timeline: sliding-window recognition, detection on features
cut like the training features (:mod:`videokit.features`), segments for a timeline, online streaming
(``videokit predict``), and the exported networks under onnxruntime (:mod:`.runtime`). Prediction only: how
features are cut, stored and extracted is :mod:`videokit.features`'s.

The names below load on first use, so the torch-free parts (:mod:`.assemble`, :mod:`.segments`,
:mod:`.runtime`) import without the training stack (the model-file runtime, :mod:`videokit.runtime`, uses them).
"""
import importlib
import warnings

#: name -> the module that defines it
_NAMES = {
    "load_model": "network", "Prediction": "assemble", "PredictOptions": "assemble", "window_grid": "assemble",
    "timeline_from_scores": "assemble", "TrainedDetector": "predict", "predict_video": "predict",
    "TrainedRecognizer": "recognize", "window_scores": "recognize", "ScoredSegment": "segments",
    "detections_to_timeline": "segments", "scores_to_segments": "segments",
}
#: names this package had before (they read as models, but are trained models ready for prediction)
RENAMED = {"Recognizer": "TrainedRecognizer", "Detector": "TrainedDetector"}


def __getattr__(name: str):
    if name in RENAMED:
        warnings.warn(f"videokit.inference.{name} is now {RENAMED[name]}; the old name goes in the next release",
                      DeprecationWarning, stacklevel=2)
        name = RENAMED[name]
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Prediction", "PredictOptions", "ScoredSegment", "TrainedDetector", "TrainedRecognizer",
           "detections_to_timeline", "load_model", "predict_video", "scores_to_segments", "timeline_from_scores",
           "window_grid", "window_scores"]
