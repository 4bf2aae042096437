"""Label Studio video tasks with timeline segments (``TimelineLabels``), in and out.

Reading: the full JSON export (a list of tasks with ``annotations[].result[]``; ``predictions`` when no
annotation is there), the JSON-MIN export (a list of flat tasks, the control's name holding
``[{ranges, timelinelabels}]``), and an ML-backend payload (``{annotation, task, project}``). One level per
``TimelineLabels`` control (its ``from_name``), coarse to fine in order of first appearance (a task written
by videokit names its levels). Ranges are frames, 1-based and inclusive, as Label Studio's timeline counts
them: ``[start, end]`` is ``[(start - 1) / fps, end / fps]`` seconds at the task's frame rate, taken from the
task (``data.fps`` / ``data.videokit.fps``), the labeling config (``<Video framerate=...>``), the video's own
(probed from its file: ``video_fps``, ``--videos``) or ``fps``; without any, one error asking for ``--fps``.
Overlapping ranges are kept as they are.

Writing: a list of tasks (``data.video`` = the video's path, ``data.videokit`` = id, duration, fps, split,
levels, video labels), results with ``from_name`` = the level, the level-unique class name and, in
``meta``, the class id; ``as_predictions`` writes them as ``predictions`` (pre-annotations with the model's
score per region and their mean per task) so an annotator corrects the model instead of starting blank.
:func:`write_config` writes the labeling configuration for the taxonomy (``--to labelstudio-config``).
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional
from xml.sax.saxutils import quoteattr

from ...utils import atomic_write_text
from ..errors import AnnotationError
from ..model import AnnotationSet, Taxonomy
from ._common import PathLike, parse_float, read_json
from ._tools import RawSegment, RawVideo, VideoRate, assemble, level_names, rows, video_label_names

TYPE = "timelinelabels"


def _config_fps(config: Optional[str]) -> Optional[float]:
    if not config:
        return None
    try:
        root = ET.fromstring(config.strip())
    except ET.ParseError:
        return None
    for video in root.iter("Video"):
        rate = video.get("framerate") or video.get("frameRate")
        if rate and not rate.startswith("$"):
            return float(rate)
    return None


def _tasks(data: Any, file: str) -> List[Dict]:
    if isinstance(data, dict) and "task" in data and ("annotation" in data or "prediction" in data):
        task = dict(data["task"])  # an ML-backend payload: one task and its annotation
        result = (data.get("annotation") or data.get("prediction") or {}).get("result", [])
        task["annotations"] = [{"result": result}]
        task["_config"] = (data.get("project") or {}).get("label_config")
        return [task]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise AnnotationError(file, "top", "tasks", "expected a list of Label Studio tasks", type(data).__name__)
    return data


def _regions(task: Dict) -> List[Dict]:
    """The task's timeline regions as ``{from_name, ranges, labels, score, meta}``: the first annotation's
    results (full export), else the first prediction's, else the JSON-MIN keys."""
    for key in ("annotations", "predictions"):
        for item in task.get(key) or []:
            found = [{"from_name": r.get("from_name"), "ranges": r.get("value", {}).get("ranges", []),
                      "labels": r.get("value", {}).get(TYPE, []), "score": r.get("score"), "meta": r.get("meta") or {},
                      "id": r.get("id")}
                     for r in item.get("result", []) if r.get("type") == TYPE]
            if found or item.get("result") is not None:
                return found
    regions = []
    for name, value in task.items():  # JSON-MIN: {"<control>": [{"ranges": [...], "timelinelabels": [...]}]}
        if isinstance(value, list) and value and all(isinstance(v, dict) and "ranges" in v for v in value):
            regions += [{"from_name": name, "ranges": v["ranges"], "labels": v.get(TYPE, []), "score": None,
                         "meta": {}, "id": None} for v in value]
    return regions


def read(src: PathLike, fps: Optional[float] = None, taxonomy: Optional[Taxonomy] = None,
         video_fps: Optional[VideoRate] = None, **_: object) -> AnnotationSet:
    file = str(src)
    tasks = _tasks(read_json(src), file)
    videos: List[RawVideo] = []
    levels: List[str] = []
    for t, task in enumerate(tasks):
        record = f"task {task.get('id', t)}"
        data = task.get("data") if isinstance(task.get("data"), dict) else task
        side = data.get("videokit") if isinstance(data.get("videokit"), dict) else {}
        for level in side.get("levels") or []:
            if level not in levels:
                levels.append(level)
        rate = data.get("fps") or side.get("fps") or _config_fps(task.get("_config"))  # what the file states
        path = data.get("video") or data.get("video_url") or ""
        video_id = side.get("video_id") or re.sub(r"\.\w+$", "", path.rsplit("/", 1)[-1]) or str(task.get("id", t))
        video = RawVideo(video_id, side.get("path") or path or None, side.get("duration"),
                         side.get("fps") if side else rate, side.get("split"),
                         [(str(v), int(i) if i is not None else None) for v, i in side.get("labels") or []],
                         where=(file, record))
        for r, region in enumerate(_regions(task)):
            where = (file, f"{record} result {region['id'] or r}")
            if region["from_name"] not in levels:
                levels.append(region["from_name"])
            if not region["labels"]:
                continue
            if not rate:  # the video's own (probed from its file), else the one given
                rate = (video_fps(video_id, video.path) if video_fps else None) or fps
                video.fps = video.fps or rate
            if not rate:
                raise AnnotationError(file, record, "framerate", "the file does not state the video's frame rate "
                                      "(frames -> seconds); pass --fps, or --videos DIR holding "
                                      f"{video.path or video_id}")
            for span in region["ranges"]:
                start = parse_float(span.get("start"), file, where[1], "ranges.start")
                end = parse_float(span.get("end"), file, where[1], "ranges.end")
                attrs = dict(region["meta"].get("videokit_attrs") or {})
                if isinstance(region["score"], (int, float)):
                    attrs["score"] = region["score"]
                cid = region["meta"].get("videokit_label_id")
                video.segments.append(RawSegment(region["from_name"], str(region["labels"][0]),
                                                 round((start - 1) / float(rate), 3), round(end / float(rate), 3),
                                                 where, int(cid) if cid is not None else None, attrs=attrs))
        if not side:
            video.fps = video.fps or fps
        videos.append(video)
    if not levels:
        raise AnnotationError(file, None, "results", "no TimelineLabels results and no levels")
    return assemble(videos, levels, file, taxonomy=taxonomy)


def _task(annotations: AnnotationSet, video, as_predictions: bool, fps: Optional[float] = None, names=None) -> Dict:
    rate = float(video.fps) if video.fps else (float(fps) if fps else None)
    if rate is None:
        raise AnnotationError(annotations.source, f"video {video.video_id}", "fps",
                              "Label Studio keeps frames: the video's frame rate is needed (--fps, or --meta)")
    results, scores = [], []
    for row in rows(annotations, video, names):
        item = {"id": f"vk{row.index}", "type": TYPE, "from_name": row.level, "to_name": "video", "origin": "manual",
                "value": {"ranges": [{"start": int(round(row.start * rate)) + 1, "end": max(int(round(row.end * rate)),
                                                                                          int(round(row.start * rate)) + 1)}],
                          TYPE: [row.name]},
                "meta": {"videokit_label_id": row.label, **({"videokit_attrs": row.attrs} if row.attrs else {})}}
        if as_predictions:
            item["origin"] = "prediction"
            item["score"] = row.score if row.score is not None else 1.0
            scores.append(item["score"])
        results.append(item)
    data = {"video": video.path or f"{video.video_id}.mp4", "fps": rate,
            "videokit": {"video_id": video.video_id, "path": video.path, "duration": video.duration, "fps": video.fps,
                         "split": video.split, "levels": annotations.levels,
                         "labels": [[name, label] for label, name in video_label_names(annotations, video, names)]}}
    if as_predictions:
        return {"data": data, "predictions": [{"model_version": "videokit", "result": results,
                                               "score": sum(scores) / len(scores) if scores else 0.0}]}
    return {"data": data, "annotations": [{"result": results, "ground_truth": False}]}


def write(annotations: AnnotationSet, out: PathLike, subset: Optional[str] = None, as_predictions: bool = False,
          fps: Optional[float] = None, **_: object) -> None:
    """A JSON list of tasks to import into Label Studio (annotations, or predictions with ``as_predictions``);
    ``fps`` stands in for videos whose frame rate the annotations do not know."""
    names = level_names(annotations)
    tasks = [_task(annotations, video, as_predictions, fps, names) for video in annotations.subset(subset)]
    atomic_write_text(out, json.dumps(tasks, ensure_ascii=False))


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


def write_config(annotations: AnnotationSet, out: PathLike, **_: object) -> None:
    atomic_write_text(out, config(annotations))
