"""A user's real path from a partial download: the published NurViD / OphNet annotations, small made videos
under the real ids of a dozen NurViD videos (their real durations and fps) and of four OphNet cases, every
other video absent; `videokit prepare`, then the STOCK configs (only paths and sizes overridden) train and
test through tools/train.py and tools/test.py."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from videokit.annotations import read_annotations, trimmed_segments
from videokit.cli import main as videokit

from .conftest import REAL, ROOT
from .videos import make_video

pytestmark = pytest.mark.slow
NURVID_PRESENT = 12
OPHNET_CASES = ("case_0444", "case_1348", "case_1188", "case_0346")  # two train, one val, one test


def nurvid_download(folder, count=NURVID_PRESENT):
    """The ``count`` shortest NurViD videos, made at their real fps and (truncated) duration + 0.9 s."""
    annotations = read_annotations(REAL / "nurvid", "nurvid")
    chosen = sorted(annotations, key=lambda v: (v.duration, v.video_id))[:count]
    folder.mkdir(parents=True)
    for video in chosen:
        frames = int((video.duration + 0.9) * video.fps)
        make_video(folder / video.path, num_frames=frames, fps=int(video.fps), gop=int(video.fps), width=64,
                   height=48)
    return annotations, chosen


def ophnet_download(folder):
    annotations = read_annotations(REAL / "ophnet", "ophnet")
    folder.mkdir()
    for case in OPHNET_CASES:
        video = annotations.videos[case]
        end = max(s.end for s in video.segments)
        make_video(folder / video.path, num_frames=int((end + 2) * 25), fps=25, gop=25, width=64, height=48)
    return annotations


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    if not REAL.is_dir():
        pytest.skip(f"real annotations not found at {REAL}")
    root = tmp_path_factory.mktemp("download")
    nurvid, chosen = nurvid_download(root / "nurvid_videos")
    ophnet = ophnet_download(root / "ophnet_videos")
    assert videokit(["prepare", str(REAL / "nurvid"), "--from", "nurvid", "--videos", str(root / "nurvid_videos"),
                     "-o", str(root / "nurvid"), "--workers", "2", "--no-progress"]) == 0
    assert videokit(["prepare", str(REAL / "ophnet"), "--from", "ophnet", "--videos", str(root / "ophnet_videos"),
                     "-o", str(root / "ophnet"), "--workers", "2", "--no-progress"]) == 0
    return root, nurvid, chosen, ophnet


def test_prepare_reports_what_is_there(prepared):
    root, nurvid, chosen, _ = prepared
    report = json.loads((root / "nurvid" / "report.json").read_text())
    total = next(r for r in report["videos"] if r["split"] == "total")
    assert (total["videos"], total["present"], total["absent"], total["unreadable"], total["usable"]) == \
        (1538, NURVID_PRESENT, 1538 - NURVID_PRESENT, 0, NURVID_PRESENT)
    usable = read_annotations(root / "nurvid" / "annotations.json", "canonical")
    assert sorted(usable.videos) == sorted(v.video_id for v in chosen)
    for video in chosen:  # durations and fps now come from the files
        assert usable.videos[video.video_id].duration == pytest.approx(video.duration + 0.9, abs=0.1)
        assert usable.videos[video.video_id].fps == pytest.approx(video.fps)
    train = len(trimmed_segments(usable, "action", "train"))
    assert report["segments"]["action"]["train"] == train > 0
    assert len((root / "nurvid" / "missing_videos.txt").read_text().splitlines()) == 1538 - NURVID_PRESENT
    text = (root / "nurvid" / "report.txt").read_text()
    assert "usable segments per level and split" in text and "absent" in text
    lines = text.splitlines()  # one header row per table, no row of the index's name
    assert [line.split()[0] for line in lines[1:6]] == ["videos", "test", "train", "val", "total"], text

    ophnet = json.loads((root / "ophnet" / "report.json").read_text())
    total = next(r for r in ophnet["videos"] if r["split"] == "total")
    assert total["usable"] == len(OPHNET_CASES) and total["hours"] > 0  # OphNet's CSVs have no durations
    cases = read_annotations(root / "ophnet" / "annotations.json", "canonical")
    assert all(v.duration and v.duration > 30 for v in cases)


def test_prepare_refuses_a_folder_with_none_of_the_videos(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert videokit(["prepare", str(REAL / "ophnet"), "--from", "ophnet", "--videos", str(tmp_path / "empty"),
                     "-o", str(tmp_path / "out"), "--no-progress"]) == 1
    assert "none of the 1969 annotated videos is present" in capsys.readouterr().err
    assert not (tmp_path / "out" / "annotations.json").exists()


#: the sizes overridden (the stock pipelines' frame sizes, 256 / 224 -> 64 / 56; the made videos are 64 x 48): the
#: network, the sampling, the batch size and the epoch are the stock config's
SMALL_FRAMES = [f"{split}_dataloader.dataset.pipeline.{index}.{key}={value}" for split, index, key, value in (
    ("train", 3, "scale", "(-1,64)"), ("train", 5, "scale", "(56,56)"),
    ("val", 3, "scale", "(-1,64)"), ("val", 4, "crop_size", "56"),
    ("test", 3, "scale", "(-1,64)"), ("test", 4, "crop_size", "56"))]


def run_tool(warm, tool, config, work_dir, env, *args):
    """``python tools/TOOL.py CONFIG ARGS`` with the sizes made small, as a process of its own (a fork of the warm
    interpreter: tests/warm.py); its output."""
    work_dir.mkdir(parents=True, exist_ok=True)
    command = [str(config), *args, "--work-dir", str(work_dir),
               "--cfg-options", "train_dataloader.num_workers=0", "train_dataloader.persistent_workers=False",
               "val_dataloader.num_workers=0", "val_dataloader.persistent_workers=False",
               "test_dataloader.num_workers=0", "test_dataloader.persistent_workers=False",
               "train_cfg.max_epochs=1", "default_hooks.logger.interval=1", *SMALL_FRAMES,
               *(["load_from=None"] if tool == "train" else [])]  # random initial weights: nothing downloads
    code, output = warm.run_script(ROOT / "tools" / f"{tool}.py", command,
                                   dict(os.environ, **env, PYTHONUNBUFFERED="1"), Path.cwd(), timeout=900)
    assert code == 0, output[-4000:]
    return output


def warning_lines(output):
    return [line for line in output.splitlines() if "WARNING" in line or line.lower().startswith("warning")]


@pytest.mark.parametrize("dataset,config,level", [
    ("nurvid", "configs/nurvid/tsm_r50_1x1x8_trimmed-action.py", "action"),
    ("ophnet", "configs/ophnet/tsm_r50_1x1x8_trimmed-phase.py", "phase")])
def test_stock_config_trains_and_tests_on_the_present_videos(prepared, tmp_path, dataset, config, level, warm):
    root = prepared[0]
    usable = read_annotations(root / dataset / "annotations.json", "canonical")
    env = {f"{dataset.upper()}_ANNOTATIONS": str(root / dataset / "annotations.json"),
           f"{dataset.upper()}_VIDEOS": str(root / f"{dataset}_videos")}
    train_out = run_tool(warm, "train", ROOT / config, tmp_path / "work", env)
    present_train = len(trimmed_segments(usable, level, "train"))
    iterations = math.ceil(present_train / 8)  # the stock batch size
    assert f"Epoch(train) [1][{iterations}/{iterations}]" in train_out  # sized by the present samples
    assert "skipping unreadable video" not in train_out
    assert len(warning_lines(train_out)) <= 3, warning_lines(train_out)
    checkpoint = next((tmp_path / "work").glob("epoch_1.pth"))
    test_out = run_tool(warm, "test", ROOT / config, tmp_path / "test", env, str(checkpoint))
    present_test = len(trimmed_segments(usable, level, "test"))
    assert f"acc/num_samples: {present_test}" in test_out  # the metrics say on how many samples
    assert len(warning_lines(test_out)) <= 3, warning_lines(test_out)


def test_bundled_annotations_with_a_partial_download_leave_absent_videos_out(prepared, tmp_path, warm):
    """Without prepare: the stock config on the full published annotations and the partial folder still
    sizes its epoch by the present videos and says in one line how many are absent."""
    root, nurvid, _, _ = prepared
    env = {"NURVID_VIDEOS": str(root / "nurvid_videos")}
    out = run_tool(warm, "train", ROOT / "configs/nurvid/tsm_r50_1x1x8_trimmed-action.py", tmp_path / "work", env)
    absent_lines = [line for line in out.splitlines() if "videos absent" in line]
    assert len(absent_lines) == 2  # one line for the train split, one for the val split
    train_line = next(line for line in absent_lines if "split 'train'" in line)
    assert "SegmentClipDataset (split 'train'):" in train_line and "list: " in train_line
    listing = train_line.split("list: ")[1].strip()
    assert len(open(listing).read().split()) == int(train_line.split("): ")[1].split(" of ")[0])
    usable = read_annotations(root / "nurvid" / "annotations.json", "canonical")
    iterations = math.ceil(len(trimmed_segments(usable, "action", "train")) / 8)
    assert f"Epoch(train) [1][{iterations}/{iterations}]" in out
