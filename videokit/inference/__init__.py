"""From a trained model and a video to a timeline: sliding-window recognition, detection on features
cut like the training features (:mod:`videokit.features`), segments for a timeline, online streaming
(``videokit predict``), and the exported networks under onnxruntime (:mod:`.runtime`). Prediction only: how
features are cut, stored and extracted is :mod:`videokit.features`'s."""
import warnings

from .network import load_model
from .predict import Prediction, PredictOptions, TrainedDetector, predict_video, window_grid
from .recognize import TrainedRecognizer, window_scores
from .segments import ScoredSegment, detections_to_timeline, scores_to_segments

#: names this package had before (they read as models, but are trained models ready for prediction)
RENAMED = {"Recognizer": "TrainedRecognizer", "Detector": "TrainedDetector"}


def __getattr__(name: str):
    if name in RENAMED:
        warnings.warn(f"videokit.inference.{name} is now {RENAMED[name]}; the old name goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return globals()[RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Prediction", "PredictOptions", "ScoredSegment", "TrainedDetector", "TrainedRecognizer",
           "detections_to_timeline", "load_model", "predict_video", "scores_to_segments", "window_grid",
           "window_scores"]
