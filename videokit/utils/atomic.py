"""Write-to-temp-then-rename, so that a failed run never leaves a partial output behind."""
from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, Optional, Tuple

from .pathlike import PathLike

#: a check run on what is about to be moved into place (see :func:`checked_outputs`)
_CHECK: contextvars.ContextVar[Optional[Callable[[Path, Path], None]]] = contextvars.ContextVar("check", default=None)
#: within :func:`checked_outputs`: the bytes each temporary file was given, so the check reads them from memory
_WRITTEN: contextvars.ContextVar[Optional[Dict[str, bytes]]] = contextvars.ContextVar("written", default=None)


@contextlib.contextmanager
def checked_outputs(check: Callable[[Path, Path], None]) -> Iterator[None]:
    """Within the block, every :func:`atomic_output` calls ``check(temporary, final)`` before it moves the
    temporary file or folder into place; an exception from it leaves nothing (a writer's output is read back
    before it counts as written). The check reads what :func:`write_folder` and :func:`atomic_write_text` just
    wrote from the bytes they wrote (:func:`written_bytes`), not from the disk again."""
    token, written = _CHECK.set(check), _WRITTEN.set({})
    try:
        yield
    finally:
        _CHECK.reset(token)
        _WRITTEN.reset(written)


def written_bytes(path: PathLike) -> Optional[bytes]:
    """The bytes a temporary file was just given inside :func:`checked_outputs` (None elsewhere, and for any
    other file)."""
    written = _WRITTEN.get()
    return None if written is None else written.get(os.fspath(path))


def _remember(path: PathLike, data: bytes) -> None:
    written = _WRITTEN.get()
    if written is not None:
        written[os.fspath(path)] = data


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path: PathLike, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds.

    With ``directory=True`` the temporary path is a fresh folder (for writers of several files).
    """
    final = Path(path)
    parent = final.parent if str(final.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    if directory:
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=parent))
    else:
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=parent)
        os.close(fd)
        tmp = Path(name)
    os.chmod(tmp, (0o777 if directory else 0o666) & ~_umask())
    try:
        yield tmp
        check = _CHECK.get()
        if check is not None:
            check(tmp, final)
        if directory:
            if final.exists():
                backup = final.with_name(f".{final.name}.old")
                shutil.rmtree(backup, ignore_errors=True)
                final.rename(backup)
                tmp.rename(final)
                shutil.rmtree(backup, ignore_errors=True)
            else:
                tmp.rename(final)
        else:
            os.replace(tmp, final)
    except BaseException:
        if directory:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise


def atomic_write_text(path: PathLike, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    """Write ``text`` to ``path`` atomically."""
    data = text.replace("\n", newline).encode(encoding) if newline != "\n" else text.encode(encoding)
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
        _remember(tmp, data)


def fsync_directory(path: PathLike) -> None:
    """Make a rename or a new file in ``path`` (a folder) survive a power cut (a no-op where folders
    cannot be opened, as on Windows)."""
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def durable_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably: temp file, fsync, rename, fsync of the folder.
    When this returns, the new content survives a crash or a power cut; before it, the old one does."""
    final = Path(path)
    with atomic_output(final) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    fsync_directory(final.parent if str(final.parent) else ".")


@dataclass
class FolderWrite:
    """What :func:`write_folder` did: files written anew, and unchanged files carried over."""

    written: int = 0
    kept: int = 0


def _unchanged(path: str, data: bytes, same: Optional[Callable[[bytes, bytes], bool]]) -> Optional[bytes]:
    """The bytes of the plain file at ``path`` (not a link) where they are ``data`` (or ``same`` calls them so);
    else None."""
    try:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode) or (same is None and status.st_size != len(data)):
            return None
        with open(path, "rb") as handle:
            old = handle.read()
    except OSError:
        return None
    return old if (old == data if same is None else same(old, data)) else None


def write_folder(path: PathLike, files: Iterable[Tuple[str, str]], encoding: str = "utf-8",
                 same: Optional[Callable[[bytes, bytes], bool]] = None) -> FolderWrite:
    """Write the folder ``path`` holding ``files`` (``(name, text)`` pairs, names unique) atomically.

    A file whose bytes equal those already at ``path/name`` (or that ``same(old, new)`` calls equal: a format
    whose files carry the time they were written) is carried over as a hard link instead of being written
    again: re-exporting a set in which a few videos changed touches only those files (the others
    keep their modification times, so sync tools and ``make`` see what changed), and replacing the folder
    frees no inodes for unchanged files (on a file system without a journal, ext4 scans the inodes freed in
    the last minute on every create: thousands of them make each new file cost a millisecond).
    """
    final = Path(path)
    old = final if final.is_dir() else None
    done = FolderWrite()
    with atomic_output(final, directory=True) as tmp:
        seen = set()
        for name, text in files:
            if name in seen or "/" in name or name in ("", ".", ".."):
                raise ValueError(f"{final}: file name {name!r} given twice or not a plain name")
            seen.add(name)
            data = text.encode(encoding)
            target = os.path.join(tmp, name)
            kept = _unchanged(os.path.join(old, name), data, same) if old is not None else None
            if kept is not None:
                try:
                    os.link(os.path.join(old, name), target)
                    done.kept += 1
                    _remember(target, kept)
                    continue
                except OSError:  # a file system without hard links: write it
                    pass
            with open(target, "wb") as handle:
                handle.write(data)
            _remember(target, data)
            done.written += 1
    return done
