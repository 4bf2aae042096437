"""A DATASET of extracted feature sequences with their time-localized segments (temporal detection).

Reads ``tools/extract_features.py`` output (``<video_id>.npy`` + ``.json``) and any annotation source.
Segment times (seconds) become feature-index units with the sidecar's feature times, so the detector
works in feature steps and reports seconds.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np
import torch
from mmaction.registry import DATASETS
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement

from ..annotations import read_annotations, trimmed_segments
from ..bundled import resolve_data
from ..features import FeatureFolder, axis, to_units
from .presence import drop_absent


def feature_folder(dataset) -> FeatureFolder:
    """The dataset's features: ``feature_dir`` with sidecars, or external ``.npy`` files cut as its
    ``feature_spec`` (a :class:`~videokit.features.FeatureSpec` dict) says."""
    return FeatureFolder(dataset.feature_dir, getattr(dataset, "feature_spec", None))


def _present_features(dataset, annotations, split: Optional[str] = None, report: bool = True):
    """``(video_id, npy path)`` of the dataset's split whose feature file exists (absent ones reported)."""
    split = dataset.split if split is None else split
    folder = feature_folder(dataset)
    items = [dict(video_id=v.video_id, npy=str(folder.array_path(v.video_id))) for v in annotations.subset(split)]
    kept = drop_absent(items, lambda item: item["npy"], what="feature files", owner=type(dataset).__name__,
                       split=split, missing=getattr(dataset, "missing", "skip"), report=report)
    return [(item["video_id"], item["npy"]) for item in kept]


@DATASETS.register_module()
class FeatureDetectionDataset(BaseDataset):
    """One sample per video with features: ``inputs`` (C, T) and ``data_samples`` (segments, labels, times).

    ``max_seq_len`` crops training sequences at a random offset (segments clipped to the crop). Videos
    without features are left out with one log line (``missing='skip'``) or fail (``'error'``).
    ``feature_spec=dict(fps=30, stride=4, window=16)`` reads features made elsewhere (one ``.npy`` [T, C]
    per video, no sidecar), as ActionFormer's and OpenTAD's datasets do.
    """

    def __init__(self, ann_file: str, feature_dir: str, level: Optional[str] = None, ann_format: str = "canonical",
                 split: Optional[str] = None, max_seq_len: Optional[int] = None, test_mode: bool = False,
                 missing: str = "skip", feature_spec: Optional[Dict] = None, **kwargs) -> None:
        self.feature_spec = feature_spec
        self.feature_dir, self.level, self.ann_format = feature_dir, level, ann_format
        self.split, self.max_seq_len, self.missing = split, max_seq_len, missing
        super().__init__(ann_file=ann_file, pipeline=[], test_mode=test_mode, serialize_data=False, **kwargs)

    def load_data_list(self) -> List[Dict]:
        annotations = read_annotations(resolve_data(self.ann_file), self.ann_format)
        level = self.level or annotations.levels[-1]
        self._metainfo.update(classes=tuple(annotations.taxonomy.class_names(level)), level=level)
        segments: Dict[str, list] = {}
        for item in trimmed_segments(annotations, level):
            segments.setdefault(item.video.video_id, []).append(
                (float(item.segment.start), float(item.segment.end), item.label))
        data = []
        folder = feature_folder(self)
        for video_id, npy in _present_features(self, annotations):
            meta = folder.meta(video_id, annotations.videos[video_id].duration)
            data.append(dict(video_id=video_id, features=npy, times=meta["times"], segments=segments.get(video_id, [])))
        if not data:
            raise ValueError(f"{self.ann_file}: no video of split {self.split!r} has features in {self.feature_dir}")
        return data

    def prepare_data(self, idx: int) -> Dict:
        info = self.get_data_info(idx)
        feats = feature_folder(self).load(info["video_id"])  # (T, C)
        time0, step = axis(info["times"])
        segs = np.array([s[:2] for s in info["segments"]], dtype=np.float64).reshape(-1, 2)
        labels = np.array([s[2] for s in info["segments"]], dtype=np.int64)
        units = to_units(segs, info["times"])  # seconds -> feature positions, the spec's mapping
        offset = 0
        if not self.test_mode and self.max_seq_len and len(feats) > self.max_seq_len:
            offset = int(np.random.randint(0, len(feats) - self.max_seq_len + 1))
            feats = feats[offset:offset + self.max_seq_len]
            units = np.clip(units - offset, 0, len(feats) - 1)
            keep = units[:, 1] - units[:, 0] > 0.5
            units, labels = units[keep], labels[keep]
        sample = BaseDataElement(
            metainfo=dict(video_id=info["video_id"], time0=time0 + offset * step, time_step=step),
            gt_segments=torch.from_numpy(units).float(), gt_labels=torch.from_numpy(labels),
            gt_segments_sec=torch.from_numpy(segs))  # uncropped seconds, for evaluation (test mode)
        return dict(inputs=torch.from_numpy(feats).t().contiguous(), data_samples=sample)


@DATASETS.register_module()
class ProposalFeatureDataset(BaseDataset):
    """mmaction2's BMN on videokit's features: one sample per video with the metadata its transforms
    (``GenerateLocalizationLabels``, ``PackLocalizationInputs``) and ``ANetMetric`` read.

    Features must be resampled to the model's ``temporal_dim`` (``tools/extract_features.py
    --fixed-length 100``); they are taken to cover the whole video uniformly.
    """

    def __init__(self, ann_file: str, feature_dir: str, pipeline: List, level: Optional[str] = None,
                 ann_format: str = "canonical", split: Optional[str] = None, test_mode: bool = False,
                 missing: str = "skip", feature_spec: Optional[Dict] = None, **kwargs) -> None:
        self.feature_dir, self.level, self.ann_format, self.split = feature_dir, level, ann_format, split
        self.missing, self.feature_spec = missing, feature_spec
        super().__init__(ann_file=ann_file, pipeline=pipeline, test_mode=test_mode, **kwargs)

    def load_data_list(self) -> List[Dict]:
        annotations = read_annotations(resolve_data(self.ann_file), self.ann_format)
        level = self.level or annotations.levels[-1]
        names = annotations.taxonomy.class_names(level)
        segments: Dict[str, list] = {}
        for item in trimmed_segments(annotations, level):
            segments.setdefault(item.video.video_id, []).append(
                {"segment": [float(item.segment.start), float(item.segment.end)],
                 "label": names[item.label]})
        data = []
        folder = feature_folder(self)
        for video_id, npy in _present_features(self, annotations):
            meta = folder.meta(video_id, annotations.videos[video_id].duration)
            frames = int(meta["num_frames"] or round((meta["times"][-1] * meta["fps"]) + meta["window"] / 2))
            data.append(dict(video_name=video_id, features=npy, duration_frame=frames,
                             feature_frame=frames, duration_second=frames / float(meta["fps"]),
                             annotations=segments.get(video_id, [])))
        if not data:
            raise ValueError(f"{self.ann_file}: no video of split {self.split!r} has features in {self.feature_dir}")
        return data
