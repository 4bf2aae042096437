"""Re-encode videos as both papers' pipelines do (short side, frame rate), laid out for random access
(keyframe interval, B-frames), with the real ``ffmpeg`` binary, in parallel and resumably. Annotation
times stay valid: they are seconds."""
from __future__ import annotations

import concurrent.futures as futures
import os
import shutil
import subprocess
from pathlib import Path
from typing import List, Optional, Sequence

import pandas as pd

from ..utils import PathLike
from .probe import find_videos, probe_folder


class FFmpegMissing(RuntimeError):
    pass


def ffmpeg_binary() -> str:
    """``ffmpeg`` from PATH, else the one the ``imageio-ffmpeg`` package ships; a clear error if neither."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:
        raise FFmpegMissing("ffmpeg not found: install it (Debian: apt-get install ffmpeg) or "
                            "`pip install imageio-ffmpeg`, then run again") from None


KEYFRAME_SECONDS = 2.0


def ffmpeg_command(src: PathLike, dst: PathLike, short_side: Optional[int] = 256, fps: Optional[float] = 25,
                   gop: Optional[int] = None, ffmpeg: str = "ffmpeg", crf: int = 23,
                   preset: str = "veryfast") -> List[str]:
    """The ffmpeg call for one file: H.264, scaled so the short side is ``short_side`` (even sizes), laid
    out for random access: a keyframe every ``gop`` frames (``None``: every 2 s whatever the frame rate;
    ``0``: the encoder's choice, up to 250 frames apart) and no B-frame pyramid, so that every B-frame is
    a non-reference frame that a reader skips when nobody asked for it (``videokit.video.decode``).
    Measured in ``benchmarks/bench_loader.py``: TSN-8 over a 10-min 256p file reads ~4x faster than
    with x264's defaults, for a file ~30 % larger."""
    filters = []
    if short_side:
        s = int(short_side)
        filters.append(f"scale='if(gt(iw,ih),-2,{s})':'if(gt(iw,ih),{s},-2)'")
    if fps:
        filters.append(f"fps={fps}")
    cmd = [ffmpeg, "-nostdin", "-y", "-v", "error", "-i", str(src)]
    if filters:
        cmd += ["-vf", ",".join(filters)]
    cmd += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p", "-an",
            "-x264-params", "b-pyramid=none"]
    if gop is None:
        cmd += ["-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_SECONDS:g})"]
    elif gop:
        cmd += ["-g", str(int(gop)), "-keyint_min", str(int(gop)), "-sc_threshold", "0"]
    return cmd + ["-f", "mp4", str(dst)]


def _encode(src: Path, dst: Path, options: dict) -> Optional[str]:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp")
    result = subprocess.run(ffmpeg_command(src, tmp, **options), capture_output=True, text=True)
    if result.returncode != 0:
        if tmp.exists():
            tmp.unlink()
        return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
    os.replace(tmp, dst)
    return None


def preprocess(src_dir: PathLike, out_dir: PathLike, short_side: Optional[int] = 256, fps: Optional[float] = 25,
               gop: Optional[int] = None, workers: int = 2, progress: bool = True,
               files: Optional[Sequence[PathLike]] = None) -> pd.DataFrame:
    """Re-encode every video under ``src_dir`` (or only ``files``, paths under it) to
    ``out_dir/<same relative path>.mp4``.

    Files already converted are skipped (outputs appear only when complete), failures are listed
    and left out, and ``out_dir/meta.csv`` is (re)written with the new files' metadata.
    """
    from tqdm import tqdm

    src_dir, out_dir = Path(src_dir), Path(out_dir)
    options = {"short_side": short_side, "fps": fps, "gop": gop, "ffmpeg": ffmpeg_binary()}
    jobs = []
    for src in (find_videos(src_dir) if files is None else [Path(f) for f in files]):
        dst = (out_dir / src.relative_to(src_dir)).with_suffix(".mp4")
        if not dst.exists():
            jobs.append((src, dst))
    failed = []
    with futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:  # ffmpeg runs in its own process
        running = {pool.submit(_encode, src, dst, options): src for src, dst in jobs}
        for job in tqdm(futures.as_completed(running), total=len(running), desc="preprocess", unit="video",
                        disable=not progress):
            error = job.result()
            if error:
                failed.append((running[job], error))
    for src, error in failed:
        print(f"warning: {src}: ffmpeg failed: {error}")
    return probe_folder(out_dir, out_dir / "meta.csv", workers=workers, resume=False, progress=progress)
