"""The one model of hierarchical, time-localized labels that every format converts to and from.

A :class:`Taxonomy` names the levels from coarse to fine (NurViD: procedure > action;
OphNet: surgery > phase > operation). An :class:`AnnotationSet` holds one
:class:`VideoAnnotation` per video: its top-level label(s) and its :class:`Segment` s at each level.
Class ids are 0-based everywhere inside videokit; readers and writers translate.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import pandas as pd

from .errors import Finding


@dataclass
class ClassInfo:
    """One class of one level: its id, display name, other names, and parent class ids.

    ``key`` is the name a file keyed this class by, where it differed from ``name`` (a name made unique
    by a writer, read back); :meth:`Taxonomy.class_names` gives it back unchanged."""

    id: int
    name: str
    names: Dict[str, str] = field(default_factory=dict)
    abbrev: Optional[str] = None
    group: Optional[str] = None  # long-tail group (NurViD: Many / Medium / Few)
    parents: Tuple[int, ...] = ()
    key: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        out = {"id": self.id, "name": self.name, "names": dict(self.names), "abbrev": self.abbrev,
               "group": self.group, "parents": list(self.parents)}
        if self.key is not None:
            out["key"] = self.key
        return out

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ClassInfo":
        return cls(id=int(data["id"]), name=str(data["name"]), names=dict(data.get("names") or {}),
                   abbrev=data.get("abbrev"), group=data.get("group"),
                   parents=tuple(int(p) for p in data.get("parents") or ()), key=data.get("key"))


@dataclass
class Level:
    """A named level of the hierarchy and its classes, by id."""

    name: str
    classes: Dict[int, ClassInfo] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        """Number of class slots (max id + 1), what a classifier head needs."""
        return max(self.classes) + 1 if self.classes else 0

    def class_name(self, class_id: int) -> str:
        info = self.classes.get(class_id)
        return info.name if info is not None else str(class_id)

    def names(self) -> List[str]:
        """Display names indexed by id (``str(id)`` for unused slots); they may repeat within a level.

        To key classes by name, use :meth:`Taxonomy.class_names`, which is unique per level."""
        return [self.class_name(i) for i in range(self.num_classes)]

    def ensure(self, class_id: int) -> ClassInfo:
        """Return the class, adding an unnamed one (its id as name) when unknown."""
        info = self.classes.get(class_id)
        if info is None:
            info = self.classes[class_id] = ClassInfo(class_id, str(class_id))
        return info


@dataclass
class Taxonomy:
    """The levels of one dataset, coarse to fine; the first level is the video-level label."""

    dataset: str
    levels: List[Level]

    @property
    def level_names(self) -> List[str]:
        return [lvl.name for lvl in self.levels]

    @property
    def top(self) -> Level:
        return self.levels[0]

    def level(self, name: str) -> Level:
        for lvl in self.levels:
            if lvl.name == name:
                return lvl
        raise KeyError(f"level {name!r} is not one of {self.level_names}")

    def parent_level(self, name: str) -> Optional[str]:
        index = self.level_names.index(name)
        return self.levels[index - 1].name if index > 0 else None

    def class_names(self, level: str) -> List[str]:
        """Class names indexed by id, unique within ``level``: a class's key in formats that key classes
        by name (ActivityNet JSON, results files, the annotation tools).

        A class is its (level, id); its name is a label for people, and some repeat (NurViD has two
        "Defibrillate" actions under different procedures). A repeated name gets its parents' names
        added, "Defibrillate (Cardiopulmonary resuscitation)"; where that still repeats, its id,
        "Defibrillate #64". Unused id slots are ``str(id)``. Deterministic: the same taxonomy always
        gives the same names.
        """
        lvl = self.level(level)
        names = lvl.names()
        for cid, info in lvl.classes.items():
            if info.key is not None:
                names[cid] = info.key
        parent_name = self.parent_level(level)
        parent = self.level(parent_name) if parent_name is not None else None

        def repeated(values: List[str]) -> set:
            seen: Dict[str, int] = {}
            for value in values:
                seen[value] = seen.get(value, 0) + 1
            return {value for value, count in seen.items() if count > 1}

        clash = repeated(names)
        if not clash:
            return names
        for cid, info in lvl.classes.items():
            if names[cid] in clash and info.key is None and parent is not None and info.parents:
                names[cid] = f"{info.name} ({' / '.join(parent.class_name(p) for p in info.parents)})"
        clash = repeated(names)
        for cid, info in lvl.classes.items():
            if names[cid] in clash:
                names[cid] = f"{info.key or info.name} #{cid}"
        return names

    def class_ids(self, level: str) -> Dict[str, int]:
        """Name -> id for ``level``: every unique name of :meth:`class_names`, and each original name
        that only one class carries (so files keyed either way read back to the same class)."""
        unique = self.class_names(level)
        lvl = self.level(level)
        counts: Dict[str, int] = {}
        for info in lvl.classes.values():
            counts[info.name] = counts.get(info.name, 0) + 1
        ids = {info.name: cid for cid, info in lvl.classes.items() if counts[info.name] == 1}
        ids.update({unique[cid]: cid for cid in lvl.classes})
        return ids

    def children_of(self, level: str, parent_label: int) -> List[int]:
        """The classes of ``level`` valid under the class ``parent_label`` of the level above: those that
        name it as a parent, and those that name no parent at all (the taxonomy says nothing of them)."""
        return [c.id for c in sorted(self.level(level).classes.values(), key=lambda c: c.id)
                if not c.parents or parent_label in c.parents]

    def valid_under(self, level: str, label: int, parent_labels: Sequence[int]) -> bool:
        """The hierarchy rule: is class ``label`` of ``level`` valid under any of ``parent_labels`` (the
        parent segment's class, or the video's own labels where the level above has no segments)? An
        empty ``parent_labels`` (nothing above) and a class without declared parents are always valid."""
        info = self.level(level).classes.get(label)
        if info is None:
            return False
        return not parent_labels or not info.parents or bool(set(parent_labels) & set(info.parents))

    def class_paths(self, levels: Optional[Sequence[str]] = None) -> List[Tuple[int, ...]]:
        """Every valid path of class ids through ``levels`` (default: all, coarse to fine), by
        :meth:`children_of` between each adjacent pair: what a multi-level head decodes over."""
        levels = list(levels or self.level_names)
        paths: List[Tuple[int, ...]] = [(c,) for c in sorted(self.level(levels[0]).classes)]
        for level in levels[1:]:
            children = {p: self.children_of(level, p) for p in {path[-1] for path in paths}}
            paths = [path + (c,) for path in paths for c in children[path[-1]]]
        if not paths:
            raise ValueError(f"the taxonomy has no valid path through {levels}")
        return paths

    def hierarchy_table(self) -> Dict[str, Dict[int, List[int]]]:
        """``{child level: {parent class: [valid child classes]}}`` for every level below the top: the rule
        of :meth:`valid_under` as a table, for a page or a tool that cannot ask."""
        table: Dict[str, Dict[int, List[int]]] = {}
        for parent, child in zip(self.levels, self.levels[1:]):
            table[child.name] = {p: self.children_of(child.name, p) for p in sorted(parent.classes)}
        return table

    def to_dict(self) -> Dict[str, Any]:
        return {"dataset": self.dataset,
                "levels": [{"name": lvl.name,
                            "classes": [lvl.classes[k].to_dict() for k in sorted(lvl.classes)]}
                           for lvl in self.levels]}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Taxonomy":
        levels = []
        for lvl in data["levels"]:
            classes = [ClassInfo.from_dict(c) for c in lvl.get("classes") or ()]
            levels.append(Level(str(lvl["name"]), {c.id: c for c in classes}))
        return cls(str(data.get("dataset") or ""), levels)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per class: level, id, name, abbrev, group, parents (space separated), names (JSON), and
        ``key``, the level-unique name of :meth:`class_names` where it differs from ``name`` (blank otherwise)."""
        keys = {lvl.name: self.class_names(lvl.name) for lvl in self.levels}
        rows = [{"level": lvl.name, "id": c.id, "name": c.name, "abbrev": c.abbrev, "group": c.group,
                 "parents": " ".join(str(p) for p in c.parents),
                 "names": json.dumps(c.names, ensure_ascii=False, sort_keys=True),
                 "key": keys[lvl.name][c.id] if keys[lvl.name][c.id] != c.name else None}
                for lvl in self.levels for c in (lvl.classes[k] for k in sorted(lvl.classes))]
        return pd.DataFrame(rows, columns=["level", "id", "name", "abbrev", "group", "parents", "names", "key"])

    @classmethod
    def from_dataframe(cls, table: pd.DataFrame, dataset: str = "") -> "Taxonomy":
        """The inverse of :meth:`to_dataframe` (levels in order of first appearance)."""
        levels: Dict[str, Level] = {}
        for row in table.itertuples(index=False):
            level = levels.setdefault(str(row.level), Level(str(row.level), {}))
            parents = tuple(int(p) for p in str(row.parents or "").split())
            names = json.loads(row.names) if isinstance(row.names, str) and row.names else {}
            key = getattr(row, "key", None)
            level.classes[int(row.id)] = ClassInfo(int(row.id), str(row.name), names, row.abbrev or None,
                                                   row.group or None, parents,
                                                   key if isinstance(key, str) and key else None)
        return cls(dataset, list(levels.values()))


@dataclass
class Segment:
    """A time-localized label at one level: ``[start, end]`` in seconds.

    ``parent`` is the index, in the same video's segment list, of the coarser-level segment this one
    belongs to. ``splits`` holds segment-level splits keyed by task (NurViD task 2 has its own per level).
    ``origin`` (file and record it was read from) serves error messages and is never written out.
    """

    level: str
    label: int
    start: float
    end: float
    parent: Optional[int] = None
    splits: Dict[str, str] = field(default_factory=dict)
    attrs: Dict[str, Any] = field(default_factory=dict)
    origin: Optional[Tuple[str, str]] = field(default=None, compare=False, repr=False)

    @property
    def length(self) -> float:
        return self.end - self.start

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"level": self.level, "label": self.label,
                               "start": self.start, "end": self.end}
        if self.parent is not None:
            out["parent"] = self.parent
        if self.splits:
            out["splits"] = dict(self.splits)
        if self.attrs:
            out["attrs"] = dict(self.attrs)
        return out


@dataclass
class VideoAnnotation:
    """Everything known about one video: where it is, how long, its split, labels and segments.

    ``labels`` are top-level class ids; several are allowed (OphNet) and the first is the primary one.
    """

    video_id: str
    path: Optional[str] = None
    duration: Optional[float] = None
    fps: Optional[float] = None
    split: Optional[str] = None
    labels: List[int] = field(default_factory=list)
    segments: List[Segment] = field(default_factory=list)
    attrs: Dict[str, Any] = field(default_factory=dict)
    origin: Optional[Tuple[str, str]] = field(default=None, compare=False, repr=False)

    @property
    def primary_label(self) -> Optional[int]:
        return self.labels[0] if self.labels else None

    def segments_at(self, level: str) -> List[Segment]:
        return [s for s in self.segments if s.level == level]

    def to_dict(self) -> Dict[str, Any]:
        return {"id": self.video_id, "path": self.path, "duration": self.duration, "fps": self.fps,
                "split": self.split, "labels": list(self.labels), "attrs": dict(self.attrs),
                "segments": [s.to_dict() for s in self.segments]}


SEGMENT_COLUMNS = ["video_id", "video_path", "duration", "fps", "video_split", "video_labels",
                   "segment_index", "level", "label", "label_name", "start", "end", "parent",
                   "splits", "seg_attrs", "video_attrs"]


@dataclass
class AnnotationSet:
    """A dataset's taxonomy and its videos, keyed by video id (insertion order is file order)."""

    taxonomy: Taxonomy
    videos: Dict[str, VideoAnnotation] = field(default_factory=dict)
    source: Optional[str] = None
    #: cross-file problems a reader noticed (a list naming an unknown video, say); ``validate`` reports them
    findings: List[Finding] = field(default_factory=list, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.videos)

    def __iter__(self) -> Iterator[VideoAnnotation]:
        return iter(self.videos.values())

    @property
    def levels(self) -> List[str]:
        return self.taxonomy.level_names

    def segments(self, level: Optional[str] = None) -> Iterator[Tuple[VideoAnnotation, Segment]]:
        for video in self.videos.values():
            for seg in video.segments:
                if level is None or seg.level == level:
                    yield video, seg

    def count_segments(self, level: str) -> int:
        return sum(1 for _ in self.segments(level))

    def splits(self) -> List[str]:
        return sorted({v.split for v in self.videos.values() if v.split})

    def subset(self, split: Optional[str]) -> "AnnotationSet":
        """The videos of one split (all of them when ``split`` is None)."""
        if split is None:
            return self
        return AnnotationSet(self.taxonomy, {k: v for k, v in self.videos.items() if v.split == split},
                             self.source, self.findings)

    def apply_metadata(self, table: pd.DataFrame, overwrite: bool = False) -> int:
        """Fill ``duration`` / ``fps`` (and ``path``) from a table with a ``video_id`` column.

        Returns the number of videos updated. Known values stay unless ``overwrite``.
        """
        table = table.drop_duplicates("video_id", keep="last").set_index("video_id")
        updated = 0
        for vid, row in table.iterrows():
            video = self.videos.get(str(vid))
            if video is None:
                continue
            changed = False
            for name in ("duration", "fps", "path"):
                if name not in row.index:
                    continue
                value = row[name]
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                if getattr(video, name) is None or overwrite:
                    setattr(video, name, value if name == "path" else float(value))
                    changed = True
            updated += changed
        return updated

    def fill_frame_rates(self, rate_of: Callable[[str, Optional[str]], Optional[float]]) -> Tuple[int, int]:
        """Give videos without a frame rate the one ``rate_of(video_id, path)`` finds (a
        :class:`videokit.video.FrameRates` probes each file); returns ``(found, lacking)``. The frame-based
        tools (CVAT, Label Studio) count each video's frames at its own rate."""
        lacking = [video for video in self.videos.values() if not video.fps]
        for video in lacking:
            video.fps = rate_of(video.video_id, video.path)
        return sum(1 for video in lacking if video.fps), len(lacking)

    # ----------------------------------------------------------------- DataFrame view
    def to_dataframe(self) -> pd.DataFrame:
        """One row per segment (a video without segments gets one row with ``level`` empty)."""
        rows: List[tuple] = []
        for v in self.videos.values():
            base = (v.video_id, v.path, v.duration, v.fps, v.split, tuple(v.labels))
            if not v.segments:
                rows.append(base + (None, None, None, None, None, None, None, None, None, v.attrs))
            for i, s in enumerate(v.segments):
                name = self.taxonomy.level(s.level).class_name(s.label) if s.level in self.levels \
                    else str(s.label)
                rows.append(base + (i, s.level, s.label, name, s.start, s.end, s.parent, s.splits,
                                    s.attrs, v.attrs))
        df = pd.DataFrame.from_records(rows, columns=SEGMENT_COLUMNS)
        for col in ("segment_index", "label", "parent"):
            df[col] = df[col].astype("Int64")
        return df

    @classmethod
    def from_dataframe(cls, df: pd.DataFrame, taxonomy: Taxonomy,
                       source: Optional[str] = None) -> "AnnotationSet":
        """Rebuild a set from :meth:`to_dataframe` output."""
        videos: Dict[str, VideoAnnotation] = {}

        def value(x: Any) -> Any:
            return None if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)) else x

        for row in df.itertuples(index=False):
            video = videos.get(row.video_id)
            if video is None:
                video = videos[row.video_id] = VideoAnnotation(
                    row.video_id, value(row.video_path), value(row.duration), value(row.fps),
                    value(row.video_split), list(row.video_labels or ()), [],
                    dict(value(row.video_attrs) or {}))
            if value(row.level) is None:
                continue
            parent = value(row.parent)
            video.segments.append(Segment(row.level, int(row.label), row.start, row.end,
                                          None if parent is None else int(parent),
                                          dict(value(row.splits) or {}), dict(value(row.seg_attrs) or {})))
        return cls(taxonomy, videos, source)


def infer_parents(annotations: AnnotationSet) -> None:
    """Set each class's ``parents`` from the (parent, child) label pairs seen in the data.

    The top level's parents stay empty. Used by formats whose files carry no explicit hierarchy table.
    """
    levels = annotations.levels
    pairs: Dict[str, set] = {name: set() for name in levels[1:]}
    for video in annotations:
        for seg in video.segments:
            if seg.level not in pairs:
                continue
            if seg.parent is not None:
                parent_label = video.segments[seg.parent].label
                pairs[seg.level].add((parent_label, seg.label))
            elif levels.index(seg.level) == 1:
                for label in video.labels[:1]:
                    pairs[seg.level].add((label, seg.label))
    for name, found in pairs.items():
        level = annotations.taxonomy.level(name)
        by_child: Dict[int, set] = {}
        for parent, child in found:
            by_child.setdefault(child, set()).add(parent)
        for child, parents in by_child.items():
            if child in level.classes:
                level.classes[child].parents = tuple(sorted(parents))


@dataclass(frozen=True)
class TrimmedSegment:
    """A segment seen as a trimmed-recognition sample at one level.

    ``k`` is its 1-based position among its video's segments of ``segment.level`` (the index in the
    authors' ``<video_id>_<k>.mp4`` clip names); ``label`` is its class at the requested level.
    """

    video: VideoAnnotation
    segment: Segment
    k: int
    label: int


def label_at(video: VideoAnnotation, segment: Segment, level: str, levels: Sequence[str]) -> Optional[int]:
    """The class at ``level`` of ``segment`` (its own, or an ancestor's through ``parent`` links)."""
    current: Optional[Segment] = segment
    while current is not None:
        if current.level == level:
            return current.label
        if f"{level}_id" in current.attrs:  # an ancestor class carried on the row (OphNet's surgery_id)
            return int(current.attrs[f"{level}_id"])
        current = video.segments[current.parent] if current.parent is not None else None
    if level == levels[0]:
        return video.primary_label
    return None


def trimmed_segments(annotations: AnnotationSet, level: str,
                     split: Optional[str] = None) -> List[TrimmedSegment]:
    """Trimmed-recognition samples at ``level``.

    A level with segments of its own gives those. A level without (NurViD's procedures) gives the
    segments of the next finer level that has some, labelled with their ancestor at ``level``
    (what NurViD's ``task2/procedure_*.csv`` lists are). ``split`` filters on the segment's own
    split for ``level`` when it has one, else on its video's split.
    """
    levels = annotations.levels
    source = level
    if annotations.count_segments(level) == 0:
        below = levels[levels.index(level) + 1:]
        source = next((name for name in below if annotations.count_segments(name)), level)
    out: List[TrimmedSegment] = []
    for video in annotations:
        k = 0
        for seg in video.segments:
            if seg.level != source:
                continue
            k += 1
            seg_split = seg.splits.get(level, video.split)
            if split is not None and seg_split != split:
                continue
            label = label_at(video, seg, level, levels)
            if label is not None:
                out.append(TrimmedSegment(video, seg, k, label))
    return out
