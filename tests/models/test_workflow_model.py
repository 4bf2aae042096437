"""The causal workflow model: no look-ahead, streaming steps equal the full-history outputs, training."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from videokit.datasets.workflow import causal_steps
from videokit.models import CausalWorkflowModel

from ..conftest import ROOT
from .feature_configs import train_and_test


def model(**kwargs):
    torch.manual_seed(0)
    net = CausalWorkflowModel(in_channels=8, num_classes=3, horizon=10.0, embed_dims=16, num_layers=4,
                              dropout=0.0, **kwargs)
    return net.eval()


def test_outputs_at_t_do_not_change_when_frames_after_t_change():
    net = model()
    x = torch.randn(1, 8, 60)
    times = torch.arange(60.0).unsqueeze(0)
    logits, anticipation = net.heads(x, times)
    for t in (0, 17, 45, 58):
        changed = x.clone()
        changed[:, :, t + 1:] = torch.randn_like(changed[:, :, t + 1:]) * 100  # a different future
        later_logits, later_anticipation = net.heads(changed, times)
        assert torch.allclose(logits[..., :t + 1], later_logits[..., :t + 1], atol=1e-5)
        assert torch.allclose(anticipation[..., :t + 1], later_anticipation[..., :t + 1], atol=1e-5)
        assert not torch.allclose(logits[..., t + 1:], later_logits[..., t + 1:])  # the test can fail


def test_a_streaming_step_equals_the_full_history_output():
    net = model()
    x, times = torch.randn(8, 50), torch.arange(50.0)
    logits, anticipation = net.heads(x.unsqueeze(0), times.unsqueeze(0))
    assert net.receptive_field == 1 + 2 * (1 + 2 + 4 + 8)
    for t in (3, 30, 49):  # shorter and longer than the receptive field
        phase, ahead = net.step(x[:, :t + 1], times[:t + 1])
        assert torch.allclose(phase, logits[0, :, t].softmax(0), atol=1e-5)
        assert torch.allclose(ahead, anticipation[0, :, t], atol=1e-4)


def test_anticipation_stays_within_the_horizon_and_training_lowers_the_loss():
    net = model().train()
    inputs = [torch.randn(8, 20), torch.randn(8, 12)]
    samples = []
    for x in inputs:
        length = x.shape[1]
        samples.append(BaseDataElement(metainfo=dict(video_id="v"), times=torch.arange(float(length)),
                                       gt_labels=torch.randint(-1, 3, (length,)),
                                       gt_anticipation=torch.rand(length, 3) * 10))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        losses = net(inputs, samples, mode="loss")
        total = sum(losses.values())
        first = first if first is not None else float(total.detach())
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
    assert float(total.detach()) < first
    out = net.eval()(inputs, samples, mode="predict")
    assert out[1]["anticipation"].shape == (12, 3)
    assert (out[0]["anticipation"] >= 0).all() and (out[0]["anticipation"] <= 10).all()


def test_steps_use_only_windows_that_ended():
    # windows of 8 frames at 10 fps every 4 frames: centres 0.4, 0.8, ...; ends 0.8, 1.2, 1.6, ...
    meta = {"times": [0.4 + 0.4 * i for i in range(10)], "window": 8, "stride": 4, "fps": 10.0}
    steps = causal_steps(meta, fps=1.0)
    assert steps["times"].tolist() == [0.8, 1.8, 2.8, 3.8]
    ends = [0.8 + 0.4 * i for i in range(10)]
    for t, i in zip(steps["times"], steps["index"]):
        assert ends[i] <= t + 1e-9 and (i + 1 == len(ends) or ends[i + 1] > t + 1e-9)


@pytest.fixture()
def phase_features(tmp_path):
    """Eight made videos of three phases in order; feature channel k lights up during phase k. Windows of
    2 frames at 2 fps every 2 frames: one feature per second."""
    rng = np.random.default_rng(0)
    videos = []
    for v in range(8):
        bounds = np.cumsum([int(rng.integers(8, 20)) for _ in range(3)])
        length = int(bounds[-1]) + 5
        feats = rng.normal(0, 0.1, (length, 16)).astype(np.float32)
        starts = [0, int(bounds[0]), int(bounds[1])]
        for k in range(3):
            feats[starts[k]:int(bounds[k]), k] += 2.0
        np.save(tmp_path / f"v{v}.npy", feats)
        meta = {"times": [i + 0.5 for i in range(length)], "window": 2, "fps": 2.0, "stride": 2,
                "frames_per_window": 2, "size": 32}
        (tmp_path / f"v{v}.json").write_text(json.dumps(meta))
        videos.append({"id": f"v{v}", "split": "train" if v < 6 else "test", "labels": [0],
                       "segments": [{"level": "phase", "label": k, "start": float(starts[k]), "end": float(bounds[k])}
                                    for k in range(3)]})
    ann = tmp_path / "ann.json"
    ann.write_text(json.dumps({"format": "videokit.canonical", "version": 1, "taxonomy": {"dataset": "t", "levels": [
        {"name": "surgery", "classes": [{"id": 0, "name": "s"}]},
        {"name": "phase", "classes": [{"id": k, "name": f"p{k}", "parents": [0]} for k in range(3)]}]},
        "videos": videos}))
    return tmp_path, ann


def test_ophnet_anticipation_config_trains_and_tests_through_the_tools(phase_features, tmp_path, warm):
    folder, ann = phase_features
    config = str(ROOT / "configs" / "ophnet" / "causal_tcn_features_phase-anticipation.py")
    options = ["model.in_channels=16", "model.num_classes=3", "train_cfg.max_epochs=25", "train_cfg.val_interval=100",
               "default_hooks.checkpoint.interval=25"]
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        options += [f"{loader}.dataset.ann_file={ann}", f"{loader}.dataset.feature_dir={folder}",
                    f"{loader}.num_workers=0"]
    options.append("val_dataloader.dataset.split=test")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    work = tmp_path / "work"
    # each tool a process of its own (a fork of the warm interpreter: tests/warm.py)
    code, output = warm.run_script(ROOT / "tools" / "train.py", [config, "--work-dir", str(work), "--seed", "0",
                                                                  "--cfg-options", *options], env, Path.cwd())
    assert code == 0, output[-6000:]
    code, output = warm.run_script(ROOT / "tools" / "test.py", [config, str(work / "epoch_25.pth"), "--work-dir",
                                                                 str(work), "--cfg-options", *options], env, Path.cwd())
    assert code == 0, output[-6000:]
    line = next(x for x in output.splitlines()[::-1] if "anticipation/wMAE@5" in x)
    metrics = dict(re.findall(r"(\S+): ([-\d.]+)", line.split("Epoch(test)")[-1]))
    for key in ("anticipation/wMAE@2", "anticipation/eMAE@3", "anticipation/baseline_wMAE@5", "online/accuracy",
                "online/mean_f1", "online/edit", "online/F1@50"):
        assert key in metrics, key
    assert float(metrics["online/accuracy"]) > 0.8  # the phases are visible in the features
    assert float(metrics["anticipation/wMAE@5"]) < float(metrics["anticipation/baseline_wMAE@5"])


def test_demo_workflow_config_builds_and_runs(phase_features, tmp_path):
    folder, ann = phase_features
    metrics = train_and_test("demo/causal_tcn_demo.py", ann, folder, "phase", tmp_path / "work", 2,
                             in_channels=16, num_classes=3)
    assert "anticipation/wMAE@15" in metrics and "anticipation/baseline_wMAE@15" in metrics
