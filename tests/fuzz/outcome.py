"""The three outcomes a malformed input may have, and the check that no other happens.

1. ``result``: the reader accepts it, validation passes, and what videokit writes from it (canonical JSON and
   the input's own format) videokit reads back (canonical: the same set, field for field).
2. ``error``: one :class:`~videokit.annotations.AnnotationError`, one line, naming the file.
3. ``refused``: validation finds errors (``videokit convert`` writes nothing then), or a writer refuses with
   one error and leaves nothing behind.

Anything else (another exception, a case over its time limit, a written file videokit refuses, a partial
output) is a :class:`Failure`.
"""
from __future__ import annotations

import contextlib
import math
import resource
import signal
from pathlib import Path
from typing import Dict, Iterator, Optional

from videokit.annotations import AnnotationError, AnnotationSet, read_annotations, validate, write_annotations
from videokit.annotations.formats import canonical
from videokit.annotations.formats._tool_files import checks_only
from videokit.annotations.formats.tables import read_taxonomy

#: per case: longer than this is a hang (a real file of these sizes reads in milliseconds)
TIME_LIMIT_S = 10
#: per case: more memory than this on top of what the process holds is a blow-up (the seeds are kilobytes)
MEMORY_LIMIT_BYTES = 2 << 30

#: what each format is written as, besides canonical, to be read back (writer options, reader options)
OWN_FORMAT: Dict[str, tuple] = {
    "nurvid": ({}, {}),
    "ophnet": ({"variant": "all"}, {"variant": "all"}),
    "anet": ({}, {}),
    "mmaction": (None, None),  # the style is the seed's
    "elan": ({}, {}),
    "labelstudio": ({"fps": 25.0}, {"fps": 25.0}),
    "cvat": ({"fps": 25.0}, {"fps": 25.0}),
    "via": ({}, {}),
    "canonical": None,
    "taxonomy": None,
}


#: the formats whose reader assembles its set from the tool's values (``_tool_files.assemble``)
TOOL_FORMATS = ("elan", "labelstudio", "cvat", "via")


class Failure(AssertionError):
    """An outcome the contract does not allow."""


class Hang(BaseException):
    """Raised by the alarm when a case runs past :data:`TIME_LIMIT_S` (a BaseException: no reader swallows it)."""


@contextlib.contextmanager
def memory_limit(extra: int) -> Iterator[None]:
    """Address space capped at the current size plus ``extra``: a case that blows up raises MemoryError (a
    failure, kept) instead of taking the machine."""
    with open("/proc/self/statm") as handle:
        size = int(handle.read().split()[0]) * resource.getpagesize()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expire(*_: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _one_error(exc: AnnotationError, stage: str) -> None:
    text = str(exc)
    if "\n" in text or not exc.finding.file:
        raise Failure(f"{stage}: an error that is not one line naming a file: {text!r}")


def check(fmt: str, path: Path, options: dict, work: Path) -> str:
    """Read ``path`` as ``fmt`` and classify what happens (``result``, ``error``, ``refused``), or raise Failure."""
    try:
        with time_limit(TIME_LIMIT_S), memory_limit(MEMORY_LIMIT_BYTES):
            return _check(fmt, path, options, work)
    except Hang as exc:
        raise Failure(f"hang: {exc}") from None
    except MemoryError:
        raise Failure(f"more than {MEMORY_LIMIT_BYTES >> 30} GiB for one case") from None


def _check(fmt: str, path: Path, options: dict, work: Path) -> str:
    if fmt == "taxonomy":
        return _check_taxonomy(path, work)
    try:
        annotations = read_annotations(path, fmt, **options)
    except AnnotationError as exc:
        _one_error(exc, "read")
        _read_back_agrees(fmt, path, options, str(exc))
        return "error"
    _read_back_agrees(fmt, path, options, None)
    typed(annotations)
    report = validate(annotations)
    if not report.ok:
        return "refused"
    outcome = "result"
    targets = [("canonical", {}, {})]
    own = OWN_FORMAT[fmt]
    if own is not None:
        write_options, read_options = own
        if fmt == "mmaction":
            write_options = read_options = {"style": options.get("style", "video")}
        targets.append((fmt, write_options, read_options))
    for target, write_options, read_options in targets:
        out = work / f"out-{target}"
        try:
            write_annotations(annotations, out, target, **write_options)
        except AnnotationError as exc:
            _one_error(exc, f"write {target}")
            leftovers = sorted(p.name for p in work.iterdir() if p.name.startswith((f"out-{target}", f".out-{target}")))
            if leftovers:
                raise Failure(f"write {target} refused ({exc}) but left {leftovers}") from None
            outcome = "refused"
            continue
        try:
            back = read_annotations(out, target, **read_options)
        except AnnotationError as exc:
            raise Failure(f"videokit wrote {target} that it then refuses: {exc}") from None
        if target == "canonical" and canonical.to_dict(back) != canonical.to_dict(annotations):
            raise Failure("canonical round trip changed the set")
    return outcome


def _read_back_agrees(fmt: str, path: Path, options: dict, error: Optional[str]) -> None:
    """A tool file read as a writer's output is read back (``checks_only``: nothing assembled) is refused with
    the full read's error, or accepted where the full read accepts it."""
    if fmt not in TOOL_FORMATS:
        return
    try:
        with checks_only():
            read_annotations(path, fmt, **options)
        checked = None
    except AnnotationError as exc:
        checked = str(exc)
    if checked != error:
        raise Failure(f"the read-back's outcome {checked!r} is not the full read's {error!r}")


def _check_taxonomy(path: Path, work: Path) -> str:
    """``--taxonomy FILE`` tables: read, written again, read back the same."""
    try:
        taxonomy = read_taxonomy(path)
    except AnnotationError as exc:
        _one_error(exc, "read")
        return "error"
    out = work / "out-taxonomy.csv"
    try:
        write_annotations(AnnotationSet(taxonomy, {}), out, "taxonomy")
    except AnnotationError as exc:
        _one_error(exc, "write taxonomy")
        if out.exists():
            raise Failure(f"write taxonomy refused ({exc}) but left the file") from None
        return "refused"
    try:
        back = read_taxonomy(out)
    except AnnotationError as exc:
        raise Failure(f"videokit wrote a taxonomy that it then refuses: {exc}") from None
    def classes(tax):  # ids, names and parents per level (``key``: a level-unique name the writer may add)
        return [(lvl.name, sorted((c.id, c.name, c.names,
                                   c.parents) for c in lvl.classes.values())) for lvl in tax.levels]

    if classes(back) != classes(taxonomy):
        raise Failure("taxonomy round trip changed the classes")
    return "result"


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def typed(annotations: AnnotationSet) -> None:
    """Every value a reader accepted has the model's type: what validation and the writers compare and print."""
    taxonomy = annotations.taxonomy
    problems = []
    for level in taxonomy.levels:
        if not isinstance(level.name, str) or not all(isinstance(k, int) and isinstance(c.name, str)
                                                      for k, c in level.classes.items()):
            problems.append(f"level {level.name!r}")
    for video in annotations:
        fields = [isinstance(video.video_id, str), video.path is None or isinstance(video.path, str),
                  video.duration is None or _number(video.duration), video.fps is None or _number(video.fps),
                  video.split is None or isinstance(video.split, str),
                  all(isinstance(x, int) and not isinstance(x, bool) for x in video.labels),
                  isinstance(video.attrs, dict)]
        if not all(fields):
            problems.append(f"video {video.video_id!r}: {fields}")
        for i, seg in enumerate(video.segments):
            ok = [isinstance(seg.level, str), isinstance(seg.label, int) and not isinstance(seg.label, bool),
                  _number(seg.start), _number(seg.end), seg.parent is None or isinstance(seg.parent, int),
                  isinstance(seg.splits, dict) and all(isinstance(v, str) for v in seg.splits.values()),
                  isinstance(seg.attrs, dict)]
            if not all(ok):
                problems.append(f"video {video.video_id!r} segment {i}: {ok}")
    if problems:
        raise Failure(f"the reader accepted values of the wrong type: {problems[:3]}")


def describe(fmt: str, options: dict, error: Optional[BaseException]) -> str:
    return f"{fmt} {options}: {type(error).__name__}: {error}"
