"""Label Studio video tasks with timeline segments (``TimelineLabels``), in and out.

Reading: the full JSON export (a list of tasks with ``annotations[].result[]``; ``predictions`` in a task
nobody annotated), the JSON-MIN export (one flat row per annotation, the control's name holding
``[{ranges, timelinelabels}]``; rows of one task are gathered), the snapshot exports, and an ML-backend
payload (``{annotation, task, project}``). Per task one person's work: the task's annotation (the latest where
one person made several), ``annotator`` choosing whose where several people annotated it (without it, that is
one error naming them); skipped / cancelled annotations, tasks nobody annotated and tasks whose predictions the
export lists by id only are left out, one warning per reason. One level per ``TimelineLabels`` control (its
``from_name``), coarse to fine in order of first appearance (a task written by videokit names its levels).
Ranges are frames, 1-based and inclusive, as Label Studio's timeline counts them: ``[start, end]`` is
``[(start - 1) / fps, end / fps]`` seconds at the task's frame rate, taken from the task (``data.fps`` /
``data.videokit.fps``), the labeling config (``<Video framerate=...>``), the video's own (probed from its file:
``video_fps``, ``--videos``) or ``tool_fps``; without any, one error asking for ``--tool-fps``. Overlapping ranges are
kept as they are. The visible label decides the class: the id videokit keeps in a region's ``meta`` is used
only while the region still shows the name it was written with (an annotator who relabels a region leaves the
meta as it was). The video id: the one videokit wrote, else the video file's name (an upload's without the
prefix Label Studio gives it).

Writing: a list of tasks (``data.video`` = the video's path, ``data.videokit`` = id, duration, fps, split,
levels, video labels), results with ``from_name`` = the level, the level-unique class name and, in
``meta``, the class id and the name it was written with (``data.videokit.segment_fields`` names the side
fields the metas carry); ``as_predictions`` writes them as ``predictions`` (pre-annotations with the model's
score per region and their mean per task) so an annotator corrects the model instead of starting blank.
:func:`write_config` writes the labeling configuration for the taxonomy (``--to labelstudio-config``).
"""
from __future__ import annotations

import json
import math
import urllib.parse
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple
from xml.sax.saxutils import quoteattr

from ...utils import atomic_write_text
from ..errors import AnnotationError, Finding
from ..model import AnnotationSet, Taxonomy
from ..timeline import video_file
from ._common import (
    MAX_CLASS_ID,
    PathLike,
    as_list,
    as_object,
    as_text,
    optional,
    optional_float,
    parse_class_id,
    parse_float,
    parse_xml,
    read_bytes,
    read_json,
    require,
    ticks,
)
from ._tool_files import (
    RawSegment,
    RawVideo,
    Row,
    VideoRate,
    assemble,
    attrs_text,
    level_names,
    rows,
    video_label_names,
)

TYPE = "timelinelabels"


def _config_fps(config: Any, file: str = "", record: str = "label_config") -> Optional[float]:
    """The ``<Video framerate>`` of a labeling config (None where it names none or takes it from the task)."""
    if not isinstance(config, str) or not config.strip():
        return None
    try:
        root = ET.fromstring(config.strip())
    except (ET.ParseError, ValueError, LookupError):
        return None
    for video in root.iter("Video"):
        rate = video.get("framerate") or video.get("frameRate")
        if rate and not rate.startswith("$"):
            return _rate(rate, file, record, "label_config framerate")
    return None


def _rate(value: Any, file: str, record: str, field: str) -> float:
    rate = parse_float(value, file, record, field)
    if rate <= 0:
        raise AnnotationError(file, record, field, "must be > 0", value)
    return rate


def _tasks(data: Any, file: str) -> List[Dict]:
    """The export's tasks, each ``{id, data, annotations, predictions}``: JSON-MIN rows (one per annotation,
    the task's data at the top) are gathered back into their task."""
    if isinstance(data, dict) and "task" in data and ("annotation" in data or "prediction" in data):
        task = dict(as_object(data["task"], file, "top", "task"))  # an ML-backend payload: one task, one annotation
        item = optional(data, "annotation", file, "top", dict) or optional(data, "prediction", file, "top", dict) or {}
        task["annotations"] = [{"result": optional(item, "result", file, "top.annotation", list, [])}]
        task["_config"] = optional(optional(data, "project", file, "top", dict, {}), "label_config", file,
                                   "top.project", str)
        return [task]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise AnnotationError(file, "top", "tasks", "expected a list of Label Studio tasks", type(data).__name__)
    tasks: List[Dict] = []
    gathered: Dict[Any, Dict] = {}
    for t, task in enumerate(data):
        as_object(task, file, f"task [{t}]", "task")
        if isinstance(task.get("data"), dict) or "annotations" in task or "predictions" in task:
            tasks.append(task)
            continue
        key = task.get("id") if isinstance(task.get("id"), (int, str)) else f"[{t}]"  # a JSON-MIN row
        if key not in gathered:
            gathered[key] = {"id": task.get("id", t), "data": {}, "annotations": [], "_min": True}
            tasks.append(gathered[key])
        regions = {name: value for name, value in task.items() if _is_min_region_list(value)}
        gathered[key]["data"].update({name: value for name, value in task.items()
                                      if name not in regions and name not in MIN_ANNOTATION_KEYS})
        if task.get("annotator") is not None or task.get("annotation_id") is not None or regions:
            gathered[key]["annotations"].append({"completed_by": task.get("annotator"),
                                                 "updated_at": task.get("updated_at"), "_regions": regions,
                                                 "_where": f"task {str(key)[:40]}"})
    return tasks


#: the keys of a JSON-MIN row that say who made its annotation, not what the task holds
MIN_ANNOTATION_KEYS = ("id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time")


def _is_min_region_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "ranges" in v for v in value)


def _who(item: Dict) -> Optional[str]:
    """Who made an annotation, as the export names them: a user id, an e-mail, or both (``3 a@b.org``)."""
    who = item.get("completed_by")
    if isinstance(who, dict):
        parts = [str(who[k]) for k in ("id", "email") if isinstance(who.get(k), (int, str))]
        return " ".join(parts) or None
    return str(who) if isinstance(who, (int, str)) and not isinstance(who, bool) else None


def _made_by(item: Dict, annotator: str) -> bool:
    return annotator in (_who(item) or "").split(" ")


class _Count:
    """Tasks left out, by reason: one finding per reason naming how many and the first few."""

    def __init__(self) -> None:
        self.tasks: Dict[str, List[str]] = {}

    def add(self, reason: str, record: str) -> None:
        self.tasks.setdefault(reason, []).append(record)

    def findings(self, file: str) -> List[Finding]:
        out = []
        for reason, records in self.tasks.items():
            shown = ", ".join(r.removeprefix("task ") for r in records[:5]) + (", ..." if len(records) > 5 else "")
            out.append(Finding("warning", file, f"{len(records)} task(s): {shown}", "annotations", reason, None,
                               "task-left-out"))
        return out


PREDICTIONS_BY_ID = ("its predictions are listed by id only (the project export leaves their regions out); "
                     "export a snapshot with predictions: POST /api/projects/ID/exports with "
                     '{"serialization_options": {"predictions": {"only_id": false}}}, or `videokit labelstudio pull`')


def _chosen(task: Dict, file: str, record: str, annotator: Optional[str], left_out: _Count
            ) -> Optional[Tuple[Dict, str]]:
    """The annotation (or, in a task nobody annotated, the prediction) to read, and its kind; None where the
    task is left out: skipped / cancelled, nobody's work, or not the chosen annotator's."""
    items = [as_object(item, file, f"{record} annotations[{n}]", "annotation")
             for n, item in enumerate(optional(task, "annotations", file, record, list, []))]
    for n, item in enumerate(items):
        item.setdefault("_where", f"{record} annotations[{n}]")
    if annotator is not None:
        items = [item for item in items if _made_by(item, annotator)]
        if not items:
            left_out.add(f"no annotation by annotator {annotator}; left out", record)
            return None
    done = [item for item in items if item.get("was_cancelled") is not True]
    if done:
        people = sorted({_who(item) or "unknown" for item in done})
        if len(people) > 1:
            raise AnnotationError(file, record, "annotations", f"annotations by {len(people)} annotators "
                                  f"({', '.join(people[:5])}): read one's work with --completed-by ID (a user id or "
                                  "e-mail as the export names them); `videokit compare` compares two", len(done))
        latest = max(range(len(done)), key=lambda n: (str(done[n].get("updated_at") or ""), n))
        return done[latest], "annotation"
    if items:
        left_out.add("skipped / cancelled by its annotator; left out", record)
        return None
    predictions = optional(task, "predictions", file, record, list, [])
    if predictions and all(isinstance(item, int) and not isinstance(item, bool) for item in predictions):
        left_out.add("no annotation, and " + PREDICTIONS_BY_ID, record)
        return None
    for n, item in enumerate(predictions):
        item = as_object(item, file, f"{record} predictions[{n}]", "prediction")
        return dict(item, _where=f"{record} predictions[{n}]"), "prediction"
    left_out.add("not annotated; left out", record)
    return None


def _regions(item: Dict, kind: str, file: str, record: str) -> List[Dict]:
    """An annotation's (or prediction's) timeline regions as ``{from_name, ranges, labels, score, meta, id}``,
    every field typed; a JSON-MIN row's from the control's key (no meta, no ids)."""
    if "_regions" in item:
        regions = []
        for name, value in item["_regions"].items():
            for r, v in enumerate(value):
                at = f"{record} {name[:40]}[{r}]"
                regions.append({"from_name": name, "ranges": as_list(v["ranges"], file, at, "ranges"),
                                "labels": optional(v, TYPE, file, at, list, []), "score": None, "meta": None,
                                "id": None, "where": at})
        return regions
    where = item.get("_where", f"{record} {kind}")
    found = []
    for r, result in enumerate(optional(item, "result", file, where, list, [])):
        at = f"{where} result[{r}]"
        region = _region(result, at)
        if region is None:  # not of the usual shape: each field through its check, for the error naming it
            if optional(as_object(result, file, at, "result"), "type", file, at) != TYPE:
                continue
            value = optional(result, "value", file, at, dict, {})
            region = {"from_name": as_text(require(result, "from_name", file, at), file, at, "from_name"),
                      "ranges": optional(value, "ranges", file, at, list, []),
                      "labels": optional(value, TYPE, file, at, list, []),
                      "score": optional(result, "score", file, at),
                      "meta": optional(result, "meta", file, at, dict, {}),
                      "id": optional(result, "id", file, at), "where": at}
        if region:
            found.append(region)
    return found


def _region(result: Any, at: str) -> Optional[Dict[str, Any]]:
    """:func:`_regions`' fields of a result whose every field has its type ({} for another result type, which is
    skipped); None where a field does not (the checked path then names it)."""
    if type(result) is not dict:
        return None
    if result.get("type") != TYPE:
        return {}
    value, name, meta = result.get("value"), result.get("from_name"), result.get("meta")
    value = {} if value is None else value
    if type(value) is not dict or type(name) is not str or (meta is not None and type(meta) is not dict):
        return None
    ranges, labels = value.get("ranges"), value.get(TYPE)
    if (ranges is not None and type(ranges) is not list) or (labels is not None and type(labels) is not list):
        return None
    return {"from_name": name, "ranges": [] if ranges is None else ranges, "labels": [] if labels is None else labels,
            "score": result.get("score"), "meta": {} if meta is None else meta, "id": result.get("id"), "where": at}


def _meta(meta: Dict[str, Any], score: Any, file: str, at: str
          ) -> Tuple[Dict[str, Any], Optional[int], Optional[str]]:
    """A region's side fields (what videokit keeps in its ``meta``, and its ``score``), the class id and the name
    it was written with; each checked in that order (a value of the usual type is taken as it is, any other
    through its check). The side fields may be the export's own object: copy it before changing it."""
    attrs, cid, cid_name = meta.get("videokit_attrs"), meta.get("videokit_label_id"), meta.get("videokit_label")
    if type(attrs) is not dict:
        attrs = optional(meta, "videokit_attrs", file, f"{at} meta", dict, {})
    if score is not None:
        attrs = dict(attrs, score=parse_float(score, file, at, "score"))
    if cid is not None and not (type(cid) is int and 0 <= cid <= MAX_CLASS_ID):
        cid = parse_class_id(cid, file, f"{at} meta", "videokit_label_id")
    if cid_name is not None and type(cid_name) is not str:
        cid_name = optional(meta, "videokit_label", file, f"{at} meta", str)
    return attrs, cid, cid_name


#: the whole numbers a float holds exactly
_EXACT = 2 ** 53


def _frame(span: Any, key: str) -> Optional[float]:
    """A range's frame where it is a plain JSON number (what :func:`parse_float` gives it), else None."""
    value = span.get(key) if type(span) is dict else None
    if type(value) is float:
        return value if value - value == 0 else None  # not inf or nan
    if type(value) is int and -_EXACT <= value <= _EXACT:
        return float(value)
    return None


def _video_id(side: Dict, path: str, task: Dict, t: int, file: str, record: str) -> str:
    """The task's video id: the one videokit wrote, else the video file's stem (a file uploaded to Label Studio
    without the prefix it gives uploads, a local-files storage path's), else the task's id."""
    given = optional(side, "video_id", file, record, str)
    if given:
        return given
    url = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(url.query).get("d")  # /data/local-files/?d=folder/video.mp4
    name = urllib.parse.unquote((query[0] if query else url.path).rsplit("/", 1)[-1])
    if url.path.startswith("/data/upload/") and len(name) > 9 and name[8] == "-" and \
            all(c in "0123456789abcdef" for c in name[:8]):
        name = name[9:]  # Label Studio names an upload <8 hex digits>-<the file's own name>
    stem = name.rpartition(".")[0] if "." in name else name
    return stem or as_text(task.get("id", t), file, record, "id", numbers=True)


def read(src: PathLike, tool_fps: Optional[float] = None, taxonomy: Optional[Taxonomy] = None,
         video_fps: Optional[VideoRate] = None, annotator: Optional[str] = None) -> AnnotationSet:
    """A Label Studio export (module docstring). ``annotator``: read that person's annotations (a user id or
    e-mail as the export names them); without it a task annotated by several people is one error."""
    reading = _Export(str(src), tool_fps, video_fps, None if annotator is None else str(annotator))
    data = read_json(src)
    if isinstance(data, list):  # a bare result list (an ML backend's answer) says what it holds
        reading.note_result_types([item for item in data if isinstance(item, dict) and "from_name" in item])
    for t, task in enumerate(_tasks(data, reading.file)):
        reading.task(t, task)
    return reading.annotations(taxonomy)


class _Export:
    """One export being read, in named steps: each task's header (record, data, videokit's side data), the
    annotation chosen, the video it is about, its regions' segments; then the set, with what was left out."""

    def __init__(self, file: str, tool_fps: Optional[float], video_fps: Optional[VideoRate],
                 annotator: Optional[str]) -> None:
        self.file, self.tool_fps, self.video_fps, self.annotator = file, tool_fps, video_fps, annotator
        self.videos: List[RawVideo] = []
        self.levels: List[str] = []
        self.left_out = _Count()
        self.lost: Dict[str, None] = {}  # what a JSON-MIN export could not carry, for one warning
        self.other_types: Dict[str, None] = {}  # result types other than timeline labels (video rectangles ...)

    def task(self, t: int, task: Dict[str, Any]) -> None:
        file = self.file
        task_id = task.get("id", t)
        record = f"task {task_id if isinstance(task_id, (int, str)) and len(str(task_id)) < 40 else t}"
        data = task.get("data") if isinstance(task.get("data"), dict) else task
        side = optional(data, "videokit", file, f"{record} data", dict, {})
        for level in optional(side, "levels", file, f"{record} data.videokit", list, []):
            self._level(as_text(level, file, f"{record} data.videokit", "levels"))
        chosen = _chosen(task, file, record, self.annotator, self.left_out)
        if chosen is None:
            return
        item, kind = chosen
        self.note_result_types(item.get("result") if isinstance(item, dict) else None)
        stated = optional(data, "fps", file, f"{record} data") or optional(side, "fps", file, f"{record} data.videokit")
        rate = _rate(stated, file, record, "fps") if stated is not None else _config_fps(task.get("_config"), file,
                                                                                       record)
        video = self._video(t, task, data, side, record, rate)
        who = _who(item) if kind == "annotation" else None
        if who is not None:
            video.attrs["annotator"] = who
        for r, region in enumerate(_regions(item, kind, file, record)):
            rate = self._segments(video, region, r, record, side, rate)
        if not side:
            video.fps = video.fps or self.tool_fps
        self.videos.append(video)

    def note_result_types(self, results: Any) -> None:
        """Note result types other than timeline labels, for the error when nothing readable is found."""
        for result in results if isinstance(results, list) else []:
            kind = result.get("type") if isinstance(result, dict) else None
            if isinstance(kind, str) and kind != TYPE and kind.lower() != TYPE and len(self.other_types) < 20:
                self.other_types[kind[:40]] = None

    def _level(self, level: str) -> None:
        if level not in self.levels:
            self.levels.append(level)

    def _video(self, t: int, task: Dict[str, Any], data: Dict[str, Any], side: Dict[str, Any], record: str,
               rate: Optional[float]) -> RawVideo:
        """The task's video: id, path, duration, frame rate, split and video labels (videokit's side data where
        it wrote them, else the task's data)."""
        file, where_side = self.file, f"{record} data.videokit"
        path = optional(data, "video", file, f"{record} data", str) or optional(data, "video_url", file,
                                                                                 f"{record} data", str) or ""
        video_id = _video_id(side, path, task, t, file, record)
        labels = []
        for n, pair in enumerate(optional(side, "labels", file, where_side, list, [])):
            at = f"{record} data.videokit.labels[{n}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise AnnotationError(file, at, "labels", "expected [name, id]", pair)
            labels.append((as_text(pair[0], file, at, "name", numbers=True),
                           None if pair[1] is None else parse_class_id(pair[1], file, at, "id")))
        side_fps = optional_float(side, "fps", file, where_side)
        return RawVideo(video_id, optional(side, "path", file, where_side, str) or path or None,
                        optional_float(side, "duration", file, where_side), side_fps if side else rate,
                        optional(side, "split", file, where_side, str), labels, where=(file, record))

    def _segments(self, video: RawVideo, region: Dict[str, Any], r: int, record: str, side: Dict[str, Any],
                  rate: Optional[float]) -> Optional[float]:
        """One region's segments (a region may hold several ranges) added to ``video``; returns the frame rate
        (found on the first labelled region where the task states none)."""
        file, at = self.file, region["where"]
        shown = region["id"] if isinstance(region["id"], str) and len(region["id"]) < 40 else r
        where = (file, f"{record} result {shown}")
        self._level(region["from_name"])
        if not region["labels"]:
            return rate
        if not rate:  # the video's own (probed from its file), else the one given
            rate = (self.video_fps(video.video_id, video.path) if self.video_fps else None) or self.tool_fps
            video.fps = video.fps or rate
        if not rate:
            raise AnnotationError(file, record, "framerate", "the file does not state the video's frame rate "
                                  "(frames -> seconds); pass --tool-fps (or --fps), or --videos DIR holding "
                                  f"{video.path or video.video_id}")
        label = region["labels"][0]
        label = label if type(label) is str else as_text(label, file, at, TYPE, numbers=True)
        meta = region["meta"]
        if meta is None:  # JSON-MIN: what videokit kept in the region's meta is not in this export
            self.lost.update(dict.fromkeys(optional(side, "segment_fields", file, f"{record} data.videokit", list,
                                                    [])))
            meta = {}
        attrs, cid, cid_name = _meta(meta, region["score"], file, at)
        rate = float(rate)
        for span in region["ranges"]:
            start, end = (span.get("start"), span.get("end")) if type(span) is dict else (None, None)
            if not (type(start) is int and type(end) is int and -_EXACT <= start <= _EXACT
                    and -_EXACT <= end <= _EXACT):  # the usual frames are whole numbers
                start, end = _frame(span, "start"), _frame(span, "end")
            if start is None or end is None:  # not two plain numbers: checked, for the error naming it
                span = as_object(span, file, at, "ranges")
                start = parse_float(span.get("start"), file, at, "ranges.start")
                end = parse_float(span.get("end"), file, at, "ranges.end")
            video.segments.append(RawSegment(region["from_name"], label, round((start - 1) / rate, 3),
                                             round(end / rate, 3), where, cid, cid_name, attrs=dict(attrs)))
        return rate

    def annotations(self, taxonomy: Optional[Taxonomy]) -> AnnotationSet:
        """The set, with one warning per reason tasks were left out and for side fields JSON-MIN lost."""
        file, left_out = self.file, self.left_out
        if not self.videos and any(PREDICTIONS_BY_ID in reason for reason in left_out.tasks):
            raise AnnotationError(file, left_out.tasks[next(r for r in left_out.tasks if PREDICTIONS_BY_ID in r)][0],
                                  "predictions", "no task has an annotation, and " + PREDICTIONS_BY_ID)
        if not self.levels:
            other = (f"; its results are {', '.join(self.other_types)}, which videokit does not read (it reads "
                     "time-localized labels: TimelineLabels; object tracks and boxes are not supported)"
                     if self.other_types else "")
            raise AnnotationError(file, None, "results", "no TimelineLabels results and no levels" + other)
        annotations = assemble(self.videos, self.levels, file, taxonomy=taxonomy)
        annotations.findings[:0] = left_out.findings(file)
        if self.lost:
            annotations.findings.insert(0, Finding(
                "warning", file, "JSON-MIN", "meta", "this export form keeps no region meta: the segments' side "
                f"fields ({', '.join(str(k) for k in self.lost)}) are not in it; export JSON (the full form) to keep "
                "them", None, "fields-not-exported"))
        return annotations


def regions(annotations: AnnotationSet, video, rate: float, as_predictions: bool, names=None,
            controls: Optional[Dict[str, str]] = None, labels: Optional[Dict[str, Dict[int, str]]] = None
            ) -> List[Dict]:
    """The video's segments as ``TimelineLabels`` results at ``rate``. ``controls`` / ``labels``: a project's own
    control name per level and label value per class id (a labeling config not written by videokit); segments
    whose level or class it has no place for are left out."""
    results = []
    for row in rows(annotations, video, names):
        control = (controls or {}).get(row.level, row.level) if controls is not None else row.level
        label = labels[row.level].get(row.label) if labels is not None and row.level in labels else row.name
        if control is None or label is None:
            continue
        first, last = _frames(annotations, video, row, rate)
        item = {"id": f"vk{row.index}", "type": TYPE, "from_name": control, "to_name": "video", "origin": "manual",
                "value": {"ranges": [{"start": first, "end": last}], TYPE: [label]},
                "meta": {"videokit_label_id": row.label, "videokit_label": label,
                         **({"videokit_attrs": row.attrs} if row.attrs else {})}}
        if as_predictions:
            item["origin"] = "prediction"
            item["score"] = row.score if row.score is not None else 1.0
        results.append(item)
    return results


def _frames(annotations: AnnotationSet, video, row: Row, rate: float) -> Tuple[int, int]:
    """A segment's range in Label Studio's frames (1-based, inclusive; at least one frame)."""
    where = f"video {video.video_id} segment {row.index}"
    first = ticks(row.start, rate, annotations.source, where, "start") + 1
    return first, max(ticks(row.end, rate, annotations.source, where, "end"), first)


def _results_json(annotations: AnnotationSet, video, rate: float, as_predictions: bool, names
                  ) -> Tuple[List[str], List[float], List[str]]:
    """:func:`regions` (no project mapping) as the JSON texts ``json.dumps`` gives each result, made from the
    values without a dict per result (a set's write makes 30,000 of them); with the scores and the side-field
    names the results carry. ``tests/annotations/test_tool_formats.py`` holds the two to the same text."""
    texts, scores, fields = [], [], set()
    origin = "prediction" if as_predictions else "manual"
    for row in rows(annotations, video, names):
        first, last = _frames(annotations, video, row, rate)
        label = _json_text(row.name)
        attrs = ""
        if row.attrs:
            attrs = f', "videokit_attrs": {attrs_text(row.attrs, sort_keys=False)}'
            fields.update(row.attrs)
        score = ""
        if as_predictions:
            scores.append(row.score if row.score is not None else 1.0)
            score = f', "score": {_json_number(scores[-1])}'
        texts.append(f'{{"id": "vk{row.index}", "type": "{TYPE}", "from_name": {_json_text(row.level)}, '
                     f'"to_name": "video", "origin": "{origin}", "value": {{"ranges": [{{"start": {first}, '
                     f'"end": {last}}}], "{TYPE}": [{label}]}}, "meta": {{"videokit_label_id": '
                     f'{int.__repr__(row.label)}, "videokit_label": {label}{attrs}}}{score}}}')
    return texts, scores, sorted(fields)


#: a JSON string as ``json.dumps(..., ensure_ascii=False)`` writes it (level and class names repeat: each once)
_json_text = lru_cache(maxsize=16384)(json.encoder.encode_basestring)


def _json_number(value: float) -> str:
    return repr(value) if type(value) is float and math.isfinite(value) else json.dumps(value)


def _task_json(annotations: AnnotationSet, video, as_predictions: bool, tool_fps: Optional[float] = None,
               names=None) -> str:
    """One task as the JSON text ``json.dumps`` gives it: the video's data, its results (:func:`_results_json`),
    as an annotation or, with ``as_predictions``, a prediction with the mean of the results' scores."""
    rate = float(video.fps) if video.fps else (float(tool_fps) if tool_fps else None)
    if rate is None:
        raise AnnotationError(annotations.source, f"video {video.video_id}", "fps",
                              "Label Studio keeps frames: the video's frame rate is needed (--tool-fps, or --meta)")
    results, scores, fields = _results_json(annotations, video, rate, as_predictions, names)
    data = {"video": video_file(video), "fps": rate,
            "videokit": {"video_id": video.video_id, "path": video.path, "duration": video.duration, "fps": video.fps,
                         "split": video.split, "levels": annotations.levels,
                         "labels": [[name, label] for label, name in video_label_names(annotations, video, names)]}}
    if fields:  # what the region meta carries, so that reading an export that drops meta (JSON-MIN) can say so
        data["videokit"]["segment_fields"] = fields
    head = f'{{"data": {json.dumps(data, ensure_ascii=False)}, '
    if as_predictions:
        mean = _json_number(sum(scores) / len(scores) if scores else 0.0)
        return (head + f'"predictions": [{{"model_version": "videokit", "result": [{", ".join(results)}], '
                f'"score": {mean}}}]}}')
    return head + f'"annotations": [{{"result": [{", ".join(results)}], "ground_truth": false}}]}}'


def write(annotations: AnnotationSet, out: PathLike, subset: Optional[str] = None, as_predictions: bool = False,
          tool_fps: Optional[float] = None) -> None:
    """A JSON list of tasks to import into Label Studio (annotations, or predictions with ``as_predictions``);
    ``tool_fps`` stands in for videos whose frame rate the annotations do not know."""
    names = level_names(annotations)
    tasks = [_task_json(annotations, video, as_predictions, tool_fps, names) for video in annotations.subset(subset)]
    atomic_write_text(out, f"[{', '.join(tasks)}]")


PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def config(annotations: AnnotationSet) -> str:
    """The labeling configuration: the video and one ``TimelineLabels`` per level with the level-unique
    class names (frame rate: the dataset's when all its videos share one, else the task's ``$fps``)."""
    rates = {float(v.fps) for v in annotations if v.fps}
    rate = f"{rates.pop():g}" if len(rates) == 1 else "$fps"
    lines = ["<View>", f'  <Video name="video" value="$video" framerate={quoteattr(rate)} timelineHeight="120"/>']
    for level in annotations.levels:
        lines.append(f"  <TimelineLabels name={quoteattr(level)} toName=\"video\">")
        names = annotations.taxonomy.class_names(level)
        for k, cid in enumerate(sorted(annotations.taxonomy.level(level).classes)):
            lines.append(f"    <Label value={quoteattr(names[cid])} background=\"{PALETTE[k % len(PALETTE)]}\"/>")
        lines.append("  </TimelineLabels>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def read_config(src: PathLike) -> Dict[str, List[str]]:
    """A labeling configuration's ``TimelineLabels`` controls and their label values, in order."""
    return parse_config(read_bytes(src), src)


def parse_config(text: Any, src: PathLike = "label_config") -> Dict[str, List[str]]:
    """:func:`read_config` of a configuration's text (what Label Studio sends an ML backend)."""
    root = parse_xml(text.encode("utf-8") if isinstance(text, str) else text, src, "a Label Studio labeling config")
    controls: Dict[str, List[str]] = {}
    for n, control in enumerate(root.iter("TimelineLabels")):
        name = control.get("name")
        if not name or name in controls:
            raise AnnotationError(src, f"TimelineLabels {n + 1}", "name", "missing or repeated", name)
        controls[name] = [label.get("value") or "" for label in control.iter("Label")]
    return controls


def write_config(annotations: AnnotationSet, out: PathLike) -> None:
    atomic_write_text(out, config(annotations))
