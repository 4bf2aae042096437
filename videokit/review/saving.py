"""Saving a review: the whole set written atomically and durably (the previous file kept as ``.bak``), never
over a file another session saved since this one saw it (:class:`SaveConflict`), and, after such a save,
reloading it and re-applying this session's unsaved edits that still apply."""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..annotations import AnnotationSet, read_annotations
from ..annotations.formats import canonical
from ..utils import durable_write_bytes
from .errors import EditError, SaveConflict
from .journal import Journal, content_hash, journal_path


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def serialize(annotations: AnnotationSet) -> bytes:
    """What Save writes: the canonical JSON of the whole set."""
    return json.dumps(canonical.to_dict(annotations), ensure_ascii=False).encode("utf-8")


def file_hash(path: Path) -> Optional[str]:
    try:
        return content_hash(path.read_bytes())
    except FileNotFoundError:
        return None


class Saving:
    """The saving half of :class:`~.session.ReviewSession` (its state: ``annotations``, ``out``, ``out_hash``,
    ``source_hash``, ``journal``, the pending records; its :meth:`_apply` re-applies an edit)."""

    def save(self, as_name: Optional[str] = None) -> Dict:
        """Write the whole set to ``out`` (canonical, atomically and durably; the previous file kept as
        ``out.bak``), then start a new journal on it. Refused with :class:`SaveConflict` when ``out``
        changed on disk since this session loaded or saved it. ``as_name`` saves to another file of the
        same folder instead (a bare file name), which becomes this session's output."""
        with self._lock:
            target = self.out if as_name is None else _sibling(self.out, as_name)
            if as_name is None:
                self.check_unchanged()
            elif target.exists():
                raise EditError(f"save as: {target} exists; choose a new name (nothing is overwritten)")
            data = serialize(self.annotations)
            digest = content_hash(data)
            if self.journal is not None:
                self.journal.append({"op": "save", "hash": digest, "out": str(target), "time": now()})
            backup = target.with_name(target.name + ".bak")
            if target.exists():
                durable_write_bytes(backup, target.read_bytes())
            try:
                durable_write_bytes(target, data)
            except BaseException:
                if self.journal is not None:  # the marker must not outlive a failed write
                    self.journal.start(self.source_hash, self._pending, annotator=self.annotator, started=now())
                raise
            if target != self.out and self.journal is not None:
                self.journal.remove()
                self.journal = Journal(journal_path(target))
            self.out, self.out_hash, self.source_hash = target, digest, digest
            self._pending = []
            if self.journal is not None:
                self.journal.start(digest, annotator=self.annotator, started=now())
            return {"saved": str(target), "backup": str(backup) if backup.exists() else None, "bytes": len(data),
                    "hash": digest}

    def check_unchanged(self) -> None:
        """Raise :class:`SaveConflict` when ``out`` is not what this session loaded or last saved."""
        current = file_hash(self.out)
        if current == self.out_hash:
            return
        details: Dict[str, Any] = {"out": str(self.out), "expected": self.out_hash, "found": current}
        if current is None:
            message = f"{self.out} was removed since this session saw it"
        else:
            stamp = _dt.datetime.fromtimestamp(self.out.stat().st_mtime).strftime("%H:%M:%S")
            by = _last_reviewer(self.out)
            details.update(saved_at=stamp, saved_by=by)
            message = f"{self.out} was saved by another session at {stamp}" + (f" ({by})" if by else "") + \
                "; nothing written: save as another file, or reload it and re-apply your edits"
        raise SaveConflict(message, details)

    def reload_and_reapply(self) -> Dict:
        """Take ``out`` as it is on disk now (another session's save) and re-apply this session's unsaved
        edits on it. An edit whose segment changed underneath is listed, not applied."""
        with self._lock:
            if not self.out.exists():
                raise EditError(f"{self.out} is not saved yet: nothing to reload")
            data = self.out.read_bytes()
            fresh = read_annotations(self.out, "canonical")
            effective: List[Dict] = []
            for record in self._pending:  # undo cancels the edit it undoes
                if record["op"] == "undo":
                    if effective:
                        effective.pop()
                else:
                    effective.append(record)
            self.annotations = fresh
            self._undo, self._pending = [], []
            self.source_hash = self.out_hash = content_hash(data)
            for video_id in list(self._versions):
                self._versions[video_id] += 1  # every open tab is now stale
            applied, skipped = [], []
            self._replaying = True
            try:
                for record in effective:
                    reason = self._conflict(record)
                    if reason is None:
                        try:
                            record = {**record, "was": self._apply(record)}
                        except (EditError, KeyError) as exc:
                            reason = str(exc)
                    if reason is None:
                        applied.append(record)
                    else:
                        skipped.append({"video": record["video"], "op": record["op"], "index": record.get("index"),
                                        "reason": reason})
            finally:
                self._replaying = False
            self._pending = applied
            self._findings = self._validate()
            if self.journal is not None:
                self.journal.start(self.source_hash, applied, annotator=self.annotator, started=now())
            return {"applied": len(applied), "skipped": skipped}

    def _conflict(self, record: Dict) -> Optional[str]:
        """Why ``record`` no longer applies to the current set (``None`` when it does)."""
        video = self.annotations.videos.get(record["video"])
        if video is None:
            return "the video is gone"
        was = record.get("was")
        if record["op"] in ("update", "delete"):
            index = record["index"]
            if index >= len(video.segments) or video.segments[index].to_dict() != was:
                return f"segment {index} changed underneath"
        elif record["op"] == "add" and record.get("parent") is not None:
            parent = record["parent"]
            if parent >= len(video.segments) or video.segments[parent].to_dict() != (was or {}).get("parent"):
                return f"its parent segment {parent} changed underneath"
        return None


def _sibling(out: Path, name: str) -> Path:
    """A file of ``out``'s folder named ``name``: a bare ``.json`` file name, nothing that leaves the folder."""
    plain = isinstance(name, str) and name and not name.startswith(".") and len(name) <= 255
    if not plain or any(ord(c) < 32 or c in "/\\" for c in name) or os.sep in name:
        raise EditError(f"save as: {name!r} is not a plain file name (it is written beside {out.name})")
    if not name.endswith(".json"):
        raise EditError(f"save as: {name!r} must end in .json")
    return out.with_name(name)


def _last_reviewer(path: Path) -> Optional[str]:
    """Who last edited something in a saved review file (from its videos' ``reviewed`` attrs)."""
    try:
        data = json.loads(path.read_bytes())
        marks = [v.get("attrs", {}).get("reviewed") for v in data.get("videos", [])]
        marks = [m for m in marks if isinstance(m, dict) and m.get("at")]
        return max(marks, key=lambda m: m["at"]).get("by") if marks else None
    except (ValueError, OSError, AttributeError, TypeError):
        return None
