"""OphNet's published CSVs: surgery > phase > operation.

- ``OphNet2024_loca_{all,challenge}.csv``: one row per operation segment
  (``video_id,start,end,split,surgery_id,phase_id,operation_id``). Phase segments are the runs of
  consecutive rows of one phase in one video, as the authors merged them into
  ``OphNet2024_loca_challenge_phase.csv`` (its surgery is the run's first row's).
- ``OphNet2024_loca_challenge_phase.csv``: phase segments only.
- ``OphNet2024_surgery.csv``: ``video_id,surgery`` with comma-separated ids, the first the primary.

No class names are published: names are the ids. The CSVs hold no durations: pass a metadata
table (``video_id,duration,fps``) to fill them.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Dict, List, Optional

import pandas as pd

from ...utils import atomic_output
from ..errors import AnnotationError, Finding
from ..model import AnnotationSet, Level, Segment, Taxonomy, VideoAnnotation
from ._common import PathLike, format_number, parse_class_id, parse_column, read_table, row_line

LEVELS = ("surgery", "phase", "operation")
LOCA = {"all": "OphNet2024_loca_all.csv", "challenge": "OphNet2024_loca_challenge.csv"}
PHASE_FILE = "OphNet2024_loca_challenge_phase.csv"
SURGERY_FILE = "OphNet2024_surgery.csv"
LOCA_COLUMNS = ["video_id", "start", "end", "split", "surgery_id", "phase_id", "operation_id"]
PHASE_COLUMNS = LOCA_COLUMNS[:-1]


def _kind(path: Path) -> str:
    """Which of the three tables a CSV is, from its header."""
    header = read_table(path, [], sep=",").columns
    if "operation_id" in header:
        return "operations"
    if "phase_id" in header:
        return "phases"
    if "surgery" in header:
        return "surgery"
    raise AnnotationError(path, "line 1", "header",
                          "not an OphNet CSV (expected operation_id, phase_id or surgery column)",
                          ",".join(header))


def read(src: PathLike, variant: str = "challenge") -> AnnotationSet:
    """Read an OphNet folder (``variant`` picks the all / challenge ids) or one of its CSVs."""
    src = Path(src)
    taxonomy = Taxonomy("ophnet", [Level(name) for name in LEVELS])
    annotations = AnnotationSet(taxonomy, {}, str(src))
    if src.is_dir():
        if variant not in LOCA:
            raise AnnotationError(src, None, "variant", f"expected one of {sorted(LOCA)}", variant)
        loca = src / LOCA[variant]
        if not loca.exists():
            raise AnnotationError(src, None, "file", f"no {LOCA[variant]} in this folder")
        _read_segments(annotations, loca, with_operations=True)
        if (src / SURGERY_FILE).exists():
            _read_surgery(annotations, src / SURGERY_FILE)
    else:
        kind = _kind(src)
        if kind == "surgery":
            _read_surgery(annotations, src)
        else:
            _read_segments(annotations, src, with_operations=kind == "operations")
    _infer_class_parents(annotations)
    return annotations


def _read_segments(annotations: AnnotationSet, path: Path, with_operations: bool) -> None:
    columns = LOCA_COLUMNS if with_operations else PHASE_COLUMNS
    table = read_table(path, columns)
    file = str(path)
    videos = annotations.videos
    surgeries, phases, operations = annotations.taxonomy.levels
    current_phase: Dict[str, int] = {}  # video -> index of its open phase segment
    ids = {name: parse_column(table[name], file, name, "class_id") for name in columns[4:]}
    starts = parse_column(table["start"], file, "start")
    ends = parse_column(table["end"], file, "end")
    for i, (vid, split) in enumerate(zip(table["video_id"], table["split"])):
        where = row_line(i)
        if not vid:
            raise AnnotationError(file, where, "video_id", "empty")
        surgery, phase = ids["surgery_id"][i], ids["phase_id"][i]
        video = videos.get(vid)
        if video is None:
            video = videos[vid] = VideoAnnotation(vid, f"{vid}.mp4", split=split or None, origin=(file, where))
        elif split and video.split != split:
            annotations.findings.append(Finding(
                "error", file, where, "split", f"video {vid} is also in split {video.split!r}", split,
                "split-overlap"))
        if surgery not in video.labels:
            video.labels.append(surgery)
        surgeries.ensure(surgery)
        phases.ensure(phase)
        open_index = current_phase.get(vid)
        if with_operations and open_index is not None and video.segments[open_index].label == phase \
                and _is_last_phase(video, open_index):
            video.segments[open_index].end = ends[i]
        else:
            video.segments.append(Segment("phase", phase, starts[i], ends[i], attrs={"surgery_id": surgery},
                                          origin=(file, where)))
            current_phase[vid] = open_index = len(video.segments) - 1
        if with_operations:
            op = ids["operation_id"][i]
            operations.ensure(op)
            video.segments.append(Segment("operation", op, starts[i], ends[i], parent=open_index,
                                          attrs={"surgery_id": surgery}, origin=(file, where)))


def _is_last_phase(video: VideoAnnotation, index: int) -> bool:
    return all(s.level != "phase" for s in video.segments[index + 1:])


def _read_surgery(annotations: AnnotationSet, path: Path) -> None:
    table = read_table(path, ["video_id", "surgery"])
    file = str(path)
    surgeries = annotations.taxonomy.level("surgery")
    seen: Dict[str, str] = {}
    for i, (vid, text) in enumerate(zip(table["video_id"], table["surgery"])):
        where = row_line(i)
        if not vid:
            raise AnnotationError(file, where, "video_id", "empty")
        if not text.strip():
            raise AnnotationError(file, where, "surgery", "empty")
        labels = [parse_class_id(part, file, where, "surgery") for part in text.split(",")]
        if vid in seen:
            annotations.findings.append(Finding("error", file, where, "video_id",
                                                f"video listed twice (first at {seen[vid]})", vid, "duplicate"))
            continue
        seen[vid] = where
        for label in labels:
            surgeries.ensure(label)
        video = annotations.videos.get(vid)
        if video is None:
            annotations.videos[vid] = VideoAnnotation(vid, f"{vid}.mp4", labels=labels, origin=(file, where))
        else:
            video.labels = labels


def _infer_class_parents(annotations: AnnotationSet) -> None:
    """Phase parents: the surgeries its segments carry; operation parents: the phases it occurs in."""
    pairs: Dict[str, Dict[int, set]] = {"phase": {}, "operation": {}}
    for video in annotations:
        for seg in video.segments:
            if seg.level == "phase":
                pairs["phase"].setdefault(seg.label, set()).add(seg.attrs.get("surgery_id"))
            elif seg.level == "operation" and seg.parent is not None:
                pairs["operation"].setdefault(seg.label, set()).add(video.segments[seg.parent].label)
    for level, table in pairs.items():
        classes = annotations.taxonomy.level(level)
        for label, parents in table.items():
            classes.ensure(label).parents = tuple(sorted(p for p in parents if p is not None))


# --------------------------------------------------------------------------- writing
def _segment_surgery(video: VideoAnnotation, seg: Segment) -> Optional[int]:
    if "surgery_id" in seg.attrs:
        return seg.attrs["surgery_id"]
    return video.primary_label


def tables(annotations: AnnotationSet) -> Dict[str, pd.DataFrame]:
    """The three published tables (operations, phases, surgery labels) as DataFrames."""
    ops: List[list] = []
    phases: List[list] = []
    surgery: List[list] = []
    for video in annotations:
        for seg in video.segments:
            row = [video.video_id, format_number(seg.start), format_number(seg.end), video.split or "",
                   _segment_surgery(video, seg)]
            if seg.level == "phase":
                phases.append(row + [seg.label])
            elif seg.level == "operation":
                parent = video.segments[seg.parent].label if seg.parent is not None else ""
                ops.append(row + [parent, seg.label])
        if video.labels:
            surgery.append([video.video_id, ",".join(str(x) for x in video.labels)])
    return {LOCA["all"]: pd.DataFrame(ops, columns=LOCA_COLUMNS),
            PHASE_FILE: pd.DataFrame(phases, columns=PHASE_COLUMNS),
            SURGERY_FILE: pd.DataFrame(surgery, columns=["video_id", "surgery"])}


def write(annotations: AnnotationSet, out: PathLike, variant: str = "all") -> None:
    """Write a folder with the operation, phase and surgery CSVs (empty tables are left out).

    ``variant`` names the operation table as the reader expects it (``all`` or ``challenge``).
    """
    if variant not in LOCA:
        raise AnnotationError(out, None, "variant", f"expected one of {sorted(LOCA)}", variant)
    if annotations.levels != list(LEVELS):
        raise AnnotationError(annotations.source, None, "levels", f"OphNet has the levels {LEVELS}",
                              annotations.levels)
    with atomic_output(out, directory=True) as tmp:
        for name, table in tables(annotations).items():
            if table.empty:
                continue
            if name == LOCA["all"]:
                name = LOCA[variant]
            table.to_csv(tmp / name, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
