"""CVAT for video 1.1 XML, in and out: one file per video (a folder of them is a dataset).

Reading: each ``<track>`` is a segment from its first shown frame to the frame of its closing
``outside="1"`` keyframe (exclusive; without one, to the end of the task: ``stop_frame`` plus the frame
step), which is how CVAT users encode phases (back-to-back box tracks); each run of ``<tag>`` elements of a
label on consecutive frames (every ``step``-th with a ``frame_filter``) is one too. Frame numbers are the
source video's (``start_frame`` 10, ``step=3``: frames 10, 13, 16). Seconds are frames over the video's fps:
the one videokit wrote into the file, else the video's own (probed from its file, ``--videos``), else
``tool_fps``.
A shape attribute ``level`` names the segment's level and ``label_id`` its
class id (videokit writes both); without them every label is a class of one level (``level``, default
``action``).

Writing: tags are frame-level in CVAT, so each segment is a track of one box over the whole frame, shown
from its first frame to its last, closed by an ``outside`` keyframe; labels are named ``level: class`` (CVAT's
labels are task-wide, and one name may be a class of two levels).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from contextlib import closing
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

from ...utils.bulk import MIN_ITEMS, in_two
from ..errors import AnnotationError
from ..model import AnnotationSet, Taxonomy
from ._common import PathLike, parse_class_id, parse_float, parse_int, parse_xml, read_bytes, ticks
from ._tool_files import (
    RawSegment,
    RawVideo,
    VideoRate,
    assemble,
    attrs_from_json,
    level_names,
    rows,
    video_label_names,
    write_video_files,
)
from ._tool_files import xml_escape as _escape
from ._tool_files import xml_quoteattr as quoteattr

#: frame numbers beyond this (a week at 1,000 fps) are no video's
MAX_FRAME = 10 ** 9


def _count(value: object, file: str, where: str, field: str) -> int:
    """A frame number or class id (a fast path for the usual short digits; anything else checked by
    ``parse_int``)."""
    if isinstance(value, str) and 0 < len(value) < 10 and value.isascii() and value.isdigit():
        return int(value)
    number = parse_int(value, file, where, field, minimum=0)
    if number > MAX_FRAME:
        raise AnnotationError(file, where, field, f"must be <= {MAX_FRAME}", value)
    return number


def _int(element: Optional[ET.Element], file: str, field: str, default: int = 0) -> int:
    if element is None or not (element.text or "").strip():
        return default
    return _count(element.text.strip(), file, "meta", field)


def _step(frame_filter: str, file: str) -> int:
    """The frame step of a ``frame_filter`` (``step=3``), 1 without one."""
    for part in frame_filter.split(","):
        key, sep, value = part.partition("=")
        if sep and key.strip() == "step":
            step = _count(value.strip(), file, "meta", "frame_filter")
            if step < 1:
                raise AnnotationError(file, "meta", "frame_filter", "step must be >= 1", frame_filter)
            return step
    return 1


@dataclass
class _Header:
    """The task's frame range and naming: ``stop_frame``, the frame ``step`` (``frame_filter``), the video."""

    stop_frame: int
    step: int
    source: Optional[str]
    name: str


@dataclass
class _Written:
    """What videokit wrote into the file (its ``<videokit>`` block): the frame rate the frames count in, the
    levels, and the class table (label -> (level, class id))."""

    rate: Optional[float] = None
    levels: List[str] = field(default_factory=list)
    classes: Dict[str, tuple] = field(default_factory=dict)


def read_file(path: Path, tool_fps: Optional[float], level: str, levels: Optional[List[str]] = None,
              video_fps: Optional[VideoRate] = None) -> RawVideo:
    """One file's video; the levels videokit wrote into it are appended to ``levels``. Its frame rate: the one
    videokit wrote, else ``video_fps(video_id, path)`` (probed from the video), else ``tool_fps``."""
    file = str(path)
    root = parse_xml(read_bytes(path), path, "a CVAT XML file")
    header = _header(root, path)
    video = RawVideo(path.stem, header.source, where=(file, "annotations"))
    written = _written(root, video, file)
    for name in written.levels:
        if levels is not None and name not in levels:
            levels.append(name)
    rate = written.rate or (video_fps(video.video_id, video.path) if video_fps else None) or tool_fps or video.fps
    if rate is not None and rate <= 0:
        raise AnnotationError(path, "meta", "fps", "must be > 0", rate)
    if not rate:
        raise AnnotationError(path, "meta", "fps", f"CVAT keeps frames: the frame rate of {header.name!r} is needed; "
                              f"pass --tool-fps (or --fps), or --videos DIR holding {video.path or video.video_id}")
    if written.rate is None:
        video.fps = rate
    video.segments += _track_segments(root, header, written, rate, level, file)
    video.segments += _tag_segments(root, header, written, rate, level, file)
    return video


def _header(root: ET.Element, path: Path) -> _Header:
    file = str(path)
    meta = root.find("meta")
    task = None if meta is None else (meta.find("task") if meta.find("task") is not None else meta.find("job"))
    source = ((meta.findtext("source") if meta is not None else None)
              or (task.findtext("source") if task is not None else None))
    return _Header(stop_frame=_int(task.find("stop_frame") if task is not None else None, file, "stop_frame"),
                   step=_step((task.findtext("frame_filter") or "") if task is not None else "", file),
                   source=source, name=(task.findtext("name") if task is not None else None) or path.stem)


def _written(root: ET.Element, video: RawVideo, file: str) -> _Written:
    """Read the ``<videokit>`` block: the video's own fields go onto ``video``, the rest is returned."""
    written = _Written()
    for prop in root.iter("videokit"):
        video.video_id = prop.get("video_id") or video.video_id
        video.path = prop.get("path") or video.path
        video.split = prop.get("split") or None
        for key in ("duration", "fps"):
            if prop.get(key):
                setattr(video, key, parse_float(prop.get(key), file, "videokit", key))
        written.rate = parse_float(prop.get("frame_rate"), file, "videokit", "frame_rate") \
            if prop.get("frame_rate") else None
        if written.rate is not None and written.rate <= 0:
            raise AnnotationError(file, "videokit", "frame_rate", "must be > 0", written.rate)
        for label in prop.iter("label"):
            video.labels.append((label.get("name") or "",
                                 parse_class_id(label.get("id"), file, "videokit label", "id")))
        for entry in prop.iter("class"):
            cid = entry.get("id")
            written.classes[entry.get("label") or ""] = (
                entry.get("level"), None if cid is None else parse_class_id(cid, file, "videokit class", "id"))
        written.levels += [lv.get("name") or "" for lv in prop.iter("videokit_level")]
    return written


def _shape_class(shape: ET.Element, label: str, written: _Written, file: str) -> tuple:
    """(level, class id) of a track or tag: the class table's entry, else its attributes, else a ``level: name``
    label prefix (a class the video did not use when videokit wrote it)."""
    if label in written.classes:
        return written.classes[label]
    attrs = {a.get("name"): (a.text or "") for a in shape.iter("attribute")}
    cid = attrs.get("label_id")
    prefix = label.split(": ", 1)[0] if ": " in label else None
    level_of = attrs.get("level") or (prefix if prefix in written.levels else None)
    return level_of, parse_class_id(cid, file, f"shape of {label[:40]!r}", "label_id") if cid else None


def _track_segments(root: ET.Element, header: _Header, written: _Written, rate: float, level: str,
                    file: str) -> List[RawSegment]:
    """A track is one segment: from its first visible keyframe to its next ``outside`` keyframe (or the end)."""
    segments = []
    task_end = header.stop_frame + header.step
    for track in root.iter("track"):
        where = f"track {track.get('id')}"
        shapes = []
        for shape in track:
            frame = shape.get("frame")
            if frame is not None:
                shapes.append((int(frame) if 0 < len(frame) < 10 and frame.isdigit() and frame.isascii()
                               else _count(frame, file, where, "frame"), shape))
        if len(shapes) == 2:  # videokit's: the shown box, then the closing one
            if shapes[0][0] > shapes[1][0]:
                shapes.reverse()
        else:
            shapes.sort(key=itemgetter(0))
        first = end = None
        for frame, shape in shapes:  # in frame order: the first shown, then the first outside after it
            if first is None:
                if shape.get("outside", "0") != "1":
                    first = frame
            elif frame > first and shape.get("outside") == "1":
                end = frame
                break
        if first is None:
            continue
        label = track.get("label") or ""
        head = shapes[0][1]
        seg_level, cid = _shape_class(head, label, written, file)
        if seg_level and label.startswith(f"{seg_level}: "):
            label = label[len(seg_level) + 2:]
        side = None
        for attribute in head.iter("attribute"):
            if attribute.get("name") == "videokit_attrs":
                side = attribute.text
                break
        segments.append(RawSegment(seg_level or level, label, round(first / rate, 3),
                                   round((task_end if end is None else end) / rate, 3), (file, where), cid,
                                   attrs=attrs_from_json(side)))
    return segments


def _tag_segments(root: ET.Element, header: _Header, written: _Written, rate: float, level: str,
                  file: str) -> List[RawSegment]:
    """Tags on consecutive frames (one ``step`` apart) of one label are one segment."""
    tags: Dict[tuple, List[int]] = {}
    for tag in root.iter("tag"):
        seg_level, cid = _shape_class(tag, tag.get("label") or "", written, file)
        frame = _count(tag.get("frame"), file, f"tag {tag.get('label')}", "frame")
        tags.setdefault((tag.get("label") or "", seg_level, cid), []).append(frame)
    segments = []
    for (label, seg_level, cid), frames in tags.items():
        frames = sorted(set(frames))
        run = [frames[0]]
        for frame in frames[1:] + [None]:
            if frame is not None and frame - run[-1] <= header.step:
                run.append(frame)
                continue
            segments.append(RawSegment(seg_level or level, label, round(run[0] / rate, 3),
                                       round((run[-1] + header.step) / rate, 3),
                                       (file, f"tag {label} frame {run[0]}"), cid))
            if frame is not None:
                run = [frame]
    return segments


def read(src: PathLike, tool_fps: Optional[float] = None, level: Optional[str] = None,
         taxonomy: Optional[Taxonomy] = None, video_fps: Optional[VideoRate] = None) -> AnnotationSet:
    """A CVAT for video XML file (one video) or a folder of them (``tool_fps``, ``video_fps``: see
    :func:`read_file`)."""
    src = Path(src)
    files = sorted(src.glob("*.xml")) if src.is_dir() else [src]
    if not files:
        raise AnnotationError(src, None, "file", "no .xml files in this folder")
    levels: List[str] = []  # the levels videokit wrote, in order; else those the segments name

    def read_one(i: int) -> Tuple[RawVideo, List[str]]:
        written: List[str] = []
        return read_file(files[i], tool_fps, level or "action", written, video_fps), written

    videos = []
    # two processes share the files, but not where frame rates are probed from the videos (a cache of its own)
    with closing(in_two(len(files), read_one, _packed, _unpacked,
                        min_items=len(files) + 1 if video_fps else MIN_ITEMS)) as each:
        for video, written in each:
            for name in written:
                if name not in levels:
                    levels.append(name)
            videos.append(video)
    for video in videos:
        for seg in video.segments:
            if seg.level not in levels:
                levels.append(seg.level)
    if not levels:
        levels = [level or "action"]
    return assemble(videos, levels, str(src), taxonomy=taxonomy)


def _packed(read: Tuple[RawVideo, List[str]]) -> tuple:
    return read[0].packed(), read[1]


def _unpacked(values: tuple) -> Tuple[RawVideo, List[str]]:
    return RawVideo.unpacked(values[0]), values[1]


def _document(annotations: AnnotationSet, video, names, fps: Optional[float] = None, width: int = 640,
              height: int = 360) -> str:
    rate = float(video.fps) if video.fps else (float(fps) if fps else None)
    if rate is None:
        raise AnnotationError(annotations.source, f"video {video.video_id}", "fps",
                              "CVAT keeps frames: the video's frame rate is needed (--tool-fps, or --meta)")
    end = max([video.duration or 0.0] + [s.end for s in video.segments])
    where = f"video {video.video_id}"
    size = ticks(end, rate, annotations.source, where, "end") + 1
    segments = list(rows(annotations, video, names))
    used = {f"{row.level}: {row.name}": row for row in segments}  # the labels this video uses
    with_attrs = {f"{row.level}: {row.name}" for row in segments if row.attrs}
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<annotations>", "  <version>1.1</version>", "  <meta>",
           "    <task>", f"      <name>{escape(video.video_id)}</name>", f"      <size>{size}</size>",
           "      <mode>interpolation</mode>", "      <start_frame>0</start_frame>",
           f"      <stop_frame>{size - 1}</stop_frame>", "      <frame_filter></frame_filter>", "      <labels>"]
    for label in sorted(used):
        spec = ("<attributes><attribute><name>videokit_attrs</name><mutable>False</mutable>"
                "<input_type>text</input_type><default_value></default_value><values></values>"
                "</attribute></attributes>") if label in with_attrs else ""
        out.append(f"        <label><name>{escape(label)}</name><type>rectangle</type>{spec}</label>")
    out += ["      </labels>", f"      <original_size><width>{width}</width><height>{height}</height></original_size>",
            "    </task>", f"    <source>{escape(video.path or video.video_id + '.mp4')}</source>", "  </meta>"]
    side = {"video_id": video.video_id, "path": video.path, "duration": video.duration, "fps": video.fps,
            "split": video.split, "frame_rate": rate}
    attrs = " ".join(f"{k}={quoteattr(str(v))}" for k, v in side.items() if v is not None)
    out.append(f"  <videokit {attrs}>")
    out += [f"    <videokit_level name={quoteattr(level)}/>" for level in annotations.levels]
    out += [f"    <class label={quoteattr(label)} level={quoteattr(row.level)} id=\"{row.label}\"/>"
            for label, row in sorted(used.items())]  # each label's level and class id
    out += [f"    <label id=\"{label}\" name={quoteattr(name)}/>" for label, name in video_label_names(annotations,
                                                                                                       video, names)]
    out.append("  </videokit>")
    box = f'xtl="0.00" ytl="0.00" xbr="{width}.00" ybr="{height}.00" z_order="0"'
    source = annotations.source
    for k, row in enumerate(segments):
        first = ticks(row.start, rate, source, f"{where} segment {row.index}", "start")
        last = max(ticks(row.end, rate, source, f"{where} segment {row.index}", "end"), first + 1)
        attributes = f'<attribute name="videokit_attrs">{_escape(row.attrs_json)}</attribute>' if row.attrs else ""
        out += [f'  <track id="{k}" label={quoteattr(f"{row.level}: {row.name}")} source="manual">',
                f'    <box frame="{first}" outside="0" occluded="0" keyframe="1" {box}>{attributes}</box>',
                f'    <box frame="{last}" outside="1" occluded="0" keyframe="1" {box}/>',  # attributes: the first box's
                "  </track>"]
    out.append("</annotations>")
    return "\n".join(out) + "\n"


def write(annotations: AnnotationSet, out: PathLike, subset: Optional[str] = None,
          tool_fps: Optional[float] = None) -> None:
    """A folder ``out`` with one ``<video_id>.xml`` per video (``tool_fps`` for videos without a known rate)."""
    names = level_names(annotations)
    write_video_files(out, annotations.subset(subset), ".xml",
                      lambda video: _document(annotations, video, names, tool_fps))
