"""ActivityNet-style JSON, one file per level: what ActionFormer, OpenTAD and OphNet's TAL code read.

``{"version", "taxonomy", "database": {video: {"subset", "duration", "fps", "annotations":
[{"label", "label_id", "segment": [start, end]}]}}}``. ``label`` is the class name (the id as text
where no names are known); ``subset`` keeps the source's split names.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional

from ...utils import atomic_write_text
from ..errors import AnnotationError
from ..model import AnnotationSet, ClassInfo, Level, Segment, Taxonomy, VideoAnnotation, trimmed_segments
from ._common import PathLike, as_text, optional, optional_float, parse_class_id, parse_segment, read_json, require

_KNOWN_VIDEO_KEYS = ("subset", "duration", "fps", "annotations")


def _declared_classes(data: Dict[str, Any], file: str) -> Dict[int, ClassInfo]:
    """The file's own class table (``taxonomy``: ``[{id, name, original_name?}]``), when it has one: ids
    and the names people gave them (``original_name`` where the written name was made unique)."""
    table = data.get("taxonomy")
    if not isinstance(table, list):
        return {}
    classes: Dict[int, ClassInfo] = {}
    for i, entry in enumerate(table):
        where = f"taxonomy[{i}]"
        cid = parse_class_id(require(entry, "id", file, where), file, where, "id")
        name = as_text(require(entry, "name", file, where), file, where, "name", numbers=True)
        original = optional(entry, "original_name", file, where, str) or name
        classes[cid] = ClassInfo(cid, original, key=name if name != original else None)
    return classes


def read(src: PathLike, level: Optional[str] = None) -> AnnotationSet:
    """One level (named ``level``, default ``action``) of segments from an ActivityNet JSON.

    A class is its id: ``label_id`` wins over ``label`` where both are there (a name must then always
    go with the same id, and an id with the same name). Names map to ids through the file's own
    ``taxonomy`` table when it has one (names made unique by videokit's writer read back to their
    class and its original name); otherwise distinct names get ids in sorted order.
    """
    file = str(src)
    data = read_json(src)
    database = require(data, "database", file, "top", dict)
    name = level or "action"
    classes = _declared_classes(data, file)
    key_of = {cid: c.key or c.name for cid, c in classes.items()}
    by_name: Dict[str, int] = {key: cid for cid, key in key_of.items()}
    by_name.update({c.name: cid for cid, c in classes.items()
                    if sum(o.name == c.name for o in classes.values()) == 1})
    pending = []  # (segment, label name) whose id is assigned after all named ids are known
    videos: Dict[str, VideoAnnotation] = {}
    for vid, rec in database.items():
        record = f"database.{vid}"
        anns = require(rec, "annotations", file, record, list)
        duration = optional_float(rec, "duration", file, record)
        fps = optional_float(rec, "fps", file, record)
        subset = optional(rec, "subset", file, record, str)
        segments = []
        for j, ann in enumerate(anns):
            where = f"{record}.annotations[{j}]"
            start, end = parse_segment(require(ann, "segment", file, where), file, where)
            label_name = optional(ann, "label", file, where)
            label_name = None if label_name is None else as_text(label_name, file, where, "label", numbers=True)
            if "label_id" in ann:
                cid = parse_class_id(ann["label_id"], file, where, "label_id")
                known = key_of.get(cid)
                if known is not None and label_name is not None and label_name not in (known, classes[cid].name):
                    raise AnnotationError(file, where, "label_id",
                                          f"id {cid} is {known!r} elsewhere, here {label_name!r}", cid)
                if label_name is not None and by_name.get(label_name, cid) != cid:
                    raise AnnotationError(file, where, "label",
                                          f"{label_name!r} has id {by_name[label_name]} elsewhere ({cid})",
                                          label_name)
                if cid not in classes:
                    classes[cid] = ClassInfo(cid, label_name if label_name is not None else str(cid))
                    key_of[cid] = classes[cid].name
                if label_name is not None:
                    by_name[label_name] = cid
                seg = Segment(name, cid, start, end, origin=(file, where))
            elif label_name is not None:
                seg = Segment(name, -1, start, end, origin=(file, where))
                pending.append((seg, label_name))
            else:
                raise AnnotationError(file, where, "label", "missing field (need label or label_id)")
            extra = {k: v for k, v in ann.items() if k not in ("label", "label_id", "segment")}
            if extra:
                seg.attrs.update(extra)
            segments.append(seg)
        attrs = {k: v for k, v in rec.items() if k not in _KNOWN_VIDEO_KEYS}
        videos[vid] = VideoAnnotation(vid, None, duration, fps, subset, [], segments, attrs,
                                      origin=(file, record))
    next_id = max(classes) + 1 if classes else 0
    for label_name in sorted({n for _, n in pending} - set(by_name)):
        classes[next_id] = ClassInfo(next_id, label_name)
        by_name[label_name] = next_id
        next_id += 1
    for seg, label_name in pending:
        seg.label = by_name[label_name]
    taxonomy = Taxonomy(optional(data, "dataset", file, "top", str, ""), [Level(name, classes)])
    return AnnotationSet(taxonomy, videos, file)


def to_dict(annotations: AnnotationSet, level: Optional[str] = None,
            subset: Optional[str] = None) -> Dict[str, Any]:
    """The ActivityNet dictionary for one level (default: the finest).

    ``label`` is the class's name made unique within the level (what ActionFormer / OpenTAD key classes
    by), ``label_id`` its id; ``taxonomy`` lists every class with its ``original_name`` where the two
    differ. A level with no segments of its own (NurViD's procedures) is written as the segments of the
    finer level, each keeping that level's class as ``<level>_id``.
    """
    level = level or annotations.levels[-1]
    classes = annotations.taxonomy.level(level)
    names = annotations.taxonomy.class_names(level)
    database: Dict[str, Any] = {}
    for video in annotations.subset(subset):
        entry: Dict[str, Any] = {"subset": video.split}
        if video.duration is not None:
            entry["duration"] = video.duration
        if video.fps is not None:
            entry["fps"] = video.fps
        entry["annotations"] = []
        database[video.video_id] = entry
    for item in trimmed_segments(annotations, level):
        entry = database.get(item.video.video_id)
        if entry is not None:
            ann = {"label": names[item.label], "label_id": item.label,
                   "segment": [item.segment.start, item.segment.end]}
            if item.segment.level != level:
                ann[f"{item.segment.level}_id"] = item.segment.label
            entry["annotations"].append(ann)
    table = []
    for cid in sorted(classes.classes):
        table.append({"id": cid, "name": names[cid]})
        if names[cid] != classes.classes[cid].name:
            table[-1]["original_name"] = classes.classes[cid].name
    return {"version": f"videokit {annotations.taxonomy.dataset} {level}".strip(),
            "dataset": annotations.taxonomy.dataset, "level": level, "taxonomy": table, "database": database}


def write(annotations: AnnotationSet, out: PathLike, level: Optional[str] = None,
          subset: Optional[str] = None) -> None:
    if level is not None and level not in annotations.levels:
        raise AnnotationError(out, None, "level", f"expected one of {annotations.levels}", level)
    atomic_write_text(out, json.dumps(to_dict(annotations, level, subset), ensure_ascii=False))
