"""mmaction2 list files.

Styles (``style``):
- ``video``: ``path label [label ...]`` per untrimmed video (mmaction2's VideoDataset; several labels
  for multi-label, as OphNet surgery types).
- ``segments``: ``path start end label`` per segment, times in seconds: trimmed recognition read
  straight from the untrimmed file (videokit's segment datasets read this).
- ``clips``: ``<video_id>_<k>.mp4 label`` per segment, the authors' pre-cut clip names (NurViD task 2).
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

from ...utils import atomic_write_text
from ..errors import AnnotationError
from ..model import AnnotationSet, Level, Segment, Taxonomy, VideoAnnotation, trimmed_segments
from ._common import PathLike, format_number, parse_class_id, parse_float, read_text

STYLES = ("video", "segments", "clips")


def read(src: PathLike, style: str = "video", level: Optional[str] = None) -> AnnotationSet:
    """Read a ``video`` or ``segments`` list; class names are the ids."""
    if style not in ("video", "segments"):
        raise AnnotationError(src, None, "style", "readable styles are 'video' and 'segments'", style)
    file = str(src)
    name = level or ("label" if style == "video" else "action")
    classes = Level(name)
    videos: Dict[str, VideoAnnotation] = {}
    for number, line in enumerate(read_text(src).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"line {number}"
        parts = line.split()
        path = parts[0]
        vid = Path(path).stem
        if style == "video":
            if len(parts) < 2:
                raise AnnotationError(file, where, "label", "missing (expected: path label [label ...])")
            labels = [parse_class_id(p, file, where, "label") for p in parts[1:]]
            if vid in videos:
                raise AnnotationError(file, where, "path", "video listed twice", path)
            videos[vid] = VideoAnnotation(vid, path, labels=labels, origin=(file, where))
            for label in labels:
                classes.ensure(label)
        else:
            if len(parts) != 4:
                raise AnnotationError(file, where, "line", "expected: path start end label", line.strip())
            start = parse_float(parts[1], file, where, "start")
            end = parse_float(parts[2], file, where, "end")
            label = parse_class_id(parts[3], file, where, "label")
            video = videos.setdefault(vid, VideoAnnotation(vid, path, origin=(file, where)))
            video.segments.append(Segment(name, label, start, end, origin=(file, where)))
            classes.ensure(label)
    if not videos:
        raise AnnotationError(file, None, "file", "has no entries")
    return AnnotationSet(Taxonomy("", [classes]), videos, file)


def lines(annotations: AnnotationSet, style: str = "video", level: Optional[str] = None,
          subset: Optional[str] = None) -> List[str]:
    """The list's lines for one style, level and split."""
    if style == "video":
        return [f"{v.path or v.video_id + '.mp4'} {' '.join(str(x) for x in v.labels)}"
                for v in annotations.subset(subset) if v.labels]
    level = level or annotations.levels[-1]
    out = []
    for item in trimmed_segments(annotations, level, split=subset):
        video, seg = item.video, item.segment
        if style == "segments":
            out.append(f"{video.path or video.video_id + '.mp4'} {format_number(seg.start)} "
                       f"{format_number(seg.end)} {item.label}")
        else:
            out.append(f"{video.video_id}_{item.k}.mp4 {item.label}")
    return out


def write(annotations: AnnotationSet, out: PathLike, style: str = "video", level: Optional[str] = None,
          subset: Optional[str] = None) -> None:
    if style not in STYLES:
        raise AnnotationError(out, None, "style", f"expected one of {STYLES}", style)
    if level is not None and level not in annotations.levels:
        raise AnnotationError(out, None, "level", f"expected one of {annotations.levels}", level)
    body = lines(annotations, style, level, subset)
    atomic_write_text(out, "\n".join(body) + ("\n" if body else ""))
