"""Extraction at dataset scale: DataLoader workers, torchrun shards, bounded memory on a long video,
resume after a kill (the demo's ResNet-18, random init, seeded)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from videokit.engine.extract import main

from ..conftest import ROOT
from ..videos import make_video

CONFIG = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")
SCRIPT = str(ROOT / "tools" / "extract_features.py")
WINDOWS = ["--window", "10", "--stride", "5", "--frames-per-window", "4", "--size", "32", "--no-progress"]


@pytest.fixture
def videos(tmp_path, monkeypatch):
    for i, frames in enumerate((60, 45, 80, 30)):
        make_video(tmp_path / f"v{i}.mp4", num_frames=frames, fps=10, gop=10, width=80, height=64)
    data = (tmp_path / "v2.mp4").read_bytes()
    (tmp_path / "broken.mp4").write_bytes(data[: len(data) // 3])  # truncated: counted, never a crash
    listing = tmp_path / "videos.txt"
    listing.write_text("".join(f"v{i}.mp4 0\n" for i in range(4)) + "broken.mp4 0\nabsent.mp4 0\n")
    monkeypatch.setenv("VIDEOKIT_DEMO_ROOT", str(tmp_path))  # the demo config's taxonomy file
    (tmp_path / "converted").mkdir()
    (tmp_path / "converted" / "taxonomy.csv").write_text(
        "level,id,name,abbrev,group,parents,names\nprocedure,0,p,,,,{}\naction,0,a,,,0,{}\n")
    return tmp_path, listing


def arguments(root, listing, out):
    return [CONFIG, "none", "--annotations", str(listing), "--ann-format", "mmaction", "--video-root", str(root),
            "--out", str(out), *WINDOWS]


def features(folder):
    return {p.stem: (np.load(p), json.loads(p.with_suffix(".json").read_text())["times"])
            for p in sorted(folder.glob("*.npy"))}


def assert_same(a, b):
    assert sorted(a) == sorted(b) == ["v0", "v1", "v2", "v3"]
    for key in a:
        assert a[key][0].shape == b[key][0].shape and a[key][1] == b[key][1]
        np.testing.assert_allclose(a[key][0], b[key][0], rtol=1e-4, atol=1e-5)


def test_workers_write_the_features_of_one_process(videos, capsys):
    root, listing = videos
    assert main(arguments(root, listing, root / "one") + ["--batch-size", "3"]) == 0
    assert main(arguments(root, listing, root / "workers") + ["--batch-size", "3", "--workers", "2"]) == 0
    assert_same(features(root / "one"), features(root / "workers"))
    out = capsys.readouterr()
    assert out.out.count("4 extracted, 0 already there, 1 unreadable, 1 absent") == 2
    assert "broken.mp4" in out.err


def test_two_torchrun_ranks_write_the_features_of_one_process(videos):
    root, listing = videos
    assert main(arguments(root, listing, root / "one")) == 0
    env = dict(os.environ, PYTHON=sys.executable, PORT="29543")
    result = subprocess.run(["bash", str(ROOT / "tools" / "dist_extract_features.sh"), CONFIG, "none", "2",
                             *arguments(root, listing, root / "ranks")[2:]],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert_same(features(root / "one"), features(root / "ranks"))
    summaries = [line for line in result.stdout.splitlines() if line.startswith("features in")]
    assert len(summaries) == 1  # one summary, every rank's counts
    assert summaries[0].startswith(f"features in {root / 'ranks'}: 4 extracted, 0 already there, 1 unreadable, "
                                   "1 absent (2 ranks); ") and "windows/s" in summaries[0]


def peak_rss_mb(root, listing, out, *extra):
    code = ("import resource, sys; from videokit.engine.extract import main; rc = main(sys.argv[1:]); "
            "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024); sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, *arguments(root, listing, out), *extra],
                            env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return int(result.stdout.split("PEAK")[1].split()[0])


@pytest.mark.slow
def test_long_video_is_extracted_in_bounded_memory(tmp_path, monkeypatch):
    """A 10-min video (15,000 frames of 160x120: 864 MB decoded, held whole it would be 6x the margin) peaks within
    150 MB of a 20-s one."""
    shape = dict(fps=25, gop=250, width=160, height=120, bframes=0, preset="ultrafast")  # 6 s to encode, not 14
    make_video(tmp_path / "long.mp4", num_frames=15000, **shape)
    make_video(tmp_path / "short.mp4", num_frames=500, **shape)
    monkeypatch.setenv("VIDEOKIT_DEMO_ROOT", str(tmp_path))
    (tmp_path / "converted").mkdir()
    (tmp_path / "converted" / "taxonomy.csv").write_text(
        "level,id,name,abbrev,group,parents,names\nprocedure,0,p,,,,{}\naction,0,a,,,0,{}\n")
    (tmp_path / "long.txt").write_text("long.mp4 0\n")
    (tmp_path / "short.txt").write_text("short.mp4 0\n")
    stride = ["--window", "100", "--stride", "100"]
    short = peak_rss_mb(tmp_path, tmp_path / "short.txt", tmp_path / "fs", *stride)
    long = peak_rss_mb(tmp_path, tmp_path / "long.txt", tmp_path / "fl", *stride)
    assert np.load(tmp_path / "fl" / "long.npy").shape == (150, 512)
    assert long - short < 150, (short, long)


@pytest.mark.slow
def test_resume_after_a_kill_ends_with_the_features_of_an_uninterrupted_run(videos):
    root, listing = videos
    for i in range(4, 10):  # enough work that the kill lands mid-run
        make_video(root / f"v{i}.mp4", num_frames=400, fps=10, gop=10, width=80, height=64)
    listing.write_text("".join(f"v{i}.mp4 0\n" for i in range(10)))
    assert main(arguments(root, listing, root / "whole")) == 0
    command = [sys.executable, SCRIPT, *arguments(root, listing, root / "killed"), "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while not list((root / "killed").glob("*.json")) and time.time() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the DataLoader worker too
    process.wait()
    done = sorted(p.stem for p in (root / "killed").glob("*.json"))
    assert 1 <= len(done) < 10  # killed mid-run; a half-written file never has its sidecar
    for stem in done:
        assert np.load(root / "killed" / f"{stem}.npy").shape == np.load(root / "whole" / f"{stem}.npy").shape
    assert main(arguments(root, listing, root / "killed")) == 0
    whole, resumed = features(root / "whole"), features(root / "killed")
    assert sorted(whole) == sorted(resumed) == sorted(f"v{i}" for i in range(10))
    for key in whole:
        assert whole[key][1] == resumed[key][1]
        np.testing.assert_allclose(whole[key][0], resumed[key][0], rtol=1e-4, atol=1e-5)


def test_passive_openmp_on_the_cpu_only(monkeypatch):
    """tools/extract_features.py sets OMP_WAIT_POLICY=PASSIVE before torch loads, only where the model
    shares the CPU; never over the user's own choice."""
    from videokit.utils.openmp import prefer_passive_openmp

    monkeypatch.delitem(sys.modules, "torch")  # as in a fresh interpreter (restored after the test)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    for argv in (["c", "none", "--device", "cuda:0"], ["--workers", "2", "--device=cuda"]):
        assert not prefer_passive_openmp(argv) and "OMP_WAIT_POLICY" not in os.environ
    assert prefer_passive_openmp(["c", "none", "--workers=2", "--device", "cpu"])
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert not prefer_passive_openmp(["c", "none"]) and os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
    monkeypatch.delenv("OMP_WAIT_POLICY")
    monkeypatch.setitem(sys.modules, "torch", object())  # too late once torch is loaded
    assert not prefer_passive_openmp(["c", "none"]) and "OMP_WAIT_POLICY" not in os.environ


def test_tool_sets_the_policy_before_torch_loads(tmp_path):
    code = ("import runpy, sys, os; sys.argv = ['x', '--help', '--workers', '1', '--device', 'cpu'];\n"
            "try:\n    runpy.run_path(%r, run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('policy', os.environ.get('OMP_WAIT_POLICY'))" % SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "policy PASSIVE" in done.stdout, done.stderr[-2000:]
