"""What an annotator edits in ``videokit review``: one annotation set in memory, edits that keep the
hierarchy's links intact, videokit's validator re-run after each edit, undo, and an atomic save through
the canonical writer (the previous file kept as ``<out>.bak``). The web layer (:mod:`.server`) only
translates requests into these calls."""
from __future__ import annotations

import copy
import os
import shutil
import threading
from pathlib import Path
from typing import Dict, List, Optional, Union

from ..annotations import AnnotationSet, Segment, validate, write_annotations
from ..annotations.errors import Finding

PathLike = Union[str, Path]
UNDO_DEPTH = 200


class EditError(ValueError):
    """An edit that cannot be made (names the video, the segment and why)."""


class ReviewSession:
    """The annotation set under review; every method takes and returns plain JSON-able data."""

    def __init__(self, annotations: AnnotationSet, out: PathLike, predictions: Optional[AnnotationSet] = None) -> None:
        self.annotations, self.out, self.predictions = annotations, Path(out), predictions
        self._undo: List[tuple] = []
        self._lock = threading.Lock()
        self.dirty = False
        self._findings = self._validate()

    # ---------------------------------------------------------------- reading
    def _validate(self) -> Dict[Optional[str], List[Finding]]:
        by_video: Dict[Optional[str], List[Finding]] = {}
        for finding in validate(self.annotations).findings:
            by_video.setdefault(finding.video, []).append(finding)
        return by_video

    def _revalidate(self, video_id: str) -> None:
        """Validate the one video an edit touched (the others' findings cannot have changed)."""
        one = AnnotationSet(self.annotations.taxonomy, {video_id: self._get(video_id)}, self.annotations.source, [])
        self._findings[video_id] = [f for f in validate(one).findings if f.video == video_id]

    def videos(self) -> List[Dict]:
        """Each video with its error and warning counts (the page's list)."""
        rows = []
        for video in self.annotations:
            found = self._findings.get(video.video_id, [])
            rows.append({"id": video.video_id, "path": video.path or f"{video.video_id}.mp4",
                         "duration": video.duration, "split": video.split,
                         "errors": sum(f.severity == "error" for f in found),
                         "warnings": sum(f.severity == "warning" for f in found)})
        return rows

    def taxonomy(self) -> Dict:
        return self.annotations.taxonomy.to_dict()

    def video(self, video_id: str) -> Dict:
        """The video's record (canonical), its findings (each with its segment index) and predictions."""
        video = self._get(video_id)
        data = {"video": video.to_dict(), "dirty": self.dirty, "can_undo": bool(self._undo),
                "findings": [{"severity": f.severity, "code": f.code, "segment": f.segment, "field": f.field,
                              "message": f.message, "text": str(f)} for f in self._findings.get(video_id, [])]}
        if self.predictions is not None and video_id in self.predictions.videos:
            data["predictions"] = [s.to_dict() for s in self.predictions.videos[video_id].segments]
        return data

    def _get(self, video_id: str):
        if video_id not in self.annotations.videos:
            raise KeyError(video_id)
        return self.annotations.videos[video_id]

    # ---------------------------------------------------------------- editing
    def _edit(self, video_id: str, change) -> Dict:
        with self._lock:
            video = self._get(video_id)
            before = copy.deepcopy(video.segments)
            change(video)
            self._undo.append((video_id, before))
            del self._undo[:-UNDO_DEPTH]
            self.dirty = True
            self._revalidate(video_id)
            return self.video(video_id)

    def _segment(self, video, index: int) -> Segment:
        if not 0 <= index < len(video.segments):
            raise EditError(f"video {video.video_id}: no segment {index}")
        return video.segments[index]

    def _check_label(self, video, level: str, label: int, parent: Optional[int]) -> None:
        taxonomy = self.annotations.taxonomy
        classes = taxonomy.level(level).classes
        if label not in classes:
            raise EditError(f"video {video.video_id}: {label} is not a {level} class")
        parent_level = taxonomy.parent_level(level)
        if parent is not None:
            allowed_under = [self._segment(video, parent).label]
        elif parent_level == taxonomy.level_names[0] and video.labels:
            allowed_under = list(video.labels)  # no segment at the top level: the video's own labels
        else:
            return
        if classes[label].parents and not set(allowed_under) & set(classes[label].parents):
            names = " / ".join(taxonomy.level(parent_level).class_name(p) for p in allowed_under)
            raise EditError(f"video {video.video_id}: {classes[label].name} is not valid under {names}")

    def update(self, video_id: str, index: int, start: Optional[float] = None, end: Optional[float] = None,
               label: Optional[int] = None) -> Dict:
        """Move a segment's boundaries and / or change its label (to a class valid under its parent)."""
        def change(video):
            seg = self._segment(video, index)
            if label is not None:
                self._check_label(video, seg.level, int(label), seg.parent)
                seg.label = int(label)
            if start is not None:
                seg.start = round(float(start), 3)
            if end is not None:
                seg.end = round(float(end), 3)
        return self._edit(video_id, change)

    def add(self, video_id: str, level: str, label: int, start: float, end: float,
            parent: Optional[int] = None) -> Dict:
        """A new segment at ``level`` (under segment ``parent`` when the level has a parent level)."""
        def change(video):
            if level not in self.annotations.taxonomy.level_names:
                raise EditError(f"video {video.video_id}: no level {level!r}")
            if parent is not None:
                self._segment(video, parent)
            self._check_label(video, level, int(label), parent)
            video.segments.append(Segment(level, int(label), round(float(start), 3), round(float(end), 3), parent))
        return self._edit(video_id, change)

    def delete(self, video_id: str, index: int) -> Dict:
        """Remove a segment that has no children; the parent links of later segments follow."""
        def change(video):
            self._segment(video, index)
            children = [i for i, s in enumerate(video.segments) if s.parent == index]
            if children:
                raise EditError(f"video {video.video_id}: segment {index} has {len(children)} child segment(s); "
                                "delete them first")
            del video.segments[index]
            for seg in video.segments:
                if seg.parent is not None and seg.parent > index:
                    seg.parent -= 1
        return self._edit(video_id, change)

    def undo(self) -> Optional[str]:
        """Undo the last edit; returns the video it touched (None when there is nothing to undo)."""
        with self._lock:
            if not self._undo:
                return None
            video_id, segments = self._undo.pop()
            self._get(video_id).segments = segments
            self.dirty = bool(self._undo)
            self._revalidate(video_id)
            return video_id

    def save(self) -> Dict:
        """Write the whole set to ``out`` (canonical, atomically); the previous file becomes ``out.bak``."""
        with self._lock:
            if self.out.exists():
                shutil.copy2(self.out, self.out.with_name(self.out.name + ".bak"))
            write_annotations(self.annotations, self.out, "canonical")
            self.dirty = False
            return {"saved": str(self.out), "backup": str(self.out.with_name(self.out.name + ".bak"))
                    if self.out.with_name(self.out.name + ".bak").exists() else None,
                    "bytes": os.path.getsize(self.out)}
