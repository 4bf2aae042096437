"""Building hundreds of thousands of small objects at once (a whole dataset's segments), on both of two CPUs."""
from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterator, Optional, Tuple, TypeVar

from .workers import count_cpus

T = TypeVar("T")


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Hold Python's cycle collector while the block runs, then restore it.

    The collector re-scans every live object each time enough new ones have been made, so reading a
    dataset of 30,000 segments spends a third of its time in it (OphNet's tool files: 0.3 of 0.9 s);
    annotations hold no reference cycles, and whatever the block leaves is collected once it ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: fewer items than this are read in one process: forking and sending results back would cost more than it saves
MIN_ITEMS = 200
#: the two processes take turns by blocks of this many items (0-15 here, 16-31 there, ...): a set whose costly
#: items sit together (OphNet's first 743 videos have segments, the other 1,226 only labels) is shared evenly
BLOCK = 16
#: set to 1 to read everything in this process (the results are the same either way)
ONE_PROCESS_ENV = "VIDEOKIT_ONE_PROCESS"


def can_fork() -> bool:
    """Whether a second process may share bulk work: Linux, two CPUs for this process, and this process has one
    thread (a fork copies only the calling thread: another's locks would stay held in the copy)."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and os.environ.get(ONE_PROCESS_ENV) != "1"
            and count_cpus() >= 2 and threading.active_count() == 1)


def _theirs(i: int) -> bool:
    return (i // BLOCK) % 2 == 1


def in_two(count: int, read: Callable[[int], T], pack: Callable[[T], Any], unpack: Callable[[Any], T],
           min_items: int = MIN_ITEMS) -> Iterator[T]:
    """``read(0), read(1), ... read(count - 1)`` in order, every other block of :data:`BLOCK` items worked out
    meanwhile by a forked copy of this process (where :func:`can_fork` and ``count >= min_items``): what this
    process holds (the files being read back, say) is the copy's too, without copying, and the copy sends its
    results back as ``marshal`` data of ``pack(result)`` (``unpack`` rebuilds them). For work on items this
    process has not parsed yet (files): a copy pays for every page of shared objects it touches (sharing a decoded JSON
    export cost more than it saved).

    The results, and the errors, are those of ``read`` over the items in order in one process: the first item
    that raises, in either process, raises here in its place (the copy's is read again here), after the
    results before it. Where the copy fails in any other way (an object ``marshal`` does not take, a crash), its
    items are read here. Use it inside ``contextlib.closing``: leaving early stops the copy."""
    if count < min_items or not can_fork():
        yield from (read(i) for i in range(count))
        return
    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: read its blocks up to the first error, send them, leave running nothing of the parent's
        try:
            os.close(receive)
            try:
                data = marshal.dumps(_read_theirs(count, read, pack))
            except BaseException:  # noqa: BLE001 -- anything else: the parent reads these items itself
                data = b""
            with os.fdopen(send, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(send)
    reaped = False
    try:
        mine: dict = {}
        failed: Optional[Tuple[int, Exception]] = None
        for i in range(count):
            if not _theirs(i):
                try:
                    mine[i] = read(i)
                except Exception as exc:  # raised in its place, after the items before it
                    failed = (i, exc)
                    break
        received, receive = os.fdopen(receive, "rb"), -1
        with received:
            data = received.read()
        os.waitpid(pid, 0)
        reaped = True
        theirs: dict = {}  # the copy's results before its first error (that item, and any it lacks, read here)
        with contextlib.suppress(Exception):
            stop, packed = marshal.loads(data)
            theirs = dict(zip((i for i in range(stop) if _theirs(i)), map(unpack, packed)))
        for i in range(count):
            if failed is not None and i == failed[0]:
                raise failed[1]
            yield mine[i] if not _theirs(i) else theirs[i] if i in theirs else read(i)
    finally:
        if receive >= 0:
            os.close(receive)
        if not reaped:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _read_theirs(total: int, read: Callable[[int], T], pack: Callable[[T], Any]) -> Tuple[int, list]:
    """The copy's items up to its first error: ``(index of that item or total, packed results before it)``."""
    out = []
    for i in range(total):
        if _theirs(i):
            try:
                out.append(pack(read(i)))
            except Exception:  # noqa: BLE001 -- the parent reads this item again and meets the error there
                return i, out
    return total, out
