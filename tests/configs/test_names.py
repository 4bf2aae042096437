"""Stock config names read as mmaction2's (clip_len x frame_interval x num_clips); the older order still resolves."""
import re

import pytest

from videokit import configs


def test_clip_settings_in_mmaction2s_order():
    """The 2D TSN-style models (TSN, TSM, the multi-level heads on them) sample N one-frame segments: 1x1xN."""
    for name in configs.names():
        clip = re.search(r"_(\d+)x(\d+)x(\d+)_", name)
        if clip and re.search(r"/(multilevel_)?(tsn|tsm|r18)|multilevel_r18", name):
            assert clip.group(1) == "1" and clip.group(2) == "1" and int(clip.group(3)) > 1, name


def test_an_older_name_resolves_with_a_warning():
    with pytest.warns(DeprecationWarning, match="nurvid/tsm_r50_1x1x8_trimmed-action"):
        path = configs.resolve("configs/nurvid/tsm_r50_8x1x1_trimmed-action.py")
    assert path.endswith("videokit/configs/nurvid/tsm_r50_1x1x8_trimmed-action.py")
    with pytest.raises(configs.ConfigNotFound, match="did you mean"):
        configs.resolve("nurvid/tsm_r50_8x1x1_trimed-procedure")
