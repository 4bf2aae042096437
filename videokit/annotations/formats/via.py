"""VIA 3 (VGG Image Annotator) video projects, in and out.

Reading: every temporal segment (``metadata`` with ``z = [t0, t1]``, seconds) with its attribute values
(``av``): one level per attribute (its ``aname``, coarse to fine in id order), the value a class (for a
radio / select / checkbox attribute, its option's text; where the option list is empty, the stored text).
A segment carrying values of several attributes is one segment per level. Metadata without ``z`` (a file
attribute) gives the video's label(s). An attribute without a name, or never used, is left out with a note.
Files are the project's ``file`` entries (through its ``view`` list); the video id is the file name's stem.

Writing: one select attribute per level whose option ids are the taxonomy's class ids (so ids come back) and
whose texts are the level-unique class names; the top level, when it has no segments, as a file attribute;
each segment's side fields (JSON) and a model's score as text attributes (``videokit_attrs``,
``videokit_score``). VIA holds no durations, fps or splits (docs/annotations.md).
"""
from __future__ import annotations

import json
import random
import time
from typing import Dict, List, Optional

import numpy as np

from ...utils import atomic_write_text
from ..errors import AnnotationError, Finding
from ..model import AnnotationSet, Taxonomy
from ..timeline import video_file
from ._common import MAX_CLASS_ID, PathLike, as_object, as_text, optional, parse_float, read_json, require
from ._tool_files import RawSegment, RawVideo, assemble, attrs_from_json, level_names, rows, video_label_names

CREATOR = "VGG Image Annotator (http://www.robots.ox.ac.uk/~vgg/software/via)"
SIDE_FIELDS = "videokit_attrs"
SCORE = "videokit_score"  # a model's score per segment (predictions)
SELECT, FILE_ANCHOR, SEGMENT_ANCHOR = 4, "FILE1_Z0_XY0", "FILE1_Z2_XY0"
ID_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def random_ids(count: int, length: int = 8, seed: int = 0) -> List[str]:
    """``count`` ids of ``length`` characters, exactly those ``random.Random(seed).choice(ID_CHARACTERS)`` draws one
    character at a time, drawn in bulk (a 36,000-segment project's ids in 12 ms instead of 140 ms).

    ``choice`` of 62 takes the top 6 bits of one 32-bit Mersenne Twister output and draws again on 62 or 63;
    ``getrandbits(32 * n)`` is n such outputs, the first in the lowest bits (tests/annotations check the two
    agree)."""
    need, table = count * length, np.frombuffer(ID_CHARACTERS.encode(), np.uint8)
    rng, drawn, have = random.Random(seed), [np.zeros(0, np.uint32)], 0
    while have < need:
        words = (need - have) * 66 // 62 + 64
        top = np.frombuffer(rng.getrandbits(32 * words).to_bytes(4 * words, "little"), "<u4") >> 26
        drawn.append(top[top < len(table)])
        have += len(drawn[-1])
    text = table[np.concatenate(drawn)[:need]].tobytes().decode()
    return [text[i:i + length] for i in range(0, need, length)]


def _attributes(data: Dict, file: str) -> Dict[str, Dict]:
    """The project's attributes, each an object whose ``aname`` is text and ``options`` an object of texts."""
    attributes = require(data, "attribute", file, "top", dict)
    for aid, attribute in attributes.items():
        where = f"attribute {aid[:40]}"
        as_object(attribute, file, where, "attribute")
        optional(attribute, "aname", file, where, str)
        options = optional(attribute, "options", file, where, dict, {})
        for key, text in options.items():
            as_text(text, file, where, f"options.{key[:40]}", numbers=True)
    return attributes


def read(src: PathLike, taxonomy: Optional[Taxonomy] = None) -> AnnotationSet:
    file = str(src)
    data = read_json(src)
    attributes = _attributes(data, file)
    files = require(data, "file", file, "top", dict)
    views = optional(data, "view", file, "top", dict, {})
    metadata = require(data, "metadata", file, "top", dict)
    for key, meta in metadata.items():
        where = f"metadata {key[:60]}"
        as_object(meta, file, where, "metadata")
        optional(meta, "av", file, where, dict)
    used = {aid for m in metadata.values() for aid in (m.get("av") or {})}
    findings: List[Finding] = []
    levels: Dict[str, str] = {}
    side = next((aid for aid, a in attributes.items() if a.get("aname") == SIDE_FIELDS), None)
    score = next((aid for aid, a in attributes.items() if a.get("aname") == SCORE), None)
    for aid in sorted(attributes, key=lambda a: (len(a), a)):
        name = (attributes[aid].get("aname") or "").strip()
        if aid in (side, score):
            continue
        if not name or aid not in used:
            findings.append(Finding("warning", file, f"attribute {aid}", "aname", "attribute without a name" if not name
                                    else "attribute never used; left out", name or None, "unused-attribute"))
            continue
        levels[aid] = name
    videos: Dict[str, RawVideo] = {}
    for vid, view in views.items() if views else ((fid, {"fid_list": [fid]}) for fid in files):
        where = f"view {vid[:40]}"
        fids = optional(as_object(view, file, where, "view"), "fid_list", file, where, list) or [vid]
        fid = as_text(fids[0], file, where, "fid_list", numbers=True)
        entry = optional(files, fid, file, "file", dict, {})
        fname = optional(entry, "fname", file, f"file {fid[:40]}", str) or fid
        stem = fname.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        videos[vid] = RawVideo(stem, fname, where=(file, f"file {fid}"))
    for key, meta in metadata.items():
        where = (file, f"metadata {key[:60]}")
        vid = optional(meta, "vid", file, where[1])
        video = videos.get(vid if isinstance(vid, str) else str(vid) if isinstance(vid, int) else None)
        if video is None:
            raise AnnotationError(file, where[1], "vid", "no such view / file in the project", vid)
        z = optional(meta, "z", file, where[1], list, [])
        av = optional(meta, "av", file, where[1], dict, {})
        extra = attrs_from_json(av.get(side)) if side and isinstance(av.get(side), str) else {}
        if score and av.get(score) not in (None, ""):
            extra["score"] = parse_float(av[score], file, where[1], f"av.{score}")
        for aid, value in av.items():
            if aid not in levels or value in (None, ""):
                continue
            value = as_text(value, file, where[1], f"av.{aid[:40]}", numbers=True)
            options = attributes[aid].get("options") or {}
            values = value.split(",") if attributes[aid].get("type") == 2 and options else [value]
            for one in values:
                text = str(options.get(one, one))
                is_id = one.isascii() and one.isdigit() and len(one) <= len(str(MAX_CLASS_ID))
                cid = int(one) if options and one in options and is_id else None  # option ids: class ids
                if not z:
                    if list(levels).index(aid) == 0:
                        video.labels.append((text, cid))
                    continue
                if len(z) != 2:
                    raise AnnotationError(file, where[1], "z", "expected [start, end] of a temporal segment", z)
                start, end = (parse_float(t, file, where[1], "z") for t in z)
                video.segments.append(RawSegment(levels[aid], text, round(start, 5), round(end, 5), where, cid,
                                                 attrs=dict(extra)))
    annotations = assemble(list(videos.values()), list(levels.values()), file, taxonomy=taxonomy)
    annotations.findings[:0] = findings
    return annotations


def to_dict(annotations: AnnotationSet, subset: Optional[str] = None, as_predictions: bool = False) -> Dict:
    levels = annotations.levels
    videos = list(annotations.subset(subset))
    segment_levels = [lvl for lvl in levels if any(s.level == lvl for v in videos for s in v.segments)]
    attribute: Dict[str, Dict] = {}
    for i, level in enumerate(levels):
        level_classes = annotations.taxonomy.class_names(level)
        anchor = SEGMENT_ANCHOR if level in segment_levels else FILE_ANCHOR
        options = {str(cid): level_classes[cid] for cid in sorted(annotations.taxonomy.level(level).classes)}
        attribute[str(i + 1)] = {"aname": level, "anchor_id": anchor, "type": SELECT, "desc": f"videokit level {level}",
                                 "options": options,
                                 "default_option_id": ""}
    aid = {level: str(i + 1) for i, level in enumerate(levels)}
    side = str(len(levels) + 1)  # the segments' side fields (OphNet's surgery_id), as JSON text
    attribute[side] = {"aname": SIDE_FIELDS, "anchor_id": SEGMENT_ANCHOR, "type": 1,
                       "desc": "videokit: the segment's other fields (JSON)", "options": {}, "default_option_id": ""}
    score = str(len(levels) + 2)  # a model's score per segment, where the segments have one
    if any(isinstance(s.attrs.get("score"), (int, float)) for v in videos for s in v.segments):
        attribute[score] = {"aname": SCORE, "anchor_id": SEGMENT_ANCHOR, "type": 1,
                            "desc": "the model's score of the segment (pre-annotations)", "options": {},
                            "default_option_id": ""}
    names = level_names(annotations)
    files, views, entries = {}, {}, []
    for n, video in enumerate(videos, start=1):
        vid = str(n)
        files[vid] = {"fid": vid, "fname": video_file(video), "type": 4, "loc": 1, "src": ""}
        views[vid] = {"fid_list": [vid]}
        if levels[0] not in segment_levels:
            for label, _ in video_label_names(annotations, video, names):
                entries.append({"vid": vid, "flg": 0, "z": [], "xy": [], "av": {aid[levels[0]]: str(label)}})
        for row in rows(annotations, video, names):
            av = {aid[row.level]: str(row.label)}
            if row.attrs:
                av[side] = row.attrs_json
            if row.score is not None:
                av[score] = f"{row.score:.4f}"
            entries.append({"vid": vid, "flg": 0, "z": [round(row.start, 5), round(row.end, 5)], "xy": [], "av": av})
    # VIA's metadata ids: the view id and 8 random characters, as VIA makes them (the same every write: seed 0)
    metadata = {f"{entry['vid']}_{suffix}": entry for entry, suffix in zip(entries, random_ids(len(entries)))}
    return {"project": {"pid": "__VIA_PROJECT_ID__", "rev": "__VIA_PROJECT_REV_ID__",
                        "rev_timestamp": "__VIA_PROJECT_REV_TIMESTAMP__",
                        "pname": f"videokit {annotations.taxonomy.dataset}".strip()
                                 + (" (pre-annotations by a model)" if as_predictions else ""), "creator": CREATOR,
                        "created": int(time.time() * 1000), "vid_list": list(views)},
            "config": {"file": {"loc_prefix": {"1": "", "2": "", "3": "", "4": ""}},
                       "ui": {"file_content_align": "center", "file_metadata_editor_visible": True,
                              "spatial_metadata_editor_visible": True, "temporal_segment_metadata_editor_visible": True,
                              "spatial_region_label_attribute_id": "",
                              "gtimeline_visible_row_count": str(len(levels))}},
            "attribute": attribute, "file": files, "metadata": metadata, "view": views}


def write(annotations: AnnotationSet, out: PathLike, subset: Optional[str] = None,
          as_predictions: bool = False) -> None:
    """One VIA 3 project JSON for the whole set (open it in VIA's video annotator); ``as_predictions`` names the
    project as a model's pre-annotations (each segment's score is a ``videokit_score`` attribute either way)."""
    atomic_write_text(out, json.dumps(to_dict(annotations, subset, as_predictions), ensure_ascii=False))
