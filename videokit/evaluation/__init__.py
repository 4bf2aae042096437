"""Stage 5: evaluation as pure functions over numpy arrays, wrapped by registered mmengine METRICS."""
from .metrics import HierarchyMetric, MultiLabelMetric, RecognitionMetric
from .recognition import (accuracy_report, confusion, consistency, consistent_predictions, hierarchy_paths,
                          multilabel_map)

__all__ = ["HierarchyMetric", "MultiLabelMetric", "RecognitionMetric", "accuracy_report", "confusion",
           "consistency", "consistent_predictions", "hierarchy_paths", "multilabel_map"]
