"""What a video file is: duration, fps, frame count, resolution, codec; for one file or a folder.

The folder table (``videokit probe``) is the metadata table that fills the durations OphNet's CSVs
lack: ``read_annotations(..., metadata="meta.csv")``.
"""
from __future__ import annotations

import concurrent.futures as futures
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import pandas as pd

from ..utils import PathLike, atomic_output
from .decode import BrokenVideoError, DecordReader

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg")
COLUMNS = ["video_id", "path", "duration", "fps", "num_frames", "width", "height", "codec", "error"]


@dataclass
class VideoInfo:
    """One row of the metadata table; ``error`` is set (and the rest empty) for an unreadable file."""

    video_id: str
    path: str
    duration: Optional[float] = None
    fps: Optional[float] = None
    num_frames: Optional[int] = None
    width: Optional[int] = None
    height: Optional[int] = None
    codec: Optional[str] = None
    error: Optional[str] = None


def _codec_name(path: Path) -> Optional[str]:
    import av

    try:
        with av.open(str(path)) as container:
            return container.streams.video[0].codec_context.name
    except Exception:
        return None


def probe(path: PathLike, root: Optional[PathLike] = None) -> VideoInfo:
    """Probe one file with decord (frames, fps, size, duration) and FFmpeg's header (codec)."""
    path = Path(path)
    rel = str(path.relative_to(root)) if root is not None else str(path)
    info = VideoInfo(path.stem, rel)
    try:
        reader = DecordReader(path)
    except BrokenVideoError as exc:
        info.error = exc.reason
        return info
    except Exception as exc:  # noqa: BLE001 -- a decoder's own failure on one file is that file's row, never the run's
        info.error = f"cannot read: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        return info
    info.num_frames = reader.num_frames
    info.fps = round(reader.fps, 6)
    info.width, info.height = int(reader.width), int(reader.height)
    info.duration = round(reader.duration, 6)
    info.codec = _codec_name(path)
    reader.close()
    return info


def _probe_alone(path: Path, root: PathLike) -> VideoInfo:
    """:func:`probe` in a process of its own: a file whose decoder crashes the process is an error row."""
    with futures.ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(probe, path, root).result()
        except futures.process.BrokenProcessPool:
            info = VideoInfo(path.stem, str(path.relative_to(root)))
            info.error = "the decoder crashed reading it (a damaged file)"
            return info


def find_videos(folder: PathLike, extensions: Iterable[str] = VIDEO_EXTENSIONS) -> List[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    wanted = {e.lower() for e in extensions}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in wanted)


class FrameRates:
    """Each video's frame rate, probed from its file under ``folder`` the first time it is asked for: the
    file at the path the annotations give (relative to the folder, or its name alone), else the file named
    after the video's id anywhere under the folder. For the formats that count frames (CVAT, Label Studio)
    when the annotation file does not state the rate (``--videos DIR``)."""

    def __init__(self, folder: PathLike) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise FileNotFoundError(f"{folder}: no such folder")
        self._by_stem: Optional[Dict[str, Path]] = None
        self._rates: Dict[Path, Optional[float]] = {}
        self.unreadable: Dict[str, str] = {}  # file -> why it could not be probed

    def find(self, video_id: str, path: Optional[str] = None) -> Optional[Path]:
        """The file of the video, or None."""
        relative = [] if not path or Path(path).is_absolute() else [self.folder / path]  # never outside the folder
        for candidate in relative + ([self.folder / Path(path).name] if path else []):
            if candidate.is_file():
                return candidate
        if self._by_stem is None:
            self._by_stem = {}
            for found in find_videos(self.folder):
                self._by_stem.setdefault(found.stem, found)
        for stem in (video_id, Path(path).stem if path else None):
            if stem in self._by_stem:
                return self._by_stem[stem]
        return None

    def __call__(self, video_id: str, path: Optional[str] = None) -> Optional[float]:
        """The frame rate of the video's file; None when there is none or it cannot be read."""
        file = self.find(video_id, path)
        if file is None:
            return None
        if file not in self._rates:
            try:
                reader = DecordReader(file)
                self._rates[file] = round(float(reader.fps), 6) or None
                reader.close()
            except BrokenVideoError as exc:
                self.unreadable[str(file)] = exc.reason
                self._rates[file] = None
        return self._rates[file]


def _save(rows: List[VideoInfo], out: PathLike) -> pd.DataFrame:
    table = pd.DataFrame([asdict(r) for r in rows], columns=COLUMNS).sort_values("path", kind="stable")
    for column in ("num_frames", "width", "height"):
        table[column] = pd.to_numeric(table[column]).astype("Int64")
    with atomic_output(out) as tmp:
        table.to_csv(tmp, index=False)
    return table


def probe_folder(folder: PathLike, out: PathLike, workers: int = 2, resume: bool = True,
                 save_every: int = 50, progress: bool = True) -> pd.DataFrame:
    """Probe every video under ``folder`` in parallel into the CSV ``out`` (see :func:`probe_files`)."""
    return probe_files(find_videos(folder), folder, out, workers, resume, save_every, progress)


def probe_files(paths: Sequence[PathLike], root: PathLike, out: PathLike, workers: int = 2, resume: bool = True,
                save_every: int = 50, progress: bool = True) -> pd.DataFrame:
    """Probe ``paths`` (files under ``root``) in parallel into the CSV ``out``, paths relative to ``root``.

    With ``resume``, rows already in ``out`` are kept and their files skipped; the table is saved
    (atomically) every ``save_every`` files, so an interrupted run loses at most that many probes.
    """
    from tqdm import tqdm

    root = Path(root)
    rows: List[VideoInfo] = []
    done = set()
    if resume and Path(out).exists():
        old = pd.read_csv(out, dtype={"video_id": str, "path": str, "codec": str, "error": str})
        old = old.astype(object).where(old.notna(), None)
        rows = [VideoInfo(**{k: r[k] for k in COLUMNS}) for r in old.to_dict("records")]
        done = {r.path for r in rows}
    todo = [Path(p) for p in paths if str(Path(p).relative_to(root)) not in done]
    with futures.ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        jobs = {pool.submit(probe, p, root): p for p in todo}
        bar = tqdm(futures.as_completed(jobs), total=len(jobs), desc="probe", unit="video", disable=not progress)
        for n, job in enumerate(bar, start=1):
            try:
                rows.append(job.result())
            except futures.process.BrokenProcessPool:  # a decoder crashed its process: probe the rest one by one
                rows.append(_probe_alone(jobs[job], root))
            if n % save_every == 0:
                _save(rows, out)
    return _save(rows, out)
