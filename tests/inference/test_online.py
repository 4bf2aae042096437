"""``videokit predict --online``: streaming through OpenCV gives, step by step, what the causal model gives
offline on the training dataset's causal features; timeline, anticipation CSV and PNG are written."""
from __future__ import annotations

import json

import jsonschema
import numpy as np
import pandas as pd
import pytest
import torch

from videokit.annotations import read_annotations
from videokit.cli import main
from videokit.engine.extract import main as extract_main
from videokit.inference.network import load_model

from ..conftest import ROOT
from .test_predict import PNG_MAGIC, RECOGNIZER, SCHEMA

WORKFLOW = str(ROOT / "configs" / "demo" / "causal_tcn_demo.py")


@pytest.fixture()
def trained_like(demo_env, tmp_path):
    """Features of the demo videos (random-init recognizer, saved so both sides use the same weights) and a
    random-init workflow model saved as a checkpoint."""
    torch.manual_seed(0)
    recognizer, _ = load_model(RECOGNIZER, None)
    workflow, _ = load_model(WORKFLOW, None)
    rec_ckpt, wf_ckpt = tmp_path / "rec.pth", tmp_path / "wf.pth"
    torch.save({"state_dict": recognizer.state_dict()}, rec_ckpt)
    torch.save({"state_dict": workflow.state_dict()}, wf_ckpt)
    features = demo_env / "features"
    if features.exists():
        for f in features.iterdir():
            f.unlink()
    assert extract_main([RECOGNIZER, str(rec_ckpt), "--annotations",
                         str(demo_env / "converted" / "demo.canonical.json"),
                         "--video-root", str(demo_env / "videos"), "--out", str(features), "--window", "8",
                         "--stride", "4", "--frames-per-window", "4", "--size", "64"]) == 0
    return rec_ckpt, wf_ckpt


def test_streaming_equals_the_offline_causal_model(demo_env, trained_like, tmp_path, capsys):
    rec_ckpt, wf_ckpt = trained_like
    video = demo_env / "videos" / "demo_2_00.mp4"
    out = tmp_path / "online"
    assert main(["predict", str(video), "--online", "--config", RECOGNIZER, "--checkpoint", str(rec_ckpt),
                 "--workflow-config", WORKFLOW, "--workflow-checkpoint", str(wf_ckpt), "-o", str(out),
                 "--gt", str(demo_env / "converted" / "demo.canonical.json")]) == 0
    printed = capsys.readouterr().out
    assert printed.count("[online] t=") >= 5 and "latency" in printed and "real-time factor" in printed
    data = json.loads((tmp_path / "online.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    (record,) = data["videos"]
    assert record["attrs"]["online"]["steps"] >= 5 and record["attrs"]["online"]["latency_ms_mean"] > 0
    read_annotations(tmp_path / "online.json", "canonical")
    for png in ("online.png", "online_anticipation.png"):
        assert (tmp_path / png).read_bytes()[:8] == PNG_MAGIC
    streamed = pd.read_csv(tmp_path / "online_anticipation.csv")

    # offline: the dataset the model trains on, the whole sequence at once
    from mmaction.registry import DATASETS

    model, cfg = load_model(WORKFLOW, str(wf_ckpt))
    dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, split=None))
    index = next(i for i in range(len(dataset)) if dataset.get_data_info(i)["video_id"] == "demo_2_00")
    item = dataset[index]
    offline = model([item["inputs"]], [item["data_samples"]], mode="predict")[0]
    assert len(streamed) == len(offline["times"])
    assert np.allclose(streamed.time, offline["times"], atol=1e-4)
    # same step features (OpenCV vs PyAV decoding of the same H.264 frames) and the same causal outputs
    assert np.abs(streamed.iloc[:, 1:].to_numpy() - offline["anticipation"]).max() < 0.05


def test_online_errors_and_follow(demo_env, trained_like, tmp_path):
    rec_ckpt, wf_ckpt = trained_like
    video = str(demo_env / "videos" / "demo_0_00.mp4")
    with pytest.raises(SystemExit, match="needs --workflow-config"):
        main(["predict", video, "--online", "--config", RECOGNIZER, "--checkpoint", str(rec_ckpt)])
    with pytest.raises(SystemExit, match="no such video"):
        main(["predict", str(tmp_path / "nope.mp4"), "--online", "--config", RECOGNIZER, "--checkpoint",
              str(rec_ckpt), "--workflow-config", WORKFLOW, "--workflow-checkpoint", str(wf_ckpt)])
    # --follow on a finished file: waits --idle-timeout for more frames, then ends normally
    assert main(["predict", video, "--online", "--follow", "--idle-timeout", "0.5", "--quiet", "--config", RECOGNIZER,
                 "--checkpoint", str(rec_ckpt), "--workflow-config", WORKFLOW, "--workflow-checkpoint", str(wf_ckpt),
                 "-o", str(tmp_path / "f")]) == 0
    assert (tmp_path / "f_anticipation.csv").exists()


def test_follow_reads_a_file_while_it_is_being_written(tmp_path):
    """A recorder writing MPEG-TS: half the file is there when reading starts, the rest arrives later; every
    frame comes once, in order; without --follow the reader stops at the end of what was there."""
    import threading
    import time

    import av

    from videokit.video import FrameSource

    full = tmp_path / "full.ts"
    with av.open(str(full), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width = stream.height = 64
        stream.pix_fmt, stream.options = "yuv420p", {"g": "10"}
        for i in range(60):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 4 * i, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    data = full.read_bytes()
    growing = tmp_path / "growing.ts"
    growing.write_bytes(data[:len(data) // 2])
    first_half = len(list(FrameSource(str(growing))))
    assert 0 < first_half < 60

    def recorder():
        time.sleep(1.0)
        with open(growing, "ab") as f:
            f.write(data[len(data) // 2:])

    thread = threading.Thread(target=recorder)
    thread.start()
    brightness = [int(frame.mean().round()) for frame in FrameSource(str(growing), follow=True, idle_timeout=3)]
    thread.join()
    assert len(brightness) == 60
    assert np.all(np.diff(brightness) > 0)  # each frame once, in order, across the reopen
