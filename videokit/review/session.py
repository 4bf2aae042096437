"""What an annotator edits in ``videokit review``: one annotation set in memory, edits that keep the
hierarchy's links intact, videokit's validator re-run after each edit, undo, and saves that lose nothing.

Every accepted edit is a plain record (``{"op": "update", "video": ..., "index": ..., ...}``) applied by
one function and written to the journal (:mod:`.journal`) before the caller hears "done"; replaying the
records after a crash rebuilds the same state. Save refuses to overwrite a file that changed on disk since
this session loaded or saved it (:class:`SaveConflict`), and an edit made on an old version of a video
(another tab) is refused with the current state (:class:`StaleEdit`). The web layer (:mod:`.server`) only
translates requests into these calls.
"""
from __future__ import annotations

import copy
import getpass
import threading
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from ..annotations import AnnotationSet, Segment, read_annotations, validate
from ..annotations.errors import AnnotationError, Finding
from ..annotations.formats._common import parse_float, parse_int
from ..annotations.timeline import video_file
from ..utils import PathLike
from .errors import EditError, InvalidValue, SaveConflict, StaleEdit
from .journal import Journal, JournalError, content_hash, journal_path, read_journal
from .saving import Saving, file_hash, now, serialize

UNDO_DEPTH = 200
#: no video is longer than a year: a larger time is a broken request, not a boundary
MAX_TIME = 366 * 24 * 3600.0
EDIT_OPS = ("update", "add", "delete", "undo")


class ReviewSession(Saving):
    """The annotation set under review; every method takes and returns plain JSON-able data.

    ``source_hash`` names the content the edits apply to (the bytes of the file it was read from; by
    default the canonical serialization). Built directly, a session keeps its edits in memory only (scripts,
    tests); :meth:`open` is what ``videokit review`` uses: journaled, with recovery.
    """

    def __init__(self, annotations: AnnotationSet, out: PathLike, predictions: Optional[AnnotationSet] = None,
                 annotator: Optional[str] = None, source_hash: Optional[str] = None, journal: bool = False,
                 compare: Optional[AnnotationSet] = None) -> None:
        self.annotations, self.out, self.predictions, self.compare = annotations, Path(out), predictions, compare
        self.annotator = annotator or _login()
        self.source_hash = source_hash or content_hash(serialize(annotations))
        self.out_hash = file_hash(self.out)  # OUT as this session last saw it (None: no file yet)
        self._undo: List[Tuple[str, list, dict]] = []
        self._pending: List[Dict] = []  # the records since the base: what the journal holds
        self._versions: Dict[str, int] = {}
        self._lock = threading.RLock()
        self._replaying = False
        self.recovered = 0
        self.journal = Journal(journal_path(self.out)) if journal else None
        self._findings = self._validate()

    # ---------------------------------------------------------------- opening, with recovery
    @classmethod
    def open(cls, src: PathLike, src_format: str, out: PathLike, predictions: Optional[AnnotationSet] = None,
             annotator: Optional[str] = None, discard_journal: bool = False, read: Optional[Callable] = None,
             compare: Optional[AnnotationSet] = None) -> "ReviewSession":
        """The session for reviewing ``src`` into ``out``: from ``out`` when it exists (the work saved so far;
        ``src`` otherwise), with the unsaved edits of ``out.journal`` replayed when the journal was made on
        that same content. A journal made on other content is an error naming both (``discard_journal``
        keeps it as ``.discarded`` and starts over)."""
        out = Path(out)
        if out.exists():
            base_bytes = out.read_bytes()
            annotations = read_annotations(out, "canonical")
        else:
            base_bytes = _source_bytes(src)
            annotations = read(src) if read is not None else read_annotations(src, src_format)
        base_hash = content_hash(base_bytes) if base_bytes is not None else None
        session = cls(annotations, out, predictions, annotator, base_hash, journal=True, compare=compare)
        journal = read_journal(session.journal.path)
        if journal is not None and discard_journal:
            session.journal.discard()
            journal = None
        if journal is not None:
            if journal.saving is not None and journal.saving == session.out_hash:
                journal = None  # the save it marks finished: its edits are in OUT
            elif journal.source and journal.source != session.source_hash:
                where = out if out.exists() else Path(src)
                raise JournalError(
                    f"{session.journal.path} holds {len(journal.edits)} unsaved edit(s) made on other content "
                    f"({journal.source}) than {where} ({session.source_hash}); keep them by reviewing the file "
                    f"they were made on, or start over with --discard-journal (the journal is kept as "
                    f"{session.journal.path.name}.discarded)")
        if journal is not None:
            session.replay(journal.edits)
        session.journal.start(session.source_hash, session._pending, annotator=session.annotator, started=now())
        return session

    def replay(self, records: List[Dict]) -> int:
        """Apply journal records in order (no new journal lines); returns how many."""
        with self._lock:
            self._replaying = True
            try:
                for number, record in enumerate(records, start=1):
                    try:
                        self._apply(record)
                    except (EditError, KeyError, TypeError, ValueError) as exc:
                        raise JournalError(f"{self.journal.path if self.journal else 'journal'}: edit {number} "
                                           f"does not apply: {exc}") from None
                    self._pending.append(record)
            finally:
                self._replaying = False
            self._findings = self._validate()
            self.recovered += len(records)
            return len(records)

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    @property
    def unsaved(self) -> int:
        """Edits since the last save (undo counts as one): what the journal would recover."""
        return len(self._pending)

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()

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
            rows.append({"id": video.video_id, "path": video_file(video),
                         "duration": video.duration, "split": video.split,
                         "errors": sum(f.severity == "error" for f in found),
                         "warnings": sum(f.severity == "warning" for f in found)})
        return rows

    def taxonomy(self) -> Dict:
        """The taxonomy, and the hierarchy rule as a table (``valid``: child level -> parent class -> valid
        child classes) so that the page never re-derives it."""
        taxonomy = self.annotations.taxonomy
        data = taxonomy.to_dict()
        data["valid"] = {level: {str(p): ids for p, ids in table.items()}
                         for level, table in taxonomy.hierarchy_table().items()}
        return data

    def video(self, video_id: str) -> Dict:
        """The video's record (canonical), its version, findings (each with its segment index) and
        predictions / a second annotator's segments."""
        video = self._get(video_id)
        data = {"video": video.to_dict(), "version": self._versions.get(video_id, 0), "dirty": self.dirty,
                "can_undo": bool(self._undo),
                "findings": [{"severity": f.severity, "code": f.code, "segment": f.segment, "field": f.field,
                              "message": f.message, "text": str(f)} for f in self._findings.get(video_id, [])]}
        if self.predictions is not None and video_id in self.predictions.videos:
            data["predictions"] = [s.to_dict() for s in self.predictions.videos[video_id].segments]
        if self.compare is not None and video_id in self.compare.videos:
            data["compare"] = [s.to_dict() for s in self.compare.videos[video_id].segments]
        return data

    def _get(self, video_id: str):
        if video_id not in self.annotations.videos:
            raise KeyError(video_id)
        return self.annotations.videos[video_id]

    # ---------------------------------------------------------------- editing
    def update(self, video_id: str, index: int, start: Optional[float] = None, end: Optional[float] = None,
               label: Optional[int] = None, version: Optional[int] = None) -> Dict:
        """Move a segment's boundaries and / or change its label (to a class valid under its parent)."""
        return self.edit({"op": "update", "video": video_id, "index": _integer(index, "index"),
                          "start": _time(start, "start", optional=True), "end": _time(end, "end", optional=True),
                          "label": _integer(label, "label", optional=True)}, version)

    def add(self, video_id: str, level: str, label: int, start: float, end: float,
            parent: Optional[int] = None, version: Optional[int] = None) -> Dict:
        """A new segment at ``level`` (under segment ``parent`` when the level has a parent level)."""
        return self.edit({"op": "add", "video": video_id, "level": _text(level, "level"),
                          "label": _integer(label, "label"), "start": _time(start, "start"),
                          "end": _time(end, "end"), "parent": _integer(parent, "parent", optional=True)}, version)

    def delete(self, video_id: str, index: int, version: Optional[int] = None) -> Dict:
        """Remove a segment that has no children; the parent links of later segments follow."""
        return self.edit({"op": "delete", "video": video_id, "index": _integer(index, "index")}, version)

    def undo(self) -> Optional[str]:
        """Undo the last edit; returns the video it touched (None when there is nothing to undo)."""
        with self._lock:
            if not self._undo:
                return None
            video_id = self._undo[-1][0]
            self.edit({"op": "undo", "video": video_id})
            return video_id

    def edit(self, record: Dict, version: Optional[int] = None) -> Dict:
        """Apply one edit record, write it to the journal (durably) and answer with the video's new state.

        All or nothing: an edit that fails anywhere (refused, a value no segment can hold, a journal that
        cannot hold it) leaves the set, the undo stack, the versions, the findings and the journal as they
        were. ``version``, when given, must be the video's current version: an edit made on an older one (a
        second tab) is refused with :class:`StaleEdit` carrying the current state."""
        with self._lock:
            video_id = record["video"]
            video = self._get(video_id)
            current = self._versions.get(video_id, 0)
            if version is not None and _integer(version, "version") != current:
                raise StaleEdit(f"video {video_id} changed since this page loaded it (version {version}, "
                                f"now {current}): reloaded, make the edit again", self.video(video_id))
            record = {**record, "annotator": self.annotator, "time": now(), "source": self.source_hash}
            # an edit replaces the video's lists (never changes them in place): keeping the references is
            # keeping the state before
            snapshot = (video.segments, video.attrs, list(self._undo), current, self._findings.get(video_id))
            try:
                was = self._apply(record)
                if was is not None:
                    record["was"] = was
                if self.journal is not None:
                    self.journal.append(record)
            except BaseException:
                self._restore(video_id, snapshot)
                raise
            self._pending.append(record)
            return self.video(video_id)

    def _restore(self, video_id: str, snapshot) -> None:
        """Take back an edit that failed or that the journal could not hold: never answer "done" for it."""
        video = self._get(video_id)
        video.segments, video.attrs, self._undo, self._versions[video_id], findings = snapshot
        if findings is None:
            self._findings.pop(video_id, None)
        else:
            self._findings[video_id] = findings

    def _apply(self, record: Dict) -> Optional[Dict]:
        """The one function that changes the set: apply ``record``; returns what the edited segment was
        (for re-applying on another file), and records who edited the video and when. The edit is made on
        copies of the video's lists, which replace the lists only once it succeeded (the lists before go on
        the undo stack)."""
        op, video_id = record["op"], record["video"]
        if op not in EDIT_OPS:
            raise EditError(f"unknown edit {op!r}")
        video = self._get(video_id)
        was = None
        if op == "undo":
            if not self._undo or self._undo[-1][0] != video_id:
                raise EditError("nothing to undo")
            _, segments, attrs = self._undo.pop()
            video.segments, video.attrs = segments, attrs
        else:
            draft = copy.copy(video)
            draft.segments, draft.attrs = copy.deepcopy(video.segments), copy.deepcopy(video.attrs)
            was = self._change(draft, record)
            draft.attrs["reviewed"] = {"by": record.get("annotator") or self.annotator,
                                       "at": record.get("time") or now()}
            self._undo.append((video_id, video.segments, video.attrs))
            del self._undo[:-UNDO_DEPTH]
            video.segments, video.attrs = draft.segments, draft.attrs
        self._versions[video_id] = self._versions.get(video_id, 0) + 1
        if not self._replaying:
            self._revalidate(video_id)
        return was

    def _change(self, video, record: Dict) -> Optional[Dict]:
        op = record["op"]
        if op == "update":
            seg = self._segment(video, record["index"])
            was = seg.to_dict()
            if record.get("label") is not None:
                self._check_label(video, seg.level, record["label"], seg.parent)
            start = seg.start if record.get("start") is None else _time(record["start"], "start")
            end = seg.end if record.get("end") is None else _time(record["end"], "end")
            if record.get("label") is not None:
                seg.label = record["label"]
            seg.start, seg.end = start, end
            return was
        if op == "add":
            level, parent = _text(record["level"], "level"), _integer(record.get("parent"), "parent", optional=True)
            if level not in self.annotations.taxonomy.level_names:
                raise EditError(f"video {video.video_id}: no level {level!r}")
            was = {"parent": self._segment(video, parent).to_dict()} if parent is not None else None
            label = _integer(record["label"], "label")
            self._check_label(video, level, label, parent)
            video.segments.append(Segment(level, label, _time(record["start"], "start"),
                                          _time(record["end"], "end"), parent))
            return was
        index = record["index"]
        seg = self._segment(video, index)
        children = [i for i, s in enumerate(video.segments) if s.parent == index]
        if children:
            raise EditError(f"video {video.video_id}: segment {index} has {len(children)} child segment(s); "
                            "delete them first")
        was = seg.to_dict()
        del video.segments[index]
        for other in video.segments:
            if other.parent is not None and other.parent > index:
                other.parent -= 1
        return was

    def _segment(self, video, index) -> Segment:
        if not isinstance(index, int) or not 0 <= index < len(video.segments):
            raise EditError(f"video {video.video_id}: no segment {index}")
        return video.segments[index]

    def _check_label(self, video, level: str, label: int, parent: Optional[int]) -> None:
        """The hierarchy rule, asked of the taxonomy (its one owner)."""
        taxonomy = self.annotations.taxonomy
        if label not in taxonomy.level(level).classes:
            raise EditError(f"video {video.video_id}: {label} is not a {level} class")
        parent_level = taxonomy.parent_level(level)
        if parent is not None:
            under = [self._segment(video, parent).label]
        elif parent_level == taxonomy.level_names[0] and video.labels:
            under = list(video.labels)  # no segment at the top level: the video's own labels
        else:
            under = []
        if not taxonomy.valid_under(level, label, under):
            names = " / ".join(taxonomy.level(parent_level).class_name(p) for p in under)
            raise EditError(f"video {video.video_id}: {taxonomy.level(level).class_name(label)} "
                            f"is not valid under {names}")

def _value(parse, value, field: str):
    """``value`` read by the annotation readers' typed accessor ``parse``; a bad one is :class:`InvalidValue`
    naming the field (the server answers 400 with it)."""
    try:
        return parse(value, None, "edit", field)
    except AnnotationError as exc:
        raise InvalidValue(field, f"{field}: {exc.finding.message}" + (
            f" ({exc.finding.value!r:.60})" if exc.finding.value is not None else "")) from None


def _time(value, field: str = "time", optional: bool = False) -> Optional[float]:
    """A time in seconds: a finite number, at most :data:`MAX_TIME` (rounded to the millisecond)."""
    if value is None and optional:
        return None
    number = _value(parse_float, value, field)
    if abs(number) > MAX_TIME:
        raise InvalidValue(field, f"{field}: {number} s is no time on a video")
    return round(number, 3)


def _integer(value, field: str, optional: bool = False) -> Optional[int]:
    """An index, class id or version: an integer of at most 30 digits (``3`` or ``3.0``; not ``3.5``, text or
    a boolean)."""
    if value is None and optional:
        return None
    if isinstance(value, str):  # the readers accept digits as text; a JSON request says what it means
        raise InvalidValue(field, f"{field}: expected an integer ({value!r:.60})")
    return _value(parse_int, value, field)


def _text(value, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidValue(field, f"{field}: expected a string ({value!r:.60})")
    return value


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        return "unknown"


def _source_bytes(src: PathLike) -> Optional[bytes]:
    """The bytes a source's hash is made of: the file, or a folder's files in name order."""
    src = Path(src)
    if src.is_file():
        return src.read_bytes()
    if src.is_dir():
        parts = []
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            parts.append(str(path.relative_to(src)).encode() + b"\0" + path.read_bytes())
        return b"\0".join(parts)
    return None



__all__ = ["EditError", "InvalidValue", "ReviewSession", "SaveConflict", "StaleEdit"]
