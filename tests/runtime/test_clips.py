"""The runtime's test pipeline (numpy + OpenCV, from the manifest) gives the network exactly the inputs the full
install's mmaction2 pipeline and data preprocessor give it: stock configs of each layout, a real sample clip."""
from __future__ import annotations

import numpy as np
import pytest

from videokit.deploy.manifest import recognizer_manifest
from videokit.inference.assemble import window_grid
from videokit.inference.recognize import TrainedRecognizer, preprocessed_clips
from videokit.runtime import ClipPipeline, ModelFileError
from videokit.video import open_video, read_frames

from ..conftest import SAMPLE_VIDEOS

STOCK = ["nurvid/tsm_r50_1x1x8_trimmed-action",  # short side 256, centre crop 224, NCHW
         "nurvid/i3d_r50_32x2x1_trimmed-action",  # dense clips, NCTHW
         "nurvid/x3d_s_13x6x1_trimmed-procedure"]  # another normalisation


@pytest.mark.parametrize("config", STOCK)
def test_the_runtime_pipeline_makes_the_full_installs_inputs(config):
    video = SAMPLE_VIDEOS / "bikes.mp4"
    if not video.exists():
        pytest.skip("sample videos not found")
    recognizer = TrainedRecognizer.from_files(config, None)
    manifest = recognizer_manifest(recognizer.cfg, recognizer.model, recognizer.taxonomy, recognizer.levels, None,
                                   4.0, 3.0)
    want = preprocessed_clips(recognizer, str(video), 4.0, 3.0)
    pipeline = ClipPipeline(manifest)
    reader = open_video(video, cache=False)
    got = []
    for start, end in window_grid(float(reader.duration), 4.0, 3.0):
        frames = read_frames(video, pipeline.frame_indices(start, end, reader), cache=False)
        got.append(pipeline.normalise([pipeline.transform(frames)])[0])
    assert len(got) == len(want)
    for mine, theirs in zip(got, want):
        assert mine.shape == theirs.shape and np.array_equal(mine, theirs)


def test_a_pipeline_step_the_runtime_cannot_reproduce_is_refused_with_its_name():
    with pytest.raises(ModelFileError, match="ThreeCrop"):
        ClipPipeline({"unsupported": ["ThreeCrop"], "sampling": {}, "transforms": [], "preprocessor": {}})
