"""Producing items in a thread a little ahead of their consumer: decoding beside the model."""
from __future__ import annotations

import queue
import threading
from typing import Iterable, Iterator, Optional

_DONE = object()


class Stalled(TimeoutError):
    """The producer handed nothing for longer than the consumer would wait (a decoder making no progress)."""


def prefetched(items: Iterable, depth: int = 2, stall: Optional[float] = None) -> Iterator:
    """``items`` produced in a thread, at most ``depth`` ahead of the consumer (decoding beside the model); an
    exception in the producer is raised here, and a consumer that stops early stops the producer. ``stall``:
    seconds to wait for the next item before :class:`Stalled` is raised (a producer stuck in a decoder cannot be
    interrupted; it is left behind, a daemon thread)."""
    ready: "queue.Queue" = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, item) -> bool:
        while not stop.is_set():
            try:
                ready.put((kind, item), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", _DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put("error", exc)

    thread = threading.Thread(target=produce, name="videokit-decode", daemon=True)
    thread.start()
    try:
        while True:
            try:
                kind, item = ready.get(timeout=stall)
            except queue.Empty:
                raise Stalled(f"no progress for {stall:g} s") from None
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
