"""videokit's own JSON: every field of the model, so any conversion through it is lossless."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ...utils import atomic_write_text
from ..errors import AnnotationError
from ..model import AnnotationSet, ClassInfo, Level, Segment, Taxonomy, VideoAnnotation
from ._common import (
    MAX_CLASS_ID,
    PathLike,
    as_object,
    as_text,
    optional,
    optional_float,
    parse_class_id,
    parse_int,
    parse_number,
    read_json,
    require,
)

FORMAT = "videokit.canonical"
VERSION = 1


def to_dict(annotations: AnnotationSet) -> Dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "taxonomy": annotations.taxonomy.to_dict(),
            "videos": [v.to_dict() for v in annotations]}


def write(annotations: AnnotationSet, out: PathLike, indent: int = None) -> None:
    atomic_write_text(out, json.dumps(to_dict(annotations), ensure_ascii=False, indent=indent))


def _taxonomy(data: Any, file: str) -> Taxonomy:
    """The ``taxonomy`` object: levels (unique names, at least one) and their classes, every field typed."""
    table = as_object(data, file, "taxonomy", "taxonomy")
    levels: List[Level] = []
    for i, raw in enumerate(require(table, "levels", file, "taxonomy", list)):
        where = f"taxonomy.levels[{i}]"
        name = require(raw, "name", file, where, str)
        if not name or any(level.name == name for level in levels):
            raise AnnotationError(file, where, "name", "empty or repeated level name", name)
        classes: Dict[int, ClassInfo] = {}
        for j, entry in enumerate(optional(raw, "classes", file, where, list, [])):
            at = f"{where}.classes[{j}]"
            cid = parse_class_id(require(entry, "id", file, at), file, at, "id")
            if cid in classes:
                raise AnnotationError(file, at, "id", "class id given twice", cid)
            names = optional(entry, "names", file, at, dict, {})
            classes[cid] = ClassInfo(
                cid, as_text(require(entry, "name", file, at), file, at, "name", numbers=True),
                {as_text(k, file, at, "names"): as_text(v, file, at, f"names.{k}") for k, v in names.items()},
                optional(entry, "abbrev", file, at, str), optional(entry, "group", file, at, str),
                tuple(parse_class_id(p, file, at, "parents")
                      for p in optional(entry, "parents", file, at, list, [])),
                optional(entry, "key", file, at, str))
        levels.append(Level(name, classes))
    if not levels:
        raise AnnotationError(file, "taxonomy", "levels", "no levels")
    return Taxonomy(optional(table, "dataset", file, "taxonomy", str, ""), levels)


def _plain_segment(seg: Any, levels: set, count: int, index: int) -> Optional[Segment]:
    """The segment of the shape videokit writes, every value already of its type (JSON numbers are finite and
    bounded by :func:`read_json`), built without a call per field; None for anything else, which
    :func:`_segment` checks field by field (and names what is wrong)."""
    if type(seg) is not dict:
        return None
    level, label, start, end = seg.get("level"), seg.get("label"), seg.get("start"), seg.get("end")
    parent, splits, attrs = seg.get("parent"), seg.get("splits"), seg.get("attrs")
    if not (type(level) is str and level in levels and type(label) is int and 0 <= label <= MAX_CLASS_ID
            and type(start) in _NUMBERS and type(end) in _NUMBERS
            and (parent is None or (type(parent) is int and 0 <= parent < count and parent != index))
            and (splits is None or (type(splits) is dict and all(type(v) is str for v in splits.values())))
            and (attrs is None or type(attrs) is dict)):
        return None
    return Segment(level, label, start, end, parent, dict(splits) if splits else {}, dict(attrs) if attrs else {})


_NUMBERS = (int, float)


def _segment(seg: Any, file: str, where: str, levels: set, count: int, index: int) -> Segment:
    plain = _plain_segment(seg, levels, count, index)
    if plain is not None:
        plain.origin = (file, where)
        return plain
    level = require(seg, "level", file, where, str)
    if level not in levels:
        raise AnnotationError(file, where, "level", f"not a taxonomy level {sorted(levels)}", level)
    parent = optional(seg, "parent", file, where)
    if parent is not None:
        parent = parse_int(parent, file, where, "parent", minimum=0)
        if parent >= count or parent == index:
            raise AnnotationError(file, where, "parent", "not another segment of this video", parent)
    splits = optional(seg, "splits", file, where, dict, {})
    return Segment(level, parse_class_id(require(seg, "label", file, where), file, where, "label"),
                   parse_number(require(seg, "start", file, where), file, where, "start"),
                   parse_number(require(seg, "end", file, where), file, where, "end"),
                   parent, {k: as_text(v, file, where, f"splits.{k}") for k, v in splits.items()},
                   dict(optional(seg, "attrs", file, where, dict, {})), origin=(file, where))


def read(src: PathLike) -> AnnotationSet:
    file = str(src)
    data = read_json(src)
    if require(data, "format", file, "top") != FORMAT:
        raise AnnotationError(file, "top", "format", f"expected {FORMAT!r}", data.get("format"))
    if require(data, "version", file, "top") != VERSION:
        raise AnnotationError(file, "top", "version", f"unsupported version (this videokit reads {VERSION})",
                              data.get("version"))
    taxonomy = _taxonomy(require(data, "taxonomy", file, "top", dict), file)
    levels = set(taxonomy.level_names)
    videos: Dict[str, VideoAnnotation] = {}
    for i, rec in enumerate(require(data, "videos", file, "top", list)):
        record = f"videos[{i}]"
        vid = require(rec, "id", file, record, str)
        if vid in videos:
            raise AnnotationError(file, record, "id", "video listed twice", vid)
        raw_segments = optional(rec, "segments", file, record, list, [])
        segments = [_segment(seg, file, f"{record}.segments[{j}]", levels, len(raw_segments), j)
                    for j, seg in enumerate(raw_segments)]
        labels = [parse_class_id(x, file, record, "labels") for x in optional(rec, "labels", file, record, list, [])]
        videos[vid] = VideoAnnotation(vid, optional(rec, "path", file, record, str),
                                      optional_float(rec, "duration", file, record),
                                      optional_float(rec, "fps", file, record),
                                      optional(rec, "split", file, record, str), labels, segments,
                                      dict(optional(rec, "attrs", file, record, dict, {})), origin=(file, record))
    return AnnotationSet(taxonomy, videos, file)
