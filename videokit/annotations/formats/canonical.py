"""videokit's own JSON: every field of the model, so any conversion through it is lossless."""
from __future__ import annotations

import json
from typing import Any, Dict

from ...utils import atomic_write_text
from ..errors import AnnotationError
from ..model import AnnotationSet, Segment, Taxonomy, VideoAnnotation
from ._common import PathLike, parse_float, parse_int, read_json, require

FORMAT = "videokit.canonical"
VERSION = 1


def to_dict(annotations: AnnotationSet) -> Dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "taxonomy": annotations.taxonomy.to_dict(),
            "videos": [v.to_dict() for v in annotations]}


def write(annotations: AnnotationSet, out: PathLike, indent: int = None, **_: object) -> None:
    atomic_write_text(out, json.dumps(to_dict(annotations), ensure_ascii=False, indent=indent))


def read(src: PathLike, **_: object) -> AnnotationSet:
    file = str(src)
    data = read_json(src)
    if require(data, "format", file, "top") != FORMAT:
        raise AnnotationError(file, "top", "format", f"expected {FORMAT!r}", data.get("format"))
    if require(data, "version", file, "top") != VERSION:
        raise AnnotationError(file, "top", "version", f"unsupported version (this videokit reads {VERSION})",
                              data.get("version"))
    try:
        taxonomy = Taxonomy.from_dict(require(data, "taxonomy", file, "top", dict))
    except (KeyError, TypeError, ValueError) as exc:
        raise AnnotationError(file, "taxonomy", "levels", f"malformed taxonomy: {exc}") from None
    levels = set(taxonomy.level_names)
    videos: Dict[str, VideoAnnotation] = {}
    for i, rec in enumerate(require(data, "videos", file, "top", list)):
        record = f"videos[{i}]"
        vid = require(rec, "id", file, record, str)
        segments = []
        raw_segments = rec.get("segments") or []
        for j, seg in enumerate(raw_segments):
            where = f"{record}.segments[{j}]"
            level = require(seg, "level", file, where, str)
            if level not in levels:
                raise AnnotationError(file, where, "level", f"not a taxonomy level {sorted(levels)}", level)
            parent = seg.get("parent")
            if parent is not None:
                parent = parse_int(parent, file, where, "parent", minimum=0)
                if parent >= len(raw_segments) or parent == j:
                    raise AnnotationError(file, where, "parent", "not another segment of this video", parent)
            segments.append(Segment(level, parse_int(require(seg, "label", file, where), file, where, "label"),
                                    parse_float(require(seg, "start", file, where), file, where, "start"),
                                    parse_float(require(seg, "end", file, where), file, where, "end"),
                                    parent, dict(seg.get("splits") or {}), dict(seg.get("attrs") or {}),
                                    origin=(file, where)))
            segments[-1].start, segments[-1].end = seg["start"], seg["end"]  # keep int/float as written
        labels = [parse_int(x, file, record, "labels") for x in rec.get("labels") or []]
        for name in ("duration", "fps"):
            if rec.get(name) is not None:
                parse_float(rec[name], file, record, name)
        videos[vid] = VideoAnnotation(vid, rec.get("path"), rec.get("duration"), rec.get("fps"),
                                      rec.get("split"), labels, segments, dict(rec.get("attrs") or {}),
                                      origin=(file, record))
    return AnnotationSet(taxonomy, videos, file)
