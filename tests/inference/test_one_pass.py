"""One decoding pass per video: every window's frames equal the per-window decode, the reader never goes back, memory
holds a few windows; and the scores of a model through the one-pass path equal the per-window pipeline's (the demo
recognizer and a stock TSM-R50, random weights, on a real sample clip)."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.inference import PredictOptions, TrainedRecognizer, predict_video, window_grid, window_scores
from videokit.video import open_video, read_frames
from videokit.video.windows import decode_windows

from ..conftest import ROOT, SAMPLE_VIDEOS
from ..videos import make_video

DEMO = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")
TSM = "nurvid/tsm_r50_1x1x8_trimmed-action"


class Recording:
    """A reader that records what it is asked for."""

    def __init__(self, reader) -> None:
        self.reader, self.calls = reader, []

    def get_frames(self, indices):
        self.calls.append(np.asarray(indices).tolist())
        return self.reader.get_frames(indices)


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("one_pass") / "v.mp4", num_frames=240, fps=24, gop=24, bframes=2)


def test_every_window_gets_exactly_its_frames_from_one_forward_pass(video):
    rng = np.random.default_rng(0)
    windows = []
    for start in range(0, 220, 12):  # overlapping windows, unsorted picks, repeats, one window of one frame
        picks = rng.integers(start, start + 20, size=6)
        windows.append(picks)
    windows.append(np.array([230]))
    reader = Recording(open_video(video, cache=False))
    got = dict(decode_windows(reader, windows, chunk=8))
    for k, window in enumerate(windows):
        assert np.array_equal(got[k], read_frames(video, window, cache=False)), k
    asked = [i for call in reader.calls for i in call]
    assert asked == sorted(set(asked)) == sorted(set(np.concatenate(windows).tolist()))  # once each, in order


def test_frames_are_dropped_once_no_later_window_needs_them(video):
    windows = [np.arange(s, s + 12) for s in range(0, 228, 6)]
    reader = open_video(video, cache=False)
    held = []
    stream = decode_windows(reader, windows, chunk=8)
    for k, frames in stream:
        held.append(stream.gi_frame.f_locals["store"].__len__())
    assert max(held) <= 12 + 8 + 6  # a window, a chunk ahead, the overlap: never the whole video (228 frames)


@pytest.mark.parametrize("config", [DEMO, TSM])
def test_one_pass_scores_equal_the_per_window_pipeline(config, demo_env):
    video = SAMPLE_VIDEOS / "bikes.mp4"
    if not video.exists():
        pytest.skip("sample videos not found")
    recognizer = TrainedRecognizer.from_files(config, None, device="cpu")
    grid = window_grid(10.0, 2.0, 1.0 if config == DEMO else 4.0)
    one = window_scores(recognizer, str(video), grid[:, 0], grid[:, 1], batch_size=2, one_pass=True)
    each = window_scores(recognizer, str(video), grid[:, 0], grid[:, 1], batch_size=2, one_pass=False)
    assert one.keys() == each.keys()
    for level in one:
        assert one[level].shape == each[level].shape
        assert np.abs(one[level] - each[level]).max() <= 1e-5, level


def test_predict_video_is_the_same_timeline_by_either_path(demo_env):
    video = SAMPLE_VIDEOS / "bikes.mp4"
    if not video.exists():
        pytest.skip("sample videos not found")
    recognizer = TrainedRecognizer.from_files(DEMO, None, device="cpu")
    one = predict_video(str(video), recognizer, options=PredictOptions(threshold=0.0, min_length=0.0),
                        progress=False)
    each = predict_video(str(video), recognizer, options=PredictOptions(threshold=0.0, min_length=0.0,
                                                                        one_pass=False), progress=False)
    assert one.video.to_dict()["segments"] == each.video.to_dict()["segments"]
    assert one.video.labels == each.video.labels
