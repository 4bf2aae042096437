"""One review server per output file: an exclusive lock on ``OUT.lock`` held while the server runs. The
operating system drops it when the process ends in any way (SIGKILL included), so a crash never leaves
a stale lock behind; a second server on the same OUT is refused, naming the running one."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from ..utils import PathLike

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the 409 at Save still guards OUT
    fcntl = None



class OutputLocked(RuntimeError):
    """Another ``videokit review`` holds this output file."""


class OutputLock:
    def __init__(self, out: PathLike) -> None:
        out = Path(out)
        self.out, self.path = out, out.with_name(out.name + ".lock")
        self._fd: Optional[int] = None

    def acquire(self, holder: str) -> None:
        """Take the lock and write ``holder`` (pid, address) into it for whoever is refused next."""
        if fcntl is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = os.read(fd, 4096).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise OutputLocked(f"{self.out} is being reviewed by another videokit review ({running}); "
                               "stop that one first, or review into another file with -o") from None
        self._fd = fd
        self.describe(holder)

    def describe(self, holder: str) -> None:
        """Rewrite who holds the lock (the address is known only once the server is bound)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, holder.encode("utf-8"), 0)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
