"""tools/extract_features.py on made videos with the demo's ResNet-18 (random init)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from videokit.engine.extract import main
from videokit.features.extraction import resample

from ..conftest import ROOT
from ..videos import make_video

CONFIG = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")


def setup_videos(tmp_path):
    make_video(tmp_path / "a.mp4", num_frames=50, fps=10, gop=10, width=80, height=64)
    make_video(tmp_path / "b.mp4", num_frames=30, fps=10, gop=10, width=80, height=64)
    listing = tmp_path / "videos.txt"
    listing.write_text("a.mp4 0\nb.mp4 1\nmissing.mp4 0\n")
    taxonomy = tmp_path / "taxonomy.csv"
    taxonomy.write_text("level,id,name,abbrev,group,parents,names\nprocedure,0,p,,,,{}\naction,0,a,,,0,{}\n")
    return listing, taxonomy


def run(tmp_path, listing, taxonomy, *extra):
    return main([CONFIG, "none", "--annotations", str(listing), "--ann-format", "mmaction", "--video-root",
                 str(tmp_path), "--out", str(tmp_path / "feats"), "--window", "10", "--stride", "5",
                 "--frames-per-window", "4", "--size", "32", *extra])


def test_features_sidecar_and_resume(tmp_path, monkeypatch, capsys):
    listing, taxonomy = setup_videos(tmp_path)
    monkeypatch.setenv("VIDEOKIT_DEMO_ROOT", str(tmp_path))  # the config's taxonomy file
    (tmp_path / "converted").mkdir()
    (tmp_path / "converted" / "taxonomy.csv").write_text(taxonomy.read_text())
    assert run(tmp_path, listing, taxonomy) == 0
    a = np.load(tmp_path / "feats" / "a.npy")
    assert a.shape == (9, 512) and a.dtype == np.float32  # windows start at 0, 5, ..., 40
    meta = json.loads((tmp_path / "feats" / "a.json").read_text())
    assert (meta["fps"], meta["window"], meta["stride"], meta["feature_dim"]) == (10.0, 10, 5, 512)
    assert meta["times"][:2] == [0.5, 1.0] and meta["backbone"] == "ResNet"
    assert np.load(tmp_path / "feats" / "b.npy").shape == (5, 512)
    captured = capsys.readouterr()
    assert "1 of 3 videos absent" in captured.err and "missing file" not in captured.err
    assert (tmp_path / "feats" / "missing_videos.txt").read_text().split() == [str(tmp_path / "missing.mp4")]
    assert "2 extracted, 0 already there, 0 unreadable, 1 absent" in captured.out
    assert run(tmp_path, listing, taxonomy, "--missing", "error") == 1
    assert "1 of 3 videos absent: missing.mp4" in capsys.readouterr().err
    stamp = (tmp_path / "feats" / "a.npy").stat().st_mtime_ns
    assert run(tmp_path, listing, taxonomy, "--fixed-length", "100", "--float16") == 0
    assert (tmp_path / "feats" / "a.npy").stat().st_mtime_ns == stamp  # resumed: not extracted again


def test_fixed_length_and_half_precision(tmp_path, monkeypatch):
    listing, taxonomy = setup_videos(tmp_path)
    monkeypatch.setenv("VIDEOKIT_DEMO_ROOT", str(tmp_path))
    (tmp_path / "converted").mkdir()
    (tmp_path / "converted" / "taxonomy.csv").write_text(taxonomy.read_text())
    assert run(tmp_path, listing, taxonomy, "--fixed-length", "100", "--float16") == 0
    a = np.load(tmp_path / "feats" / "a.npy")
    assert a.shape == (100, 512) and a.dtype == np.float16


def test_resample_is_linear_in_time():
    feats = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0]])
    out = resample(feats, 5)
    assert np.allclose(out[:, 0], [0, 0.5, 1, 1.5, 2]) and np.allclose(out[:, 1], [10, 15, 20, 25, 30])


def test_tools_script_help():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "extract_features.py"), "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "--fixed-length" in result.stdout


def test_3d_backbone_features(tmp_path):
    listing, _ = setup_videos(tmp_path)
    config = str(ROOT / "configs" / "nurvid" / "x3d_s_13x6x1_trimmed-action.py")
    assert main([config, "none", "--annotations", str(listing), "--ann-format", "mmaction", "--video-root",
                 str(tmp_path), "--out", str(tmp_path / "f3d"), "--window", "16", "--stride", "16",
                 "--frames-per-window", "4", "--size", "32"]) == 0
    feats = np.load(tmp_path / "f3d" / "a.npy")
    assert feats.shape == (3, 432)  # X3D-S: 432 channels; windows at 0, 16, 32
    assert np.isfinite(feats).all()


def test_malformed_annotations_are_one_error_and_no_output(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("a.mp4 one\n")
    assert main([CONFIG, "none", "--annotations", str(bad), "--ann-format", "mmaction",
                 "--out", str(tmp_path / "feats")]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bad.txt:line 1: label: expected an integer" in errors[0]
    assert not (tmp_path / "feats").exists()


def test_a_video_root_holding_none_of_the_videos_is_an_error_naming_the_option(tmp_path, monkeypatch, capsys):
    """Without --video-root (or with a wrong one) nothing could be extracted: one error, not an empty success."""
    listing, taxonomy = setup_videos(tmp_path)
    monkeypatch.setenv("VIDEOKIT_DEMO_ROOT", str(tmp_path))
    (tmp_path / "converted").mkdir()
    (tmp_path / "converted" / "taxonomy.csv").write_text(taxonomy.read_text())
    code = main([CONFIG, "none", "--annotations", str(listing), "--ann-format", "mmaction", "--video-root",
                 str(tmp_path / "elsewhere"), "--out", str(tmp_path / "feats")])
    assert code == 1
    err = capsys.readouterr().err
    assert "none of its 3 videos is under" in err and "--video-root" in err
