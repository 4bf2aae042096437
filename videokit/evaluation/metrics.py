"""mmengine METRICS over the pure functions of :mod:`videokit.evaluation.recognition`."""
from __future__ import annotations

import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ..utils import atomic_output
from ..visualization.charts import plot_confusion
from .anticipation import anticipation_report
from .detection import detection_map
from .recognition import accuracy_report, confusion, consistency, multilabel_map
from .workflow import BACKGROUND, F1_AVERAGES, frame_accuracy, per_class_f1, workflow_report


def _numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def _output_dir(out_dir: Optional[str]) -> Optional[str]:
    """``out_dir``, else the folder of the current run's log file (the runner's log_dir)."""
    if out_dir:
        return out_dir
    log_file = getattr(MMLogger.get_current_instance(), "log_file", None)
    return osp.dirname(log_file) if log_file else None


@METRICS.register_module()
class RecognitionMetric(BaseMetric):
    """Top-k, mean class accuracy (``mean_class``: mmaction2's convention by default, see
    :func:`~videokit.evaluation.recognition.accuracy_report`), accuracy per long-tail group (from the
    dataset's ``class_groups``), ``num_samples`` (how many samples it was computed on), and the confusion
    matrix saved as ``confusion_matrix.csv`` / ``.png`` in the run's log folder."""

    default_prefix = "acc"

    def __init__(self, topk: Sequence[int] = (1, 5), save_confusion: bool = True, out_dir: Optional[str] = None,
                 mean_class: str = "mmaction2", collect_device: str = "cpu", prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk, self.save_confusion, self.out_dir = tuple(topk), save_confusion, out_dir
        self.mean_class = mean_class

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            label = _numpy(sample["gt_label"]).reshape(-1)
            self.results.append((_numpy(sample["pred_score"]).astype(np.float32), int(label[-1])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = np.stack([r[0] for r in results])
        labels = np.array([r[1] for r in results])
        meta = self.dataset_meta or {}
        report = accuracy_report(scores, labels, self.topk, meta.get("class_groups"), self.mean_class)
        report["num_samples"] = len(labels)
        folder = _output_dir(self.out_dir)
        if self.save_confusion and folder:
            names = list(meta.get("classes") or [str(i) for i in range(scores.shape[1])])
            matrix = confusion(scores, labels, scores.shape[1])
            table = pd.DataFrame(matrix, index=names[: len(matrix)], columns=names[: len(matrix)])
            with atomic_output(osp.join(folder, "confusion_matrix.csv")) as tmp:
                table.to_csv(tmp)

            plot_confusion(matrix, names[: len(matrix)], osp.join(folder, "confusion_matrix.png"))
        return report


@METRICS.register_module()
class MultiLabelMetric(BaseMetric):
    """Multi-label recognition (OphNet surgery types): mAP over classes, and hit@1 (the top-scored
    class is one of the video's labels)."""

    default_prefix = "multilabel"

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append((_numpy(sample["pred_score"]).astype(np.float32),
                                 _numpy(sample["gt_label"]).astype(np.float32)))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = np.stack([r[0] for r in results])
        targets = np.stack([r[1] for r in results])
        hit = targets[np.arange(len(scores)), scores.argmax(1)] > 0
        return {"mAP": multilabel_map(scores, targets), "hit@1": float(hit.mean()), "num_samples": len(scores)}


@METRICS.register_module()
class HierarchyMetric(BaseMetric):
    """For :class:`MultiLevelHead`: accuracy per level and the share of hierarchy-consistent predictions,
    for joint (consistent) decoding and for independent per-level argmax."""

    default_prefix = "hierarchy"

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append((_numpy(sample["gt_label"]).reshape(-1), _numpy(sample["pred_levels"]),
                                 _numpy(sample["pred_levels_independent"])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        truth = np.stack([r[0] for r in results])
        joint = np.stack([r[1] for r in results])
        independent = np.stack([r[2] for r in results])
        levels = list((self.dataset_meta or {}).get("levels") or [f"level{i}" for i in range(truth.shape[1])])
        paths = self._paths(truth)
        report = {}
        for i, level in enumerate(levels[: truth.shape[1]]):
            known = truth[:, i] >= 0
            report[f"{level}_top1"] = float((joint[known, i] == truth[known, i]).mean()) if known.any() else 0.0
            report[f"{level}_top1_independent"] = float((independent[known, i] == truth[known, i]).mean()) \
                if known.any() else 0.0
        report["consistent"] = consistency(joint, paths)
        report["consistent_independent"] = consistency(independent, paths)
        report["num_samples"] = len(truth)
        return report

    def _paths(self, truth: np.ndarray) -> np.ndarray:
        paths = (self.dataset_meta or {}).get("hierarchy_paths")
        return np.asarray(paths) if paths is not None else np.unique(truth, axis=0)


@METRICS.register_module()
class DetectionMetric(BaseMetric):
    """Temporal detection mAP at tIoU thresholds (:func:`videokit.evaluation.detection.detection_map`);
    optionally writes the predictions as an ActivityNet results file ``results_file``."""

    default_prefix = "detection"

    def __init__(self, tiou: Sequence[float] = (0.3, 0.4, 0.5, 0.6, 0.7), drop_degenerate: bool = False,
                 results_file: Optional[str] = None, collect_device: str = "cpu", prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.tiou, self.drop_degenerate, self.results_file = tuple(tiou), drop_degenerate, results_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append((sample["video_id"], _numpy(sample["segments"]), _numpy(sample["scores"]),
                                 _numpy(sample["labels"]), _numpy(sample["gt_segments_sec"]),
                                 _numpy(sample["gt_labels"])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        names = list((self.dataset_meta or {}).get("classes") or [])
        def name(k) -> str:
            return names[int(k)] if int(k) < len(names) else str(int(k))
        gt, pred, by_video = [], [], {}
        for video, segs, scores, labels, gt_segs, gt_labels in results:
            gt += [(video, name(k), float(s), float(e)) for (s, e), k in zip(gt_segs.reshape(-1, 2), gt_labels)]
            rows = [(video, name(k), float(s), float(e), float(c))
                    for (s, e), c, k in zip(segs.reshape(-1, 2), scores, labels)]
            pred += rows
            by_video[video] = [{"label": r[1], "segment": [r[2], r[3]], "score": r[4]} for r in rows]
        result = detection_map(gt, pred, self.tiou, drop_degenerate=self.drop_degenerate,
                               classes=sorted({row[1] for row in gt}))
        if self.results_file:
            with atomic_output(self.results_file) as tmp:
                tmp.write_text(json.dumps({"version": "videokit", "results": by_video}))
        report = {f"mAP@{t:.2f}": float(m) for t, m in zip(result.tiou, result.mAP)}
        report["average_mAP"] = result.average_mAP
        report["num_videos"] = len(results)
        return report


@METRICS.register_module()
class AnticipationMetric(BaseMetric):
    """Phase anticipation (wMAE, inMAE, outMAE, eMAE, mMAE at each of ``horizons`` seconds, reported divided
    by ``scale``: 60 gives minutes) and, beside them, the same errors of the "predict the training-set
    mean" baseline (``baseline_wMAE@h`` ...) when the dataset provides ``train_mean_anticipation``."""

    default_prefix = "anticipation"

    def __init__(self, horizons: Sequence[float] = (120.0, 180.0, 300.0), scale: float = 60.0,
                 collect_device: str = "cpu", prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.horizons, self.scale = tuple(float(h) for h in horizons), float(scale)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append((np.asarray(sample["anticipation"]), np.asarray(sample["gt_anticipation"])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        preds, targets = [r[0] for r in results], [r[1] for r in results]
        report = anticipation_report(preds, targets, self.horizons, self.scale)
        report["num_videos"] = len(targets)
        mean = (self.dataset_meta or {}).get("train_mean_anticipation")
        if mean is not None:
            constant = [np.broadcast_to(np.asarray(mean, dtype=np.float64), t.shape) for t in targets]
            base = anticipation_report(constant, targets, self.horizons, self.scale)
            report.update({f"baseline_{k}": v for k, v in base.items() if k != "num_videos"})
        return report


@METRICS.register_module()
class OnlineRecognitionMetric(BaseMetric):
    """Online (causal) phase recognition per step: accuracy, mean per-phase F1 (``f1/<phase>`` each),
    and the segment metrics of the predicted timeline (edit score, F1@10/25/50), as MS-TCN's published
    evaluation computes them by default: accuracy over every step, F1@k pooled over videos.
    ``f1_average='video'`` averages per-video F1 instead; ``ignore_background=True`` leaves the steps
    with no phase (-1) out of ``accuracy``; ``accuracy_labelled`` is always that number, reported beside it.
    ``num_videos`` / ``num_steps`` say what it was computed on."""

    default_prefix = "online"

    def __init__(self, f1_average: str = "pooled", ignore_background: bool = False,
                 collect_device: str = "cpu", prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

        if f1_average not in F1_AVERAGES:
            raise ValueError(f"OnlineRecognitionMetric: f1_average must be one of {F1_AVERAGES}, not {f1_average!r}")
        self.f1_average, self.ignore_background = f1_average, bool(ignore_background)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append((np.asarray(sample["phase_scores"]).argmax(1), np.asarray(sample["gt_labels"])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        preds, truths = [r[0] for r in results], [r[1] for r in results]
        report = workflow_report(preds, truths, f1_average=self.f1_average,
                                 ignore=BACKGROUND if self.ignore_background else None)
        names = list((self.dataset_meta or {}).get("classes") or [])
        num_classes = max(len(names), int(max(p.max(initial=0) for p in preds)) + 1,
                          int(max(t.max(initial=0) for t in truths)) + 1)
        f1 = per_class_f1(np.concatenate(preds), np.concatenate(truths), num_classes)
        report["accuracy"] = report.pop("frame_accuracy")
        # beside it, always: the accuracy over the steps that have a phase (a model without a background
        # class can never be right on the others)
        report["accuracy_labelled"] = frame_accuracy(np.concatenate(preds), np.concatenate(truths), BACKGROUND)
        report["num_steps"] = int(sum(len(t) for t in truths))
        report["mean_f1"] = float(np.mean(list(f1.values()))) if f1 else float("nan")
        for k, value in f1.items():
            report[f"f1/{names[k] if k < len(names) else k}"] = value
        return report
