"""What several benchmarks measure on: a long 720p H.264 video made from the sample clip, and its copy
preprocessed with `videokit preprocess`'s defaults (both cached under ``--cache``)."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "sample_videos" / "bigbuckbunny.mp4"


def long_video_arguments(description: str):
    """The command line of a benchmark on the made long video: ``--minutes --rounds --device --cache``."""
    import argparse

    from .rounds import MIN_ROUNDS

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS, help="interleaved rounds (at least 5)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cache", default=None, help="folder to keep the made video in (default: a temp dir)")
    return parser.parse_args()


def make_long_video(out: Path, minutes: float, fps: int = 25, gop: int = 250) -> Path:
    from videokit.video.preprocess import ffmpeg_binary

    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.mp4")
    cmd = [ffmpeg_binary(), "-nostdin", "-y", "-v", "error", "-stream_loop", "-1", "-i", str(SAMPLE),
           "-t", str(minutes * 60), "-vf", f"scale=1280:720,fps={fps}", "-c:v", "libx264", "-preset", "veryfast",
           "-crf", "23", "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0", "-pix_fmt", "yuv420p",
           "-an", str(tmp)]
    print(f"making {out.name}: {minutes} min 720p, {fps} fps, GOP {gop} ...", flush=True)
    subprocess.run(cmd, check=True)
    tmp.rename(out)
    return out


def preprocessed_copy(src: Path, cache: Path) -> Path:
    """``videokit preprocess``'s defaults (short side 256, 25 fps, a keyframe every 2 s, no B-pyramid); the
    folder is named after the command line, so a change of defaults makes a new copy."""
    import hashlib

    from videokit.video.preprocess import ffmpeg_command, preprocess

    key = hashlib.sha1(" ".join(ffmpeg_command("in", "out", ffmpeg="ffmpeg")).encode()).hexdigest()[:8]
    out_dir = cache / f"preprocessed-{key}"
    target = out_dir / src.name
    if not target.exists():
        print(f"preprocessing {src.name} with videokit preprocess's defaults ...", flush=True)
        preprocess(src.parent, out_dir, workers=1, progress=False)
    return target
