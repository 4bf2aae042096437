"""``videokit predict`` on made demo videos (random-init demo recognizer and detector, CPU): the JSON
is canonical (JSON Schema + reader + validation), the timeline PNG is written, errors are one line."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import videokit
from videokit.annotations import read_annotations, validate
from videokit.cli import main
from videokit.engine.extract import main as extract_main

from ..conftest import ROOT

RECOGNIZER = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")
DETECTOR = str(ROOT / "configs" / "demo" / "conv_r18_step-detection.py")
SCHEMA = Path(videokit.__file__).parent / "annotations" / "formats" / "canonical.schema.json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_prediction(json_path: Path, png_path: Path) -> dict:
    data = json.loads(json_path.read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    annotations = read_annotations(json_path, "canonical")  # converts like any annotation
    assert validate(annotations).ok
    assert png_path.read_bytes()[:8] == PNG_MAGIC
    return data


def test_predict_writes_a_canonical_timeline_and_a_png(demo_env, tmp_path, capsys):
    video = demo_env / "videos" / "demo_0_00.mp4"
    out = tmp_path / "pred"
    assert main(["predict", str(video), "--config", RECOGNIZER, "--checkpoint", "none", "-o", str(out),
                 "--gt", str(demo_env / "converted" / "demo.canonical.json"), "--threshold", "0",
                 "--no-progress", "--subtitles"]) == 0
    data = check_prediction(out.with_suffix(".json"), out.with_suffix(".png"))
    cues = out.with_suffix(".vtt").read_text().split("\n\n")  # the timeline as subtitles beside the JSON
    assert cues[0] == "WEBVTT" and " --> " in cues[1] and " › " in cues[1]
    (record,) = data["videos"]
    assert record["id"] == "demo_0_00" and len(record["labels"]) == 1
    assert set(record["attrs"]["scores"]) <= {"Hand Hygiene", "Wound Dressing", "IV Infusion"}
    steps = [s for s in record["segments"] if s["level"] == "action"]
    assert steps and all(0 <= s["attrs"]["score"] <= 1 for s in steps)
    # threshold 0: every second is some step; hierarchy: every step belongs to the predicted procedure
    assert steps[0]["start"] == 0 and abs(steps[-1]["end"] - record["duration"]) < 1e-3
    assert all(s["label"] // 4 == record["labels"][0] for s in steps)
    printed = capsys.readouterr().out
    assert "real-time factor" in printed and "x (" in printed


def test_predict_with_a_detector_uses_the_training_feature_spec(demo_env, tmp_path):
    features = demo_env / "features"
    assert extract_main([RECOGNIZER, "none", "--annotations", str(demo_env / "converted" / "demo.canonical.json"),
                         "--video-root", str(demo_env / "videos"), "--out", str(features), "--window", "8",
                         "--stride", "4", "--frames-per-window", "4", "--size", "64"]) == 0
    sidecar = json.loads(next(features.glob("*.json")).read_text())
    assert sidecar["size"] == 64  # predict cuts windows the same way
    out = tmp_path / "det"
    assert main(["predict", str(demo_env / "videos" / "demo_1_00.mp4"), "--config", RECOGNIZER, "--checkpoint",
                 "none", "--detector-config", DETECTOR, "--detector-checkpoint", "none",
                 "--detection-threshold", "0", "--min-length", "0", "-o", str(out), "--no-progress"]) == 0
    data = check_prediction(out.with_suffix(".json"), out.with_suffix(".png"))
    (record,) = data["videos"]
    assert record["attrs"]["predicted_by"]["detector_level"] == "action"
    steps = sorted((s["start"], s["end"]) for s in record["segments"] if s["level"] == "action")
    assert steps and all(a[1] <= b[0] + 1e-6 for a, b in zip(steps, steps[1:]))  # a timeline: no overlaps


def test_predict_on_a_real_sample_video(demo_env, tmp_path):
    from ..conftest import SAMPLE_VIDEOS

    video = SAMPLE_VIDEOS / "bikes.mp4"
    if not video.exists():
        pytest.skip("sample videos not found")
    out = tmp_path / "bikes"
    assert main(["predict", str(video), "--config", RECOGNIZER, "--checkpoint", "none", "-o", str(out),
                 "--no-progress"]) == 0
    check_prediction(out.with_suffix(".json"), out.with_suffix(".png"))


def test_predict_errors_are_one_line(demo_env, tmp_path, capsys):
    video = str(demo_env / "videos" / "demo_0_00.mp4")
    with pytest.raises(SystemExit, match="no such video file"):
        main(["predict", str(tmp_path / "missing.mp4"), "--config", RECOGNIZER, "--checkpoint", "none"])
    assert main(["predict", video, "--config", RECOGNIZER, "--checkpoint", "none", "-o", str(tmp_path / "x"),
                 "--gt", str(demo_env / "converted" / "demo.canonical.json"), "--gt-video", "nope"]) == 1
    assert "video nope: id: no such video" in capsys.readouterr().err
    assert not list(tmp_path.glob("x*"))  # nothing written
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    with pytest.raises(SystemExit, match="broken.mp4"):
        main(["predict", str(broken), "--config", RECOGNIZER, "--checkpoint", "none", "-o", str(tmp_path / "b")])
    assert not list(tmp_path.glob("b.*"))
    with pytest.raises(SystemExit, match="go together"):
        main(["predict", video, "--config", RECOGNIZER, "--checkpoint", "none", "--detector-config", DETECTOR])
