"""Stage 5: evaluation as pure functions over numpy arrays, wrapped by registered mmengine METRICS."""
from .detection import ACTIVITYNET_TIOU, OPHNET_TIOU, DetectionResult, detection_map
from .metrics import DetectionMetric, HierarchyMetric, MultiLabelMetric, RecognitionMetric
from .recognition import (accuracy_report, confusion, consistency, consistent_predictions, hierarchy_paths,
                          multilabel_map)

from .workflow import edit_score, frame_accuracy, segmental_f1, workflow_report

__all__ = ["DetectionMetric", "ACTIVITYNET_TIOU", "OPHNET_TIOU", "DetectionResult", "detection_map", "edit_score", "frame_accuracy",
           "segmental_f1", "workflow_report", "HierarchyMetric", "MultiLabelMetric", "RecognitionMetric", "accuracy_report", "confusion",
           "consistency", "consistent_predictions", "hierarchy_paths", "multilabel_map"]
