"""A DATASET for online workflow tasks on extracted features: per video, one feature per step (default
1 fps) using only frames already seen, the current class per step and the time until each class starts.

A step at time ``t`` takes the latest window that *ended* by ``t`` (``tools/extract_features.py``
records window centres; a window of ``w`` frames ends ``w / 2 / fps`` after its centre), so no step
sees a frame after its own time. Steps run from the end of the first window to the end of the last.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np
import torch
from mmaction.registry import DATASETS
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement

from ..annotations import read_annotations
from ..annotations.online_targets import current_labels, time_to_next_start, train_mean
from ..bundled import resolve_data
from ..features import FeatureSpec
from .features import _present_features, feature_folder


def causal_steps(meta: Dict, fps: float) -> Dict[str, np.ndarray]:
    """Step times and, per step, the index of the latest window that ended by then (from a sidecar): the
    feature spec's schedule, the one ``videokit predict --online`` streams with."""
    spec = FeatureSpec(window=int(meta["window"]), stride=int(meta["stride"]), offset=float(meta.get("offset") or 0.0))
    return spec.step_schedule(len(meta["times"]), float(meta["fps"]), fps)


@DATASETS.register_module()
class WorkflowFeatureDataset(BaseDataset):
    """Samples: ``inputs`` (C, T) causal step features; ``data_samples`` with ``gt_labels`` (T,) current
    class (-1: none), ``gt_anticipation`` (T, K) seconds until each class starts (clipped at ``horizon``),
    ``times`` (T,) seconds.

    ``metainfo['train_mean_anticipation']`` is the per-class mean target over ``baseline_split``'s
    videos: the "predict the training-set mean" baseline the metric reports beside the model.
    """

    def __init__(self, ann_file: str, feature_dir: str, level: Optional[str] = None, horizon: float = 300.0,
                 fps: float = 1.0, ann_format: str = "canonical", split: Optional[str] = None,
                 baseline_split: Optional[str] = "train", max_seq_len: Optional[int] = None,
                 test_mode: bool = False, missing: str = "skip", feature_spec: Optional[Dict] = None,
                 **kwargs) -> None:
        self.missing, self.feature_spec = missing, feature_spec
        self.feature_dir, self.level, self.horizon, self.step_fps = feature_dir, level, float(horizon), float(fps)
        self.ann_format, self.split, self.baseline_split = ann_format, split, baseline_split
        self.max_seq_len = max_seq_len
        super().__init__(ann_file=ann_file, pipeline=[], test_mode=test_mode, serialize_data=False, **kwargs)

    def _videos(self, annotations, split, num_classes, level, report: bool = True) -> List[Dict]:
        data = []
        folder = feature_folder(self)
        for video_id, npy in _present_features(self, annotations, split, report):
            video = annotations.videos[video_id]
            meta = folder.meta(video_id)
            if meta.get("fixed_length"):
                raise ValueError(f"{folder.sidecar_path(video_id)}: features resampled to a fixed length have no "
                                 "causal time axis; "
                                 "extract sliding-window features for online tasks")
            steps = causal_steps(meta, self.step_fps)
            data.append(dict(video_id=video.video_id, features=npy, index=steps["index"], times=steps["times"],
                             labels=current_labels(video, level, steps["times"]),
                             anticipation=time_to_next_start(video, level, num_classes, steps["times"],
                                                             self.horizon)))
        return data

    def load_data_list(self) -> List[Dict]:
        annotations = read_annotations(resolve_data(self.ann_file), self.ann_format)
        level = self.level or annotations.levels[-1]
        classes = annotations.taxonomy.level(level)
        data = self._videos(annotations, self.split, classes.num_classes, level)
        if not data:
            raise ValueError(f"{self.ann_file}: no video of split {self.split!r} has features in {self.feature_dir}")
        meta = dict(classes=tuple(annotations.taxonomy.class_names(level)), level=level, horizon=self.horizon,
                    step_fps=self.step_fps)
        if self.baseline_split:
            baseline = self._videos(annotations, self.baseline_split, classes.num_classes, level, report=False)
            if baseline:
                meta["train_mean_anticipation"] = train_mean([v["anticipation"] for v in baseline]).tolist()
        self._metainfo.update(meta)
        return data

    def prepare_data(self, idx: int) -> Dict:
        info = self.get_data_info(idx)
        feats = feature_folder(self).load(info["video_id"])[info["index"]]  # (T, C), causal
        labels, anticipation, times = info["labels"], info["anticipation"], info["times"]
        if not self.test_mode and self.max_seq_len and len(feats) > self.max_seq_len:
            # a random crop; the steps keep their true times, which the model sees as the elapsed time
            start = int(np.random.randint(0, len(feats) - self.max_seq_len + 1))
            window = slice(start, start + self.max_seq_len)
            feats, labels, anticipation, times = (x[window] for x in (feats, labels, anticipation, times))
        sample = BaseDataElement(metainfo=dict(video_id=info["video_id"], horizon=self.horizon),
                                 gt_labels=torch.from_numpy(np.asarray(labels)),
                                 gt_anticipation=torch.from_numpy(np.asarray(anticipation, dtype=np.float32)),
                                 times=torch.from_numpy(np.asarray(times, dtype=np.float32)))
        return dict(inputs=torch.from_numpy(feats).t().contiguous(), data_samples=sample)
