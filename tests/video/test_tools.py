"""`videokit probe`, `videokit preprocess` and `videokit validate --videos` on made videos."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from videokit.cli import main
from videokit.video import open_video, probe_folder
from videokit.video import preprocess as preprocess_module

from ..videos import make_video


@pytest.fixture()
def video_dir(tmp_path):
    folder = tmp_path / "videos"
    (folder / "sub").mkdir(parents=True)
    make_video(folder / "a.mp4", num_frames=50, fps=25, width=160, height=96)
    make_video(folder / "sub" / "b.mp4", num_frames=30, fps=10)
    (folder / "broken.mp4").write_bytes(b"\x00" * 100)
    (folder / "notes.txt").write_text("not a video")
    return folder


def test_probe_folder_is_resumable(video_dir, tmp_path):
    out = tmp_path / "meta.csv"
    table = probe_folder(video_dir, out, workers=1, progress=False)
    assert table.path.tolist() == ["a.mp4", "broken.mp4", "sub/b.mp4"]
    row = table.set_index("video_id").loc["a"]
    assert (row.num_frames, row.fps, row.width, row.height, row.codec) == (50, 25.0, 160, 96, "h264")
    assert table.set_index("video_id").loc["broken"].error.startswith("cannot read")
    # a second run keeps the rows it has and probes only the new file
    make_video(video_dir / "c.mp4", num_frames=20)
    edited = pd.read_csv(out)
    edited.loc[edited.video_id == "a", "codec"] = "kept"
    edited.to_csv(out, index=False)
    again = probe_folder(video_dir, out, workers=1, progress=False)
    assert again.set_index("video_id").loc["a"].codec == "kept"
    assert again.set_index("video_id").loc["c"].num_frames == 20


def test_probe_verb_and_metadata_for_annotations(video_dir, tmp_path, capsys):
    out = tmp_path / "meta.csv"
    assert main(["probe", str(video_dir), "-o", str(out), "--workers", "1"]) == 0
    assert "3 videos, 1 unreadable" in capsys.readouterr().out
    from videokit.annotations import read_annotations

    listing = tmp_path / "list.txt"
    listing.write_text("a.mp4 0\n")
    annotations = read_annotations(listing, "mmaction", metadata=out)
    assert annotations.videos["a"].duration == pytest.approx(2.0)


def test_validate_videos_lists_unreadable_files(video_dir, capsys):
    assert main(["validate", "--videos", str(video_dir)]) == 1
    out = capsys.readouterr().out
    assert f"error: {video_dir / 'broken.mp4'}: video: cannot read" in out
    assert "3 videos, 3 present, 0 missing, 1 unreadable: 1 error(s)" in out


def test_validate_annotations_against_videos(video_dir, tmp_path, capsys):
    """Absent videos are 'missing-video' warnings, a few named and the rest counted; a present video
    that does not decode stays an 'unreadable-video' error."""
    listing = tmp_path / "list.txt"
    listing.write_text("a.mp4 0\nsub/b.mp4 1\n" + "".join(f"gone{i}.mp4 0\n" for i in range(8)))
    assert main(["validate", str(listing), "--from", "mmaction", "--videos", str(video_dir), "--show", "3",
                 "--list-missing", str(tmp_path / "missing.txt")]) == 0
    out = capsys.readouterr().out
    assert f"warning: {video_dir / 'gone0.mp4'}: video: absent (not downloaded?)" in out
    assert out.count("absent (not downloaded?)") == 3 and "... and 5 more 'missing-video' warnings" in out
    assert "10 videos, 2 present, 8 missing, 0 unreadable" in out and "unreadable-video" not in out
    assert "a.mp4: video" not in out
    assert (tmp_path / "missing.txt").read_text().split() == [str(video_dir / f"gone{i}.mp4") for i in range(8)]
    listing.write_text("a.mp4 0\nbroken.mp4 0\ngone.mp4 0\n")
    assert main(["validate", str(listing), "--from", "mmaction", "--videos", str(video_dir)]) == 1
    out = capsys.readouterr().out
    assert "error: " in out and "broken.mp4: video: cannot read" in out and "missing-video" in out


def test_preprocess_reencodes_and_writes_metadata(video_dir, tmp_path):
    out_dir = tmp_path / "pre"
    assert main(["preprocess", str(video_dir), str(out_dir), "--short-side", "48", "--fps", "5",
                 "--gop", "10", "--workers", "1"]) == 0
    meta = pd.read_csv(out_dir / "meta.csv").set_index("video_id")
    assert (meta.loc["a"].width, meta.loc["a"].height, meta.loc["a"].fps) == (80, 48, 5.0)
    assert meta.loc["a"].duration == pytest.approx(2.0, abs=0.25)  # annotation times stay valid
    assert open_video(out_dir / "sub" / "b.mp4", cache=False).keyframes.tolist()[:2] == [0, 10]
    assert not (out_dir / "broken.mp4").exists() and not list(out_dir.rglob(".*.tmp"))
    # resumable: existing outputs are not encoded again
    stamp = os.stat(out_dir / "a.mp4").st_mtime_ns
    assert main(["preprocess", str(video_dir), str(out_dir), "--short-side", "48", "--workers", "1"]) == 0
    assert os.stat(out_dir / "a.mp4").st_mtime_ns == stamp


def test_preprocess_default_is_laid_out_for_random_access(tmp_path):
    """By default a keyframe every 2 s whatever the frame rate, and every B-frame a non-reference frame
    (no B-pyramid), so a reader skips each B-frame nobody asked for: checked on a real sample clip."""
    import av
    import av.video.frame

    sample = Path(__file__).resolve().parents[3] / "shared" / "sample_videos" / "bigbuckbunny.mp4"
    if not sample.exists():
        pytest.skip(f"{sample} not present")
    (tmp_path / "src").mkdir()
    os.symlink(sample, tmp_path / "src" / "clip.mp4")
    for fps in (25, 10):
        out = tmp_path / f"out{fps}"
        preprocess_module.preprocess(tmp_path / "src", out, short_side=96, fps=fps, workers=1, progress=False)
        reader = open_video(out / "clip.mp4", "pyav", cache=False)
        assert reader.frame_times[reader.keyframes].tolist()[:3] == pytest.approx([0.0, 2.0, 4.0])
        counts = {}
        for skip in ("DEFAULT", "NONREF"):
            with av.open(str(out / "clip.mp4")) as container:
                stream = container.streams.video[0]
                stream.codec_context.skip_frame = skip
                counts[skip] = [int(frame.pict_type) for frame in container.decode(stream)]
        bidir = counts["DEFAULT"].count(int(av.video.frame.PictureType.B))
        assert bidir > 0.1 * len(counts["DEFAULT"])  # the encoder does use B-frames ...
        assert len(counts["NONREF"]) == len(counts["DEFAULT"]) - bidir  # ... and none is a reference


def test_preprocess_refuses_a_negative_keyframe_interval(video_dir, tmp_path, capsys):
    for verb in (["preprocess", str(video_dir), str(tmp_path / "out")],
                 ["prepare", str(tmp_path / "a.json"), "--from", "canonical", "--videos", str(video_dir),
                  "-o", str(tmp_path / "out")]):
        with pytest.raises(SystemExit) as stop:
            main([*verb, "--gop", "-5"])
        assert stop.value.code == 2
        message = "argument --gop: must be 0 (the encoder's choice) or a number of frames, not -5"
        assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_preprocess_without_ffmpeg_says_so(video_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(preprocess_module.shutil, "which", lambda name: None)
    monkeypatch.setitem(__import__("sys").modules, "imageio_ffmpeg", None)
    assert main(["preprocess", str(video_dir), str(tmp_path / "out")]) == 1
    assert "error: ffmpeg not found" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_reader_cache_survives_fork(tmp_path):
    """A forked child starts with an empty cache and can read (DataLoader workers)."""
    path = make_video(tmp_path / "a.mp4", num_frames=20)
    open_video(path).get_frames([3])  # the parent holds an open reader
    pid = os.fork()
    if pid == 0:  # child
        try:
            frames = open_video(path).get_frames([5])
            os._exit(0 if frames.shape[0] == 1 else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
