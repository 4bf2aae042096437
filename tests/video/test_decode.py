"""Every backend returns exactly the frames a sequential decode gives, for any index order."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.video import BrokenVideoError, check_video, open_video, probe, read_frames

from ..conftest import SAMPLE_VIDEOS
from ..videos import frame_index, make_video, sequential_frames

BACKENDS = ["pyav", "decord"]
#: decord and PyAV both convert YUV -> RGB with FFmpeg's swscale; they agree exactly here, but other
#: builds may differ by rounding: frames are compared up to this many grey levels
TOLERANCE = 3


def sample_videos():
    if not SAMPLE_VIDEOS.is_dir():
        pytest.skip("sample videos not found")
    return sorted(SAMPLE_VIDEOS.glob("*.mp4"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_h264_equals_sequential_decode(backend):
    rng = np.random.default_rng(0)
    for path in sample_videos():
        reference = sequential_frames(path)
        reader = open_video(path, backend, cache=False)
        assert reader.num_frames == len(reference)
        indices = np.concatenate([[0, len(reference) - 1], rng.integers(0, len(reference), 12)])
        frames = read_frames(path, indices, backend, reader=reader)
        diff = np.abs(frames.astype(int) - reference[indices].astype(int))
        assert diff.max() <= TOLERANCE, (path.name, diff.max())


@pytest.mark.parametrize("backend", BACKENDS)
def test_made_video_frames_are_the_asked_ones(tmp_path, backend):
    path = make_video(tmp_path / "gop.mp4", num_frames=120, gop=25, bframes=3)
    reader = open_video(path, backend, cache=False)
    assert reader.num_frames == 120 and reader.fps == pytest.approx(25)
    assert reader.keyframes.tolist() == [0, 25, 50, 75, 100]
    for indices in ([5, 3, 3, 119, 0, 64], list(range(119, -1, -7)), [26, 27, 28, 24, 25, 50]):
        frames = read_frames(path, indices, backend, reader=reader)
        assert [frame_index(f) for f in frames] == list(indices)


def test_variable_frame_rate_times(tmp_path):
    times = [0.04 * i if i < 20 else 0.8 + 0.1 * (i - 20) for i in range(40)]
    path = make_video(tmp_path / "vfr.mp4", num_frames=40, times=times)
    for backend in BACKENDS:
        reader = open_video(path, backend, cache=False)
        assert np.allclose(reader.frame_times, times, atol=1e-3)
        frames = read_frames(path, [0, 19, 20, 39], backend, reader=reader)
        assert [frame_index(f) for f in frames] == [0, 19, 20, 39]


def test_reader_cache_reuses_open_readers(tmp_path):
    path = make_video(tmp_path / "a.mp4", num_frames=10)
    assert open_video(path) is open_video(path)
    assert open_video(path, "decord") is not open_video(path)


def truncated_copy(source, target, keep=0.5):
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


@pytest.mark.parametrize("backend", BACKENDS)
def test_broken_files_raise_one_clear_error(tmp_path, backend):
    good = make_video(tmp_path / "good.mp4", num_frames=100, gop=10)
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mp4").write_text("not a video at all")
    truncated_copy(good, tmp_path / "cut.mp4", 0.4)  # faststart: header intact, frames cut
    cases = {"missing.mp4": "missing file", "empty.mp4": "empty file", "text.mp4": "cannot read"}
    for name, reason in cases.items():
        with pytest.raises(BrokenVideoError, match=reason) as info:
            read_frames(tmp_path / name, [0], backend, cache=False)
        assert info.value.path.endswith(name)
    with pytest.raises(BrokenVideoError, match="cut.mp4"):
        read_frames(tmp_path / "cut.mp4", [0, 99], backend, cache=False)


def test_check_video_and_probe(tmp_path):
    good = make_video(tmp_path / "good.mp4", num_frames=50, fps=10, width=160, height=96)
    assert check_video(good) is None
    assert "truncated" in check_video(truncated_copy(good, tmp_path / "cut.mp4", 0.5))
    assert check_video(tmp_path / "nope.mp4") == "missing file"
    info = probe(good)
    assert (info.num_frames, info.fps, info.width, info.height, info.codec) == (50, 10.0, 160, 96, "h264")
    assert info.duration == pytest.approx(5.0)
    assert probe(tmp_path / "nope.mp4").error == "missing file"


def test_skipping_unwanted_frames_keeps_pixels_exact(tmp_path):
    """PyAV decodes packets nobody asked for with non-reference frames skipped; what it returns is
    still pixel-identical to a sequential decode, for any mix of continuing and seeking."""
    path = make_video(tmp_path / "b.mp4", num_frames=150, gop=50, bframes=3)
    reference = sequential_frames(path)
    reader = open_video(path, "pyav", cache=False)
    rng = np.random.default_rng(4)
    for _ in range(25):
        indices = np.sort(rng.choice(150, size=int(rng.integers(1, 10)), replace=False))
        assert np.array_equal(reader.get_frames(indices), reference[indices])
    plain = open_video(path, "pyav", cache=False)
    plain.skip_unwanted = False
    assert np.array_equal(plain.get_frames([1, 2, 3, 77]), reference[[1, 2, 3, 77]])



def test_mixing_backends_in_one_process_warns_once(tmp_path, monkeypatch):
    """decord's and PyAV's FFmpeg builds conflict in one process (PyAV reads then leak ~1 GB each):
    videokit says so once, the first time a process opens both."""
    from videokit.video import decode

    path = make_video(tmp_path / "v.mp4", num_frames=20)
    monkeypatch.setattr(decode, "_OPENED", set())
    monkeypatch.delattr(decode._note_backend, "warned", raising=False)
    open_video(path, "pyav", cache=False).close()
    with pytest.warns(RuntimeWarning, match="one video backend per process"):
        open_video(path, "decord", cache=False)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        open_video(path, "decord", cache=False)  # once only
