"""Damaged videos cost only their damaged stretch: mutations of a real sample clip (zeroed and flipped bytes in the
middle, junk appended, cut short, overwritten throughout, a zeroed header) through ``videokit predict`` (PyTorch and a
model file) and ``videokit probe``: a timeline (with the unreadable seconds named) or one clean error per file,
never a crash, a hang or a traceback; the probe of a folder holding them all goes on past each."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from videokit.cli import main
from videokit.inference import PredictOptions, TrainedRecognizer, predict_video
from videokit.video import BrokenVideoError, probe_folder

from ..conftest import ROOT, SAMPLE_VIDEOS

DEMO = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")


def mutations(clip: bytes) -> dict:
    rng = np.random.default_rng(0)
    size = len(clip)
    middle = bytearray(clip)
    middle[size // 2: size // 2 + size // 40] = bytes(size // 40)  # a zeroed stretch in the middle
    flipped = bytearray(clip)
    for at in rng.integers(size // 3, 2 * size // 3, 60):
        flipped[at] ^= 0xFF
    throughout = bytearray(clip)
    for at in range(4096, size, 1024):
        throughout[at:at + 16] = rng.integers(0, 256, 16, dtype=np.uint8).tobytes()
    header = bytearray(clip)
    header[:4096] = bytes(4096)
    return {"intact": clip, "zeroed middle": bytes(middle), "flipped bytes": bytes(flipped),
            "junk appended": clip + rng.integers(0, 256, 100_000, dtype=np.uint8).tobytes(),
            "cut at 60%": clip[: int(size * 0.6)], "overwritten throughout": bytes(throughout),
            "zeroed header": bytes(header)}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    clip = SAMPLE_VIDEOS / "bikes.mp4"
    if not clip.exists():
        pytest.skip("sample videos not found")
    folder = tmp_path_factory.mktemp("damaged")
    paths = {}
    for name, data in mutations(clip.read_bytes()).items():
        paths[name] = folder / (name.replace(" ", "_").replace("%", "pc") + ".mp4")
        paths[name].write_bytes(data)
    return paths


def test_prediction_keeps_what_can_be_decoded_or_says_why_not(damaged, demo_env, capsys):
    recognizer = TrainedRecognizer.from_files(DEMO, None, device="cpu")
    options = PredictOptions(threshold=0.0, min_length=0.0)
    table = {}
    for name, path in damaged.items():
        try:
            prediction = predict_video(str(path), recognizer, options=options, progress=False)
        except BrokenVideoError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc), exc
            table[name] = f"clean error: {exc.reason}"
            continue
        video = prediction.video
        lost = video.attrs.get("unreadable", [])
        table[name] = (f"timeline of {video.duration:g} s, {len(video.segments)} segments"
                       + (f", unreadable {lost}" if lost else ""))
        if name == "intact":
            assert not lost
    with capsys.disabled():
        print("\n" + "\n".join(f"  {name:24s} {result}" for name, result in table.items()))
    assert table["intact"].startswith("timeline") and table["junk appended"].startswith("timeline")
    assert table["zeroed header"].startswith("clean error")


def test_the_cli_writes_the_partial_timeline_and_warns_of_the_lost_seconds(damaged, demo_env, tmp_path, capsys):
    """A damaged stretch: exit 0, a timeline whose JSON names the unreadable seconds, one warning line; an
    undecodable file: one error line."""
    for name, path in damaged.items():
        out = tmp_path / name.replace(" ", "_").replace("%", "pc")
        try:
            code = main(["predict", str(path), "--config", DEMO, "--checkpoint", "none", "-o", str(out),
                         "--no-progress"])
        except SystemExit as exc:
            message = str(exc)
            assert message.startswith("error: ") and "\n" not in message and "Traceback" not in message, message
            assert not out.with_suffix(".json").exists()
            continue
        assert code == 0 and out.with_suffix(".json").exists()
        err = capsys.readouterr().err
        if "unreadable" in out.with_suffix(".json").read_text():
            assert "could not be decoded" in err


def test_probe_names_each_unreadable_file_and_goes_on(damaged, tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    for path in damaged.values():
        shutil.copyfile(path, folder / path.name)
    table = probe_folder(folder, tmp_path / "meta.csv", workers=2, progress=False)
    assert len(table) == len(damaged)
    rows = {r["video_id"]: r for r in table.to_dict("records")}
    assert rows["intact"]["num_frames"] == 250 and not isinstance(rows["intact"]["error"], str)
    assert isinstance(rows["zeroed_header"]["error"], str)
    for row in rows.values():  # every row is data or a reason, never a traceback
        assert isinstance(row["error"], str) or row["num_frames"] > 0, row


def test_extraction_goes_past_a_damaged_stretch_and_names_its_windows(damaged, demo_env):
    """Feature extraction of the zeroed-middle clip: every window has a feature row (the lost ones repeat the last
    decoded window's), the lost windows are named; a file that cannot be opened is one error."""
    from videokit.features import FeatureSpec
    from videokit.features.extraction import video_features
    from videokit.inference import load_model

    model, _ = load_model(DEMO, None)
    spec = FeatureSpec(window=16, stride=8, frames_per_window=4, size=64)
    intact = video_features(model, str(damaged["intact"]), spec)
    hurt = video_features(model, str(damaged["zeroed middle"]), spec)
    assert intact["lost"] == [] and hurt["lost"] and len(hurt["features"]) == len(intact["features"])
    kept = [n for n in range(len(intact["features"])) if n not in hurt["lost"]]
    assert np.allclose(hurt["features"][kept[:3]], intact["features"][kept[:3]], atol=1e-5)
    with pytest.raises(BrokenVideoError):
        video_features(model, str(damaged["zeroed header"]), spec)
