"""Evaluation as pure functions over numpy arrays, wrapped by registered mmengine METRICS.

The pure functions (detection mAP, workflow and anticipation metrics) import numpy only; the METRICS
and the recognition functions (which call mmaction2's) are imported on first use, so the annotation
and evaluation verbs of the CLI never load torch / mmengine / mmaction2.
"""
from importlib import import_module

from .anticipation import anticipation_errors, anticipation_report
from .detection import ACTIVITYNET_TIOU, OPHNET_TIOU, DetectionResult, detection_map
from .workflow import edit_score, frame_accuracy, per_class_f1, segment_matches, segmental_f1, workflow_report

_LAZY = {name: ".metrics" for name in ("AnticipationMetric", "DetectionMetric", "HierarchyMetric",
                                       "MultiLabelMetric", "OnlineRecognitionMetric", "RecognitionMetric")}
_LAZY.update({name: ".recognition" for name in ("accuracy_report", "confusion", "consistency",
                                                "consistent_predictions", "multilabel_map")})

__all__ = ["ACTIVITYNET_TIOU", "OPHNET_TIOU", "DetectionResult", "anticipation_errors", "anticipation_report",
           "detection_map", "edit_score", "frame_accuracy", "per_class_f1", "segment_matches", "segmental_f1",
           "workflow_report", *sorted(_LAZY)]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
