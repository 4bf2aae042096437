"""What the annotation-tool formats (ELAN, Label Studio, CVAT, VIA) share.

Reading: a tool file gives, per video, labelled time ranges on named levels (tiers, controls, attributes),
sometimes the class ids (a side field videokit wrote) and the parent links. :func:`assemble` turns them
into an :class:`AnnotationSet`: classes from ``taxonomy`` when one is given (a value it does not know is a
finding naming the file, the record and the value), else the distinct values of each level (sorted, ids
0..n-1) or the ids the file carries; parents from the file, else by time (the coarser segment that holds
the finer one's middle). Writing: :func:`rows` gives every segment with its level-unique class name.

What a person sees in the tool wins: a class id the file carries beside a value is a hint, used only where it
agrees with the value (the name it was written with, the file's class table, the taxonomy's names). A person who
relabels a segment in the tool changes the value, not the hidden id; the value then decides the class, and the
stale id neither keeps the old class nor renames it for the whole set.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape, quoteattr

from ...utils import FolderWrite, write_folder
from ..errors import AnnotationError, Finding
from ..model import AnnotationSet, ClassInfo, Level, Segment, Taxonomy, VideoAnnotation, infer_parents
from ..timeline import link_parents

VideoRate = Callable[[str, Optional[str]], Optional[float]]
"""``(video_id, path) -> frame rate``: a video's rate probed from its file (``videokit.video.FrameRates``)."""


@dataclass
class RawSegment:
    """A labelled time range as a tool file holds it."""

    level: str
    value: str
    start: float
    end: float
    where: Tuple[str, str]
    cid: Optional[int] = None  # the class id, where the file carries it (a hint: see trusted_ids)
    cid_name: Optional[str] = None  # the class name the id was written with, where the file keeps it
    parent: Optional[int] = None  # index of the parent RawSegment of the same video, where the file links it
    attrs: Dict[str, Any] = field(default_factory=dict)  # this segment's own: the Segment built from it keeps it


@dataclass
class RawVideo:
    video_id: str
    path: Optional[str] = None
    duration: Optional[float] = None
    fps: Optional[float] = None
    split: Optional[str] = None
    labels: List[Tuple[str, Optional[int]]] = field(default_factory=list)  # top-level (value, id)
    segments: List[RawSegment] = field(default_factory=list)
    attrs: Dict[str, Any] = field(default_factory=dict)
    where: Tuple[str, str] = ("", "")

    def packed(self) -> tuple:
        """This video as plain values (tuples, lists, dicts, text, numbers): ``marshal`` takes it, to send it from
        a second process (:func:`videokit.utils.bulk.in_two`); :meth:`unpacked` rebuilds it."""
        return (self.video_id, self.path, self.duration, self.fps, self.split, self.labels, self.attrs, self.where,
                [(s.level, s.value, s.start, s.end, s.where, s.cid, s.cid_name, s.parent, s.attrs)
                 for s in self.segments])

    @classmethod
    def unpacked(cls, values: tuple) -> "RawVideo":
        video_id, path, duration, fps, split, labels, attrs, where, segments = values
        return cls(video_id, path, duration, fps, split, labels, [RawSegment(*s) for s in segments], attrs, where)


#: set while a written file is read back (:func:`checks_only`): what the reader builds is thrown away
_CHECKS_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("checks_only", default=False)


@contextlib.contextmanager
def checks_only() -> Iterator[None]:
    """Within the block, :func:`assemble` checks the levels and builds nothing: for reading back a file just
    written (``write_annotations``), where only whether the reader refuses it counts. Every check of a tool
    file is made before its set is assembled (assembling refuses nothing but the levels: an unknown value is a
    finding, not an error), so the outcome is the full read's; the fuzz profile reads every written file back in
    full too."""
    token = _CHECKS_ONLY.set(True)
    try:
        yield
    finally:
        _CHECKS_ONLY.reset(token)


def assemble(videos: Sequence[RawVideo], levels: Sequence[str], source: str, dataset: str = "",
             taxonomy: Optional[Taxonomy] = None, declared: Optional[Dict[str, Dict[int, str]]] = None
             ) -> AnnotationSet:
    """The annotation set of ``videos`` on ``levels`` (coarse to fine). ``declared``: class tables the file
    carries (``{level: {id: name}}``); ``taxonomy``: the classes to map values to (``--taxonomy``). In steps:
    the levels checked, the class of each value decided (:class:`_Classes`), each video built with its parent
    links (:func:`_video`), parents of classes inferred where no taxonomy gives them. Within
    :func:`checks_only`: the levels checked, and an empty set on them."""
    _check_levels(levels, source, taxonomy)
    if _CHECKS_ONLY.get():
        return AnnotationSet(Taxonomy(dataset, [Level(lvl) for lvl in levels]), {}, source, [])
    findings: List[Finding] = []
    if taxonomy is not None:
        classes = _Classes.of_taxonomy(taxonomy, levels, dataset, findings)
    else:
        classes = _Classes.of_file(videos, levels, dataset, declared)
    out = {raw.video_id: _video(raw, levels, classes, source, findings) for raw in videos}
    annotations = AnnotationSet(classes.taxonomy, out, source, findings)
    if taxonomy is None:
        infer_parents(annotations)
    return annotations


def _check_levels(levels: Sequence[str], source: str, taxonomy: Optional[Taxonomy]) -> None:
    if not levels:
        raise AnnotationError(source, None, "levels", "no level: nothing in the file names one")
    if len(set(levels)) != len(levels) or not all(isinstance(lvl, str) and lvl for lvl in levels):
        raise AnnotationError(source, None, "levels", "level names must be distinct, non-empty texts", list(levels))
    missing = [lvl for lvl in levels if taxonomy is not None and lvl not in taxonomy.level_names]
    if missing:
        raise AnnotationError(source, None, "levels", f"level {missing[0]!r} is not in the taxonomy "
                              f"({taxonomy.level_names})", missing[0])


class _Classes:
    """Which class a value shown in the file is: the taxonomy's (``--taxonomy``; a class id hint counts only where
    it agrees with the value) or the file's own (its class table and trusted hints, then new classes for values
    without an id, after the known ones in sorted order)."""

    def __init__(self, taxonomy: Taxonomy, ids: Dict[str, Dict[str, int]],
                 names_of: Optional[Dict[str, Dict[int, set]]] = None, findings: Optional[List[Finding]] = None):
        self.taxonomy, self.ids, self.names_of, self.findings = taxonomy, ids, names_of, findings

    @classmethod
    def of_taxonomy(cls, taxonomy: Taxonomy, levels: Sequence[str], dataset: str,
                    findings: List[Finding]) -> "_Classes":
        tax = Taxonomy(taxonomy.dataset or dataset, [taxonomy.level(lvl) for lvl in levels])
        names_of = {}  # level -> id -> the names the class goes by (its own, its level-unique one)
        for lvl in levels:
            unique = tax.class_names(lvl)
            names_of[lvl] = {cid: {info.name, unique[cid]} for cid, info in tax.level(lvl).classes.items()}
        return cls(tax, {lvl: tax.class_ids(lvl) for lvl in levels}, names_of, findings)

    @classmethod
    def of_file(cls, videos: Sequence[RawVideo], levels: Sequence[str], dataset: str,
                declared: Optional[Dict[str, Dict[int, str]]]) -> "_Classes":
        tables: Dict[str, Dict[int, str]] = {lvl: dict((declared or {}).get(lvl, {})) for lvl in levels}
        trusted_ids(videos, tables, levels[0])
        free: Dict[str, set] = {lvl: set() for lvl in levels}  # the values shown without an id, per level
        for video in videos:
            for value, cid in video.labels:
                if cid is not None:
                    tables[levels[0]].setdefault(cid, value)
                else:
                    free[levels[0]].add(value)
            for seg in video.segments:
                table = tables.get(seg.level)
                if table is None:
                    continue
                if seg.cid is not None:
                    table.setdefault(seg.cid, seg.value)
                else:
                    free[seg.level].add(seg.value)
        for lvl in levels:  # values without an id: new classes after the known ones, in sorted order
            known = set(tables[lvl].values())
            next_id = max(tables[lvl]) + 1 if tables[lvl] else 0
            for value in sorted(free[lvl] - known):
                tables[lvl][next_id] = value
                next_id += 1
        tax = Taxonomy(dataset, [Level(lvl, {cid: ClassInfo(cid, name) for cid, name in sorted(tables[lvl].items())})
                                 for lvl in levels])
        return cls(tax, {lvl: {name: cid for cid, name in tables[lvl].items()} for lvl in levels})

    def id(self, level: str, value: str, cid: Optional[int], where: Tuple[str, str]) -> Optional[int]:
        """The class id of ``value`` at ``level`` (``None``, with an ``unknown-class`` error, where the taxonomy
        has no such class)."""
        if self.names_of is None:
            return cid if cid is not None else self.ids[level][value]
        if cid is not None and cid in self.taxonomy.level(level).classes and value in self.names_of[level].get(cid, ()):
            return cid  # the hint agrees with the value: it tells apart classes of one name
        if value in self.ids[level]:
            return self.ids[level][value]
        self.findings.append(Finding("error", where[0], where[1], level, f"not a {level} class of the taxonomy",
                                     value, "unknown-class"))
        return None


def _video(raw: RawVideo, levels: Sequence[str], classes: _Classes, source: str,
           findings: List[Finding]) -> VideoAnnotation:
    """One video: its labels and segments in class ids, the parent links the file gives, then the timeline's
    (an ``ambiguous-parent`` warning where the parent is a guess)."""
    video = VideoAnnotation(raw.video_id, raw.path, raw.duration, raw.fps, raw.split, [], [], dict(raw.attrs),
                            origin=raw.where)
    for value, cid in raw.labels:
        label = classes.id(levels[0], value, cid, raw.where)
        if label is not None and label not in video.labels:
            video.labels.append(label)
    kept: Dict[int, int] = {}
    segments = video.segments
    file_ids = classes.ids if classes.names_of is None else None  # the file's own classes: a lookup each
    for i, seg in enumerate(raw.segments):
        level = seg.level
        if level not in classes.ids:  # not one of the levels read
            continue
        if file_ids is not None:
            label = seg.cid if seg.cid is not None else file_ids[level][seg.value]
        else:
            label = classes.id(level, seg.value, seg.cid, seg.where)
            if label is None:
                continue
        kept[i] = len(segments)
        segments.append(Segment(level, label, seg.start, seg.end, None, {}, seg.attrs, seg.where))
    for i, seg in enumerate(raw.segments):
        if seg.parent is not None and i in kept and seg.parent in kept:
            segments[kept[i]].parent = kept[seg.parent]
    findings.extend(link_parents(video, levels, source))
    return video


def trusted_ids(videos: Sequence[RawVideo], tables: Dict[str, Dict[int, str]], top: str) -> None:
    """Drop every class id hint that disagrees with its visible value, so the value decides the class. The name
    to agree with: the one the id was written with (``cid_name``), else the file's class table (``tables``),
    else, where neither is kept, the value most segments with that id show (one that shows another was
    relabelled; on a tie no value can be told from a relabel, and none keeps the id)."""
    votes: Dict[Tuple[str, int], Dict[str, int]] = {}
    for video in videos:
        video.labels = [(value, cid if cid is None or tables.get(top, {}).get(cid, value) == value else None)
                        for value, cid in video.labels]
        for seg in video.segments:
            if seg.cid is None:
                continue
            written = seg.cid_name if seg.cid_name is not None else tables.get(seg.level, {}).get(seg.cid)
            if written is not None:
                if written != seg.value:
                    seg.cid = None
            else:
                count = votes.setdefault((seg.level, seg.cid), {})
                count[seg.value] = count.get(seg.value, 0) + 1
    if not any(len(count) > 1 for count in votes.values()):
        return
    keeps: Dict[Tuple[str, int], Optional[str]] = {}
    for key, count in votes.items():
        ranked = sorted(count.values(), reverse=True)
        keeps[key] = max(count, key=count.get) if len(ranked) == 1 or ranked[0] > ranked[1] else None
    for video in videos:
        for seg in video.segments:
            if seg.cid is not None and (seg.level, seg.cid) in keeps and keeps[(seg.level, seg.cid)] != seg.value:
                seg.cid = None


@dataclass
class Row:
    """One segment as a writer needs it."""

    index: int
    level: str
    label: int
    name: str  # unique within its level (what the tool keys the class by)
    start: float
    end: float
    parent: Optional[int]
    score: Optional[float]
    attrs: Dict[str, Any] = field(default_factory=dict)  # side fields to keep (OphNet's surgery_id), no score

    @property
    def attrs_json(self) -> str:
        """The side fields as one JSON text (keys sorted), for a tool that keeps one free-text value per segment."""
        return attrs_text(self.attrs) if self.attrs else ""


def attrs_text(attrs: Dict[str, Any], sort_keys: bool = True) -> str:
    """``json.dumps(attrs, ensure_ascii=False, sort_keys=sort_keys)``; a set repeats a few side fields thousands of
    times, so each text is serialised once."""
    try:
        return _attrs_text(tuple([(k, type(v), v) for k, v in attrs.items()]), sort_keys)  # 1 is not True
    except TypeError:  # a list or an object among the values
        return json.dumps(attrs, ensure_ascii=False, sort_keys=sort_keys)


@lru_cache(maxsize=4096)
def _attrs_text(items: Tuple[Tuple[str, type, Any], ...], sort_keys: bool) -> str:
    return json.dumps({k: v for k, _, v in items}, ensure_ascii=False, sort_keys=sort_keys)


def attrs_from_json(text: Optional[str]) -> Dict[str, Any]:
    """The inverse of :attr:`Row.attrs_json` (anything that is not a JSON object: nothing)."""
    if not text:
        return {}
    value, nested = _json_object(text)
    if not nested:
        return dict(value)
    return {k: copy.deepcopy(v) if isinstance(v, (dict, list)) else v for k, v in value.items()}


@lru_cache(maxsize=4096)
def _json_object(text: str) -> Tuple[Dict[str, Any], bool]:
    """The object ``text`` holds (a set repeats a few side-field texts thousands of times), and whether a value
    is a list or object (each reader's copy of it is then its own)."""
    try:
        value = json.loads(text)
    except ValueError:
        return {}, False
    if not isinstance(value, dict):
        return {}, False
    return value, any(isinstance(v, (dict, list)) for v in value.values())


#: XML text and attribute values for the tools' XML writers (ELAN, CVAT): class names and side fields repeat across
#: a set's files, so each is escaped once
xml_escape = lru_cache(maxsize=16384)(escape)
xml_quoteattr = lru_cache(maxsize=16384)(quoteattr)


#: the longest file name stem written, in UTF-8 bytes (file systems allow 255; the whole id is kept in the file)
MAX_STEM = 120


def video_file_name(video_id: str, suffix: str) -> str:
    """The file a per-video format keeps ``video_id`` in: characters a file name cannot hold become ``_``; an id
    too long for a file name is cut and given a digest of the whole (the file itself names the whole id)."""
    stem = re.sub(r"[^\w.-]", "_", video_id)
    if len(stem.encode("utf-8")) > MAX_STEM or stem in (".", ".."):
        cut = stem.encode("utf-8")[:MAX_STEM - 13].decode("utf-8", "ignore")
        stem = cut + "-" + hashlib.sha1(video_id.encode("utf-8")).hexdigest()[:12]
    return stem + suffix


def write_video_files(out: Any, videos: Iterable[VideoAnnotation], suffix: str,
                      document: Callable[[VideoAnnotation], str],
                      same: Optional[Callable[[bytes, bytes], bool]] = None) -> FolderWrite:
    """The folder ``out`` with one file per video (``document(video)``), written atomically; files whose
    content is unchanged (``same``: what counts as unchanged) are carried over, not rewritten
    (:func:`~videokit.utils.write_folder`). Two ids
    that map to the same file name are one error naming both, not a file silently overwritten."""
    owners: Dict[str, str] = {}

    def files() -> Iterator[Tuple[str, str]]:
        for video in videos:
            name = video_file_name(video.video_id, suffix)
            if name in owners:
                raise AnnotationError(out, f"video {video.video_id}", "video_id",
                                      f"would be written to {name}, the file of video {owners[name]!r}")
            owners[name] = video.video_id
            yield name, document(video)
    return write_folder(out, files(), same=same)


def level_names(annotations: AnnotationSet) -> Dict[str, List[str]]:
    """The level-unique class names of every level (compute once per write, not per video)."""
    return {lvl: annotations.taxonomy.class_names(lvl) for lvl in annotations.levels}


_PLAIN = (str, int, float, bool, list, dict)  # the side-field values a tool file can keep


def rows(annotations: AnnotationSet, video: VideoAnnotation, names: Optional[Dict[str, List[str]]] = None
         ) -> Iterator[Row]:
    names = names or level_names(annotations)
    for i, seg in enumerate(video.segments):
        label_names = names.get(seg.level)
        if label_names is None:
            continue
        name = label_names[seg.label] if 0 <= seg.label < len(label_names) else str(seg.label)
        score, kept = None, {}
        if seg.attrs:
            score = seg.attrs.get("score")
            kept = {k: v for k, v in seg.attrs.items() if k != "score" and isinstance(v, _PLAIN)}
        yield Row(i, seg.level, seg.label, name, float(seg.start), float(seg.end), seg.parent,
                  float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None, kept)


def video_label_names(annotations: AnnotationSet, video: VideoAnnotation,
                      names: Optional[Dict[str, List[str]]] = None) -> List[Tuple[int, str]]:
    names = (names or level_names(annotations))[annotations.levels[0]]
    return [(label, names[label] if 0 <= label < len(names) else str(label)) for label in video.labels]


def parse_tiers(spec: Optional[str]) -> Dict[str, str]:
    """``procedure=TIER,step=TIER`` -> ``{level: tier}`` (order kept: coarse to fine)."""
    if not spec:
        return {}
    out: Dict[str, str] = {}
    for part in spec.split(","):
        if "=" not in part:
            raise AnnotationError(None, None, "tiers", "expected level=TIER[,level=TIER...]", spec)
        level, tier = part.split("=", 1)
        out[level.strip()] = tier.strip()
    return out
