"""The review session's write-ahead journal: each accepted edit is one JSON line, flushed and fsync'd before
the server answers, so an edit the page was told about survives a crash, a killed terminal or a reboot.

``OUT.journal`` starts with a header naming the hash of the annotations the edits apply to (the base: OUT
as loaded or last saved, else the source); Save appends a ``save`` marker, writes OUT, then starts a new
journal on the saved file. Reading tolerates exactly what a crash can leave: a last line cut off mid-write
(that edit was never acknowledged) and a ``save`` marker whose OUT write did or did not finish.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Dict, Iterable, List, Optional

from ..utils import PathLike, durable_write_bytes

VERSION = 1


def content_hash(data: bytes) -> str:
    """The hash the journal and the lost-update check name a file's content by."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def journal_path(out: PathLike) -> Path:
    out = Path(out)
    return out.with_name(out.name + ".journal")


class JournalError(ValueError):
    """A journal that cannot be replayed here (another source, or a damaged line in its middle)."""


@dataclass
class JournalContents:
    """What a journal file holds: the base it applies to, its edits in order, the hash of a save that was
    under way when it was last written (``None`` if none), and whether a cut-off last line was dropped."""

    source: str
    edits: List[Dict] = field(default_factory=list)
    saving: Optional[str] = None
    torn: bool = False
    header: Dict = field(default_factory=dict)


def read_journal(path: PathLike) -> Optional[JournalContents]:
    """The journal at ``path`` (``None`` when there is none). A line that is not the last and does not
    parse is damage no crash makes: one error naming the file and the line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    lines = data.split(b"\n")
    torn = lines[-1] != b""  # a write cut off before its newline: never acknowledged
    lines = lines[:-1]
    if not lines:
        return JournalContents(source="", torn=torn)
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            record = None
        if not isinstance(record, dict):
            raise JournalError(f"{path}:line {number}: not a journal record (a damaged file; "
                               "start over with --discard-journal)") from None
        records.append(record)
    header = records[0]
    if not isinstance(header, dict) or header.get("journal") != VERSION or "source" not in header:
        raise JournalError(f"{path}:line 1: not a videokit review journal header")
    contents = JournalContents(source=str(header["source"]), torn=torn, header=header)
    for record in records[1:]:
        if record.get("op") == "save":
            contents.saving = record.get("hash")
        else:
            contents.saving = None  # an edit after a save marker: that save failed and was answered so
            contents.edits.append(record)
    return contents


class Journal:
    """The open journal of one review session: :meth:`start` (re)writes it atomically, :meth:`append`
    adds one durable line."""

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        self._handle: Optional[IO[bytes]] = None

    def start(self, source: str, edits: Iterable[Dict] = (), **header: object) -> None:
        """A new journal on the base ``source`` holding ``edits`` (replayed or re-applied ones)."""
        self.close()
        head = {"journal": VERSION, "source": source, **header}
        body = b"".join(_line(r) for r in [head, *edits])
        durable_write_bytes(self.path, body)
        self._handle = open(self.path, "ab")

    def append(self, record: Dict) -> None:
        """Write one record and return only once it is on disk (flush + fsync)."""
        if self._handle is None:
            raise RuntimeError("journal not started")
        self._handle.write(_line(record))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def discard(self) -> Optional[Path]:
        """Keep the journal as ``.discarded`` (never deleted: it holds someone's edits)."""
        self.close()
        if not self.path.exists():
            return None
        target = self.path.with_name(self.path.name + ".discarded")
        os.replace(self.path, target)
        return target

    def remove(self) -> None:
        """Drop a journal whose edits are all saved elsewhere (after a save-as)."""
        self.close()
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _line(record: Dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
