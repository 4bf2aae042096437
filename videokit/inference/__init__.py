"""From a trained model and a video to a timeline: sliding-window recognition, detection on features
cut like the training features (:mod:`videokit.features`), segments for a timeline, online streaming
(``videokit predict``). Prediction only: how features are cut, stored and extracted is
:mod:`videokit.features`'s."""
from .network import load_model
from .predict import Detector, Prediction, PredictOptions, predict_video, window_grid
from .recognize import Recognizer, window_scores
from .segments import ScoredSegment, detections_to_timeline, scores_to_segments

__all__ = ["Detector", "Prediction", "PredictOptions", "Recognizer", "ScoredSegment", "detections_to_timeline",
           "load_model", "predict_video", "scores_to_segments", "window_grid", "window_scores"]
