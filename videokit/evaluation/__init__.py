"""Stage 5: evaluation as pure functions over numpy arrays, wrapped by registered mmengine METRICS."""
from .anticipation import anticipation_errors, anticipation_report
from .detection import ACTIVITYNET_TIOU, OPHNET_TIOU, DetectionResult, detection_map
from .metrics import (AnticipationMetric, DetectionMetric, HierarchyMetric, MultiLabelMetric,
                      OnlineRecognitionMetric, RecognitionMetric)
from .recognition import (accuracy_report, confusion, consistency, consistent_predictions, hierarchy_paths,
                          multilabel_map)
from .workflow import edit_score, frame_accuracy, per_class_f1, segmental_f1, workflow_report

__all__ = ["ACTIVITYNET_TIOU", "OPHNET_TIOU", "AnticipationMetric", "DetectionMetric", "DetectionResult",
           "HierarchyMetric", "MultiLabelMetric", "OnlineRecognitionMetric", "RecognitionMetric", "accuracy_report",
           "anticipation_errors", "anticipation_report", "confusion", "consistency", "consistent_predictions",
           "detection_map", "edit_score", "frame_accuracy", "hierarchy_paths", "multilabel_map", "per_class_f1",
           "segmental_f1", "workflow_report"]
