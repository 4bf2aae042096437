"""mmaction2 DATASETS built straight from the annotation model (no intermediate list files).

- :class:`UntrimmedVideoDataset`: one sample per video with its top-level label (NurViD task 1), or
  all its labels (``multi_label=True``: OphNet surgery types).
- :class:`SegmentClipDataset`: one sample per segment of a level, read from the untrimmed file's
  time range (NurViD procedure / action, OphNet phase / operation); ``with_levels=True`` adds the
  sample's class at every level (``level_labels``; a list of level names picks the levels);
  ``multi_level_label`` makes that vector the label, for :class:`videokit.models.MultiLevelHead`.

``ann_file`` is any source videokit reads (``ann_format``: canonical, nurvid, ophnet, anet, mmaction).
Samples of absent videos are left out when the dataset is built (``missing='skip'``, one log line;
``'error'`` fails): see :mod:`.presence`. Present but unreadable files are skipped at run time.
"""
from __future__ import annotations

import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS

from ..annotations import AnnotationSet, label_at, read_annotations, trimmed_segments
from ..annotations.timeline import video_file
from ..bundled import resolve_data
from .presence import drop_absent
from .skipping import SkipBrokenVideosMixin


class _AnnotationDataset(SkipBrokenVideosMixin, BaseActionDataset):
    """Shared loading: read the annotations once, expose the taxonomy as ``metainfo``."""

    def __init__(self, ann_file: str, pipeline: List[Union[Dict, Callable]], ann_format: str = "canonical",
                 split: Optional[str] = None, level: Optional[str] = None, metadata: Optional[str] = None,
                 ann_options: Optional[Dict] = None, data_prefix: Dict = dict(video=""),
                 test_mode: bool = False, missing: str = "skip", **kwargs) -> None:
        self.ann_format, self.split, self.level, self.missing = ann_format, split, level, missing
        self.metadata, self.ann_options = metadata, dict(ann_options or {})
        self.annotations: Optional[AnnotationSet] = None
        super().__init__(ann_file, pipeline, data_prefix=data_prefix, test_mode=test_mode, **kwargs)

    def _load_annotations(self) -> AnnotationSet:
        if self.annotations is None:
            self.annotations = read_annotations(resolve_data(self.ann_file), self.ann_format, metadata=self.metadata,
                                                **self.ann_options)
            taxonomy = self.annotations.taxonomy
            level = taxonomy.level(self.level or self.annotations.levels[0])
            levels = self.label_levels()
            paths = taxonomy.class_paths(levels)  # valid class paths through the labelled levels (metrics)
            self._metainfo.update(dataset=taxonomy.dataset, level=level.name,
                                  classes=tuple(taxonomy.class_names(level.name)),
                                  levels=tuple(levels), hierarchy_paths=paths,
                                  class_groups={c.id: c.group for c in level.classes.values() if c.group})
        return self.annotations

    def label_levels(self) -> List[str]:
        """The levels whose classes a sample carries (``level_labels``): all of them by default."""
        return list(self.annotations.levels)

    def _path(self, video) -> str:
        return osp.join(self.data_prefix["video"], video_file(video))

    def filter_data(self) -> List[Dict]:
        """Leave out the samples whose video is absent (before the epoch is sized)."""
        return drop_absent(super().filter_data(), lambda info: info["filename"], what="videos",
                           owner=type(self).__name__, split=self.split, missing=self.missing)

    def full_init(self) -> None:
        super().full_init()
        if len(self) == 0:
            raise ValueError(f"{self.ann_file}: no samples for split {self.split!r}"
                             + (f" at level {self.level!r}" if self.level else ""))
        self._init_skip_flags()


@DATASETS.register_module()
class UntrimmedVideoDataset(_AnnotationDataset):
    """Whole videos with their video-level label(s)."""

    def __init__(self, ann_file: str, pipeline: List, multi_label: bool = False, **kwargs) -> None:
        self.multi_label = multi_label
        if multi_label:
            kwargs.setdefault("multi_class", True)
        super().__init__(ann_file, pipeline, **kwargs)

    def load_data_list(self) -> List[Dict]:
        annotations = self._load_annotations()
        if self.multi_label and self.num_classes is None:
            self.num_classes = annotations.taxonomy.top.num_classes
        data = []
        for video in annotations.subset(self.split):
            if not video.labels:
                continue
            data.append(dict(filename=self._path(video), video_id=video.video_id,
                             label=list(video.labels) if self.multi_label else video.primary_label,
                             start=None, end=None))
        return data


@DATASETS.register_module()
class SegmentClipDataset(_AnnotationDataset):
    """Trimmed samples at ``level``, decoded from the time range of the untrimmed video."""

    def __init__(self, ann_file: str, pipeline: List, level: str, with_levels: Union[bool, Sequence[str]] = False,
                 multi_level_label: Union[bool, Sequence[str]] = False, min_length: float = 0.0, **kwargs) -> None:
        self.with_levels = with_levels or multi_level_label
        self.multi_level_label, self.min_length = bool(multi_level_label), min_length
        self._label_levels = next((list(x) for x in (multi_level_label, with_levels)
                                   if isinstance(x, (list, tuple))), None)
        super().__init__(ann_file, pipeline, level=level, **kwargs)

    def load_data_list(self) -> List[Dict]:
        annotations = self._load_annotations()
        levels = self.label_levels()
        data = []
        for item in trimmed_segments(annotations, self.level, self.split):
            seg = item.segment
            if seg.length < self.min_length:
                continue
            info = dict(filename=self._path(item.video), video_id=item.video.video_id, k=item.k,
                        label=item.label, start=float(seg.start), end=float(seg.end))
            if self.with_levels:
                found = [label_at(item.video, seg, name, annotations.levels) for name in levels]
                info["level_labels"] = [-1 if x is None else int(x) for x in found]
                if self.multi_level_label:  # the label a MultiLevelHead trains on: one class per level
                    info["label"] = info["level_labels"]
            data.append(info)
        return data

    def label_levels(self) -> List[str]:
        return self._label_levels or list(self.annotations.levels)
