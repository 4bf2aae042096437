"""NurViD's published annotation folder: ``NurViD_annotations.json``, the class-name workbook
``Procedure&Action_ID.xlsx``, the video-level splits ``task1_3/{train,val,test}.csv`` and the
segment-level lists ``task2/{procedure,action}_{train,val,test}.csv``.

Ids are 1-based in the JSON and in ``task1_3``, 0-based in ``task2`` and in the workbook;
videokit is 0-based throughout. The JSON's ``subset`` is always null: video splits come from
``task1_3``; each task-2 list gives its segments a split of its own (``Segment.splits``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pandas as pd

from ...utils import atomic_output
from ..errors import AnnotationError, Finding
from ..model import AnnotationSet, ClassInfo, Level, Segment, Taxonomy, VideoAnnotation, infer_parents
from ._common import PathLike, optional_float, parse_class_id, parse_segment, read_json, read_text, require

LEVELS = ("procedure", "action")
SPLITS = ("train", "val", "test")
JSON_NAME = "NurViD_annotations.json"
XLSX_NAME = "Procedure&Action_ID.xlsx"
VIDEO_PREFIX = "/video_path/"
SEGMENT_PREFIX = "/segment_path/"


def _file_stem(path: str) -> Optional[str]:
    """``/video_path/<stem>.mp4`` -> ``<stem>`` (string operations: linear in the path, whatever it holds)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and stem and suffix and (suffix.isascii() and suffix.replace("_", "a").isalnum()) else None


def _clip_name(path: str) -> Optional[Tuple[str, int]]:
    """``/segment_path/<video_id>_<k>.mp4`` -> ``(video_id, k)``, or None where the name is not of that form."""
    stem = _file_stem(path)
    if stem is None:
        return None
    vid, sep, k = stem.rpartition("_")
    if not sep or not vid or not (k.isascii() and k.isdigit()) or len(k) > 9:
        return None
    return vid, int(k)


def _locate(src: PathLike) -> Tuple[Path, Path]:
    """(folder, JSON file) for a folder or a JSON path."""
    src = Path(src)
    if src.is_dir():
        json_path = src / JSON_NAME
        if not json_path.exists():
            raise AnnotationError(src, None, "file", f"no {JSON_NAME} in this folder")
        return src, json_path
    return src.parent, src


def read_class_table(path: PathLike) -> Taxonomy:
    """The workbook's two side-by-side tables (procedures, actions) as a two-level taxonomy."""
    path = Path(path)
    try:
        sheet = pd.read_excel(path, header=None, dtype=object)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise AnnotationError(path, None, "file", f"cannot read workbook: {exc}") from None
    header_row = next((i for i in range(min(len(sheet), 5)) if str(sheet.iat[i, 0]).strip() == "ID"), None)
    if header_row is None:
        raise AnnotationError(path, "row 1-5", "ID", "no header row starting with 'ID'")
    header = [str(v).strip() for v in sheet.iloc[header_row]]
    try:
        action_col = header.index("ID", 1)
    except ValueError:
        raise AnnotationError(path, f"row {header_row + 1}", "ID", "no second 'ID' column (actions)") from None

    def table(first: int, last: int, level: str) -> Dict[int, ClassInfo]:
        cols = header[first:last]
        block = sheet.iloc[header_row + 1:, first:last].copy()
        block.columns = cols
        block = block[block["ID"].notna()]
        classes: Dict[int, ClassInfo] = {}
        group: Optional[str] = None
        for index, row in block.iterrows():
            record = f"row {index + 1}"
            cid = parse_class_id(row["ID"], path, record, f"{level} ID")
            if pd.notna(row.get("Split")) and str(row.get("Split")).strip():
                group = str(row["Split"]).strip()  # the group is written on its first class only
            names = {}
            if pd.notna(row.get("English name")):
                names["en"] = str(row["English name"]).strip()
            if pd.notna(row.get("Chinese name")):
                names["zh"] = str(row["Chinese name"]).strip()
            abbrev = row.get("Abbreviation")
            classes[cid] = ClassInfo(cid, names.get("en", str(cid)), names,
                                     str(abbrev).strip() if pd.notna(abbrev) else None, group)
        return classes

    first_blank = next((i for i in range(1, action_col) if header[i] in ("nan", "None", "")), action_col)
    procedures = table(0, first_blank, "procedure")
    actions = table(action_col, len(header), "action")
    return Taxonomy("nurvid", [Level("procedure", procedures), Level("action", actions)])


def _read_list(path: Path) -> List[Tuple[str, str, str]]:
    """``(line, path, label)`` of each row of a list; the first line is a header that names no columns
    (``path-label`` / ``path-lable``); a row of other than two words is one error naming its line."""
    rows = []
    for number, line in enumerate(read_text(path).splitlines()[1:], start=2):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2:
            raise AnnotationError(path, f"line {number}", "line", "expected: path label", line.strip())
        rows.append((f"line {number}", parts[0], parts[1]))
    return rows


def read(src: PathLike) -> AnnotationSet:
    """Read a NurViD folder (or its JSON alone, with whatever lists lie beside it)."""
    folder, json_path = _locate(src)
    data = read_json(json_path)
    if not isinstance(data, dict):
        raise AnnotationError(json_path, None, "json", "expected an object of video records", type(data).__name__)
    xlsx = folder / XLSX_NAME
    has_table = xlsx.exists()
    taxonomy = read_class_table(xlsx) if has_table else Taxonomy("nurvid", [Level(n) for n in LEVELS])
    procedures, actions = taxonomy.levels
    file = str(json_path)
    videos: Dict[str, VideoAnnotation] = {}
    for vid, rec in data.items():
        record = f"video {vid}"
        op = parse_class_id(require(rec, "operationID", file, record), file, record, "operationID", first=1) - 1
        steps = require(rec, "annotations", file, record, list)
        duration = optional_float(rec, "duration", file, record)
        fps = optional_float(rec, "fps", file, record)
        segments = []
        for k, step in enumerate(steps, start=1):
            where = f"{record} annotations[{k - 1}]"
            action = parse_class_id(require(step, "actionID", file, where), file, where, "actionID", first=1) - 1
            start, end = parse_segment(require(step, "segment", file, where), file, where)
            segments.append(Segment("action", action, start, end, origin=(file, where)))
        attrs = {key: rec[key] for key in ("resolution", "url", "subset") if rec.get(key) is not None}
        attrs.update({key: value for key, value in rec.items()
                      if key not in ("operationID", "annotations", "duration", "fps", "resolution",
                                     "url", "subset")})
        videos[vid] = VideoAnnotation(vid, f"{vid}.mp4", duration, fps, None, [op], segments, attrs,
                                      origin=(file, record))
        if not has_table:  # without the workbook, classes are the ids seen; with it, unknown ids are errors
            procedures.ensure(op)
            for seg in segments:
                actions.ensure(seg.label)
    annotations = AnnotationSet(taxonomy, videos, str(folder))
    _read_video_splits(annotations, folder)
    _read_segment_splits(annotations, folder)
    infer_parents(annotations)
    return annotations


def _read_video_splits(annotations: AnnotationSet, folder: Path) -> None:
    """``task1_3/{split}.csv``: each video's split; labels are checked against the JSON."""
    findings = annotations.findings
    seen: Dict[str, Tuple[str, str]] = {}
    for split in SPLITS:
        path = folder / "task1_3" / f"{split}.csv"
        if not path.exists():
            continue
        for where, video_path, label in _read_list(path):
            vid = _file_stem(video_path) or video_path
            video = annotations.videos.get(vid)
            label_id = parse_class_id(label, path, where, "label", first=1) - 1
            if video is None:
                findings.append(Finding("error", str(path), where, "path", "video not in the JSON", vid,
                                        "unknown-video"))
                continue
            if vid in seen:
                other = seen[vid]
                code = "duplicate" if other[0] == split else "split-overlap"
                message = ("video listed twice" if code == "duplicate"
                           else f"video also in split {other[0]!r} ({other[1]})")
                findings.append(Finding("error", str(path), where, "path", message, vid, code))
                continue
            seen[vid] = (split, f"{path}:{where}")
            video.split = split
            if label_id != video.primary_label:
                findings.append(Finding("error", str(path), where, "label",
                                        f"disagrees with the JSON's operationID {video.primary_label + 1}",
                                        label_id + 1, "label-mismatch"))


def _read_segment_splits(annotations: AnnotationSet, folder: Path) -> None:
    """``task2/{level}_{split}.csv``: each segment's split for that level's trimmed task."""
    findings = annotations.findings
    for level in LEVELS:
        for split in SPLITS:
            path = folder / "task2" / f"{level}_{split}.csv"
            if not path.exists():
                continue
            for where, clip, label in _read_list(path):
                parsed = _clip_name(clip)
                if parsed is None:
                    raise AnnotationError(path, where, "path", "expected <video_id>_<k>.mp4", clip)
                vid, k = parsed
                label_id = parse_class_id(label, path, where, "label")
                video = annotations.videos.get(vid)
                if video is None or not 1 <= k <= len(video.segments):
                    message = "video not in the JSON" if video is None else \
                        f"segment {k} out of range (video has {len(video.segments)})"
                    findings.append(Finding("error", str(path), where, "path", message, clip, "unknown-segment"))
                    continue
                seg = video.segments[k - 1]
                if level in seg.splits:
                    findings.append(Finding("error", str(path), where, "path",
                                            f"segment already in split {seg.splits[level]!r}", clip,
                                            "duplicate"))
                    continue
                seg.splits[level] = split
                expected = seg.label if level == "action" else video.primary_label
                if label_id != expected:
                    findings.append(Finding("error", str(path), where, "label",
                                            f"disagrees with the JSON ({level} {expected})", label_id,
                                            "label-mismatch"))


# --------------------------------------------------------------------------- writing
def to_json_records(annotations: AnnotationSet) -> Dict[str, dict]:
    """The JSON's records, field order as published."""
    top, levels = annotations.levels[0], annotations.levels
    step_level = levels[-1]
    records = {}
    for video in annotations:
        if video.primary_label is None:
            raise AnnotationError(annotations.source, f"video {video.video_id}", top,
                                  "NurViD needs one label per video")
        rec = {"operationID": video.primary_label + 1,
               "annotations": [{"actionID": s.label + 1, "segment": [s.start, s.end]}
                               for s in video.segments_at(step_level)],
               "duration": video.duration, "resolution": video.attrs.get("resolution"), "fps": video.fps,
               "subset": video.attrs.get("subset"), "url": video.attrs.get("url")}
        rec.update({k: v for k, v in video.attrs.items() if k not in rec})
        records[video.video_id] = rec
    return records


def write(annotations: AnnotationSet, out: PathLike) -> None:
    """Write the folder as published: the JSON plus the ``task1_3`` and ``task2`` lists (CRLF)."""
    if len(annotations.levels) != 2:
        raise AnnotationError(annotations.source, None, "levels",
                              "NurViD has two levels (procedure, action)", annotations.levels)
    records = to_json_records(annotations)
    top, step = annotations.levels
    with atomic_output(out, directory=True) as tmp:
        text = json.dumps(records, indent=4, ensure_ascii=False)
        (tmp / JSON_NAME).write_text(text.replace("\n", "\r\n"), encoding="utf-8", newline="")
        lists: Dict[str, List[str]] = {}
        for video in annotations:
            if video.split:
                lists.setdefault(f"task1_3/{video.split}.csv", []).append(
                    f"{VIDEO_PREFIX}{video.video_id}.mp4 {video.primary_label + 1}")
            for k, seg in enumerate(video.segments_at(step), start=1):
                for level, split in seg.splits.items():
                    label = seg.label if level == step else video.primary_label
                    lists.setdefault(f"task2/{level}_{split}.csv", []).append(
                        f"{SEGMENT_PREFIX}{video.video_id}_{k}.mp4 {label}")
        for name, lines in lists.items():
            path = tmp / name
            path.parent.mkdir(exist_ok=True)
            path.write_text("\r\n".join(["path-label"] + lines) + "\r\n", encoding="utf-8", newline="")
