"""From a trained model to a runtime: `videokit export` (checked against PyTorch at once), `predict --backend
onnxruntime` giving the PyTorch timeline, the online workflow step with explicit state, and the detector
post-processing presets."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from videokit.cli import main
from videokit.inference.network import load_model

from ..conftest import ROOT

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

RECOGNIZER = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")
DETECTOR = str(ROOT / "configs" / "demo" / "conv_r18_step-detection.py")
WORKFLOW = str(ROOT / "configs" / "demo" / "causal_tcn_demo.py")


@pytest.fixture()
def weights(demo_env, tmp_path):
    torch.manual_seed(0)
    out = {}
    for name, config in (("recognizer", RECOGNIZER), ("workflow", WORKFLOW), ("detector", DETECTOR)):
        model, _ = load_model(config, None)
        out[name] = tmp_path / f"{name}.pth"
        torch.save({"state_dict": model.state_dict()}, out[name])
    return out


def test_recognizer_exports_and_predicts_the_same_timeline(demo_env, weights, tmp_path, capsys):
    video = demo_env / "videos" / "demo_0_00.mp4"
    onnx = tmp_path / "rec.onnx"
    assert main(["export", RECOGNIZER, str(weights["recognizer"]), "--to", "onnx", "-o", str(onnx),
                 "--video", str(video)]) == 0
    printed = capsys.readouterr().out
    assert "exported recognizer" in printed and "top-1 agreement 1.000" in printed
    assert "real prob_action: max abs difference" in printed and "random prob_action" in printed
    common = ["--config", RECOGNIZER, "--checkpoint", str(weights["recognizer"]), "--threshold", "0", "--no-progress"]
    assert main(["predict", str(video), *common, "-o", str(tmp_path / "torch")]) == 0
    assert main(["predict", str(video), *common, "-o", str(tmp_path / "ort"), "--backend", "onnxruntime",
                 "--model", str(onnx)]) == 0
    torch_run = json.loads((tmp_path / "torch.json").read_text())["videos"][0]
    ort_run = json.loads((tmp_path / "ort.json").read_text())["videos"][0]
    assert ort_run["labels"] == torch_run["labels"]
    assert [(s["level"], s["label"], s["start"], s["end"]) for s in ort_run["segments"]] == \
        [(s["level"], s["label"], s["start"], s["end"]) for s in torch_run["segments"]]
    scores = [(a["attrs"]["score"], b["attrs"]["score"]) for a, b in zip(ort_run["segments"], torch_run["segments"])]
    assert np.allclose(*zip(*scores), atol=1e-3)
    with pytest.raises(SystemExit, match="needs --model"):
        main(["predict", str(video), *common, "--backend", "onnxruntime"])


def test_backbone_export_computes_extractions_features(demo_env, weights, tmp_path, capsys):
    from videokit.features.window_features import window_features
    from videokit.inference.runtime import OnnxBackbone

    video = demo_env / "videos" / "demo_1_00.mp4"
    onnx = tmp_path / "backbone.onnx"
    assert main(["export", RECOGNIZER, str(weights["recognizer"]), "--part", "backbone", "--frames-per-window", "4",
                 "--size", "64", "-o", str(onnx), "--video", str(video)]) == 0
    assert "exported backbone" in capsys.readouterr().out
    model, _ = load_model(RECOGNIZER, str(weights["recognizer"]))
    frames = np.random.default_rng(3).integers(0, 256, (5 * 4, 64, 64, 3), dtype=np.uint8)  # another batch size
    assert np.abs(OnnxBackbone(onnx)(frames) - window_features(model, frames, 4)).max() < 1e-3


def test_workflow_step_with_explicit_state_streams_as_pytorch(demo_env, weights, tmp_path, capsys):
    from videokit.inference.runtime import OnnxWorkflow

    model, _ = load_model(WORKFLOW, str(weights["workflow"]))
    channels, steps = model.project.in_channels - int(model.use_elapsed_time), model.receptive_field + 6
    features = np.random.default_rng(4).standard_normal((steps, channels)).astype(np.float32)
    np.save(tmp_path / "feats.npy", features)
    onnx = tmp_path / "workflow.onnx"
    assert main(["export", WORKFLOW, str(weights["workflow"]), "-o", str(onnx), "--features",
                 str(tmp_path / "feats.npy")]) == 0
    printed = capsys.readouterr()
    assert "exported workflow" in printed.out
    assert "the model file records no feature spec" in printed.err  # features without a sidecar
    runtime = OnnxWorkflow(onnx)
    history = torch.from_numpy(features).t()
    times = torch.arange(steps, dtype=torch.float32) + 1.0
    for k in range(steps):  # from the first step (no state yet) past the receptive field
        phase, anticipation = runtime(features[k], float(times[k]))
        want_phase, want_anticipation = model.step(history[:, :k + 1], times[:k + 1])
        assert np.abs(phase - want_phase.numpy()).max() < 1e-4, k
        assert np.abs(anticipation - want_anticipation.numpy()).max() < 1e-2, k


def test_online_predict_with_onnxruntime(demo_env, weights, tmp_path):
    video = demo_env / "videos" / "demo_2_00.mp4"
    model, _ = load_model(WORKFLOW, str(weights["workflow"]))
    channels = model.project.in_channels - int(model.use_elapsed_time)
    np.save(tmp_path / "feats.npy", np.zeros((model.receptive_field, channels), dtype=np.float32))
    assert main(["export", WORKFLOW, str(weights["workflow"]), "-o", str(tmp_path / "wf.onnx"), "--features",
                 str(tmp_path / "feats.npy")]) == 0
    assert main(["export", RECOGNIZER, str(weights["recognizer"]), "--part", "backbone", "--frames-per-window", "4",
                 "--size", "64", "-o", str(tmp_path / "bb.onnx"), "--video", str(video)]) == 0
    extract = ["--features-like"]
    sidecar = tmp_path / "side"
    sidecar.mkdir()
    (sidecar / "x.json").write_text(json.dumps({"fps": 10.0, "num_frames": 100, "window": 8, "stride": 4,
                                                "frames_per_window": 4, "size": 64, "times": [0.4, 0.8]}))
    common = ["--online", "--config", RECOGNIZER, "--checkpoint", str(weights["recognizer"]), "--workflow-config",
              WORKFLOW, "--workflow-checkpoint", str(weights["workflow"]), "--quiet", *extract, str(sidecar / "x.json")]
    assert main(["predict", str(video), *common, "-o", str(tmp_path / "torch")]) == 0
    assert main(["predict", str(video), *common, "-o", str(tmp_path / "ort"), "--backend", "onnxruntime",
                 "--model", str(tmp_path / "bb.onnx"), "--workflow-model", str(tmp_path / "wf.onnx")]) == 0
    import pandas as pd

    a = pd.read_csv(tmp_path / "torch_anticipation.csv")
    b = pd.read_csv(tmp_path / "ort_anticipation.csv")
    assert len(a) == len(b) and np.abs(a.to_numpy() - b.to_numpy()).max() < 1e-2
    # the step exported without a features sidecar cannot stream alone: one error saying what to pass
    with pytest.raises(SystemExit, match="records no feature spec .* --features-like"):
        main(["predict", str(video), "--online", "--model", str(tmp_path / "bb.onnx"), "--workflow-model",
              str(tmp_path / "wf.onnx"), "-o", str(tmp_path / "alone")])
    # with the sidecar named at export, the two files alone stream as the full install does on them
    assert main(["export", WORKFLOW, str(weights["workflow"]), "-o", str(tmp_path / "wf2.onnx"), "--features",
                 str(tmp_path / "feats.npy"), "--features-like", str(sidecar / "x.json")]) == 0
    assert main(["predict", str(video), "--online", "--model", str(tmp_path / "bb.onnx"), "--workflow-model",
                 str(tmp_path / "wf2.onnx"), "--quiet", "-o", str(tmp_path / "alone")]) == 0
    assert (tmp_path / "alone_anticipation.csv").read_text() == (tmp_path / "ort_anticipation.csv").read_text()


def test_detector_exports_its_network(demo_env, weights, tmp_path, capsys):
    model, _ = load_model(DETECTOR, str(weights["detector"]))
    channels = model.projection.in_channels if hasattr(model.projection, "in_channels") else 512
    np.save(tmp_path / "feats.npy", np.random.default_rng(5).standard_normal((100, channels)).astype(np.float32))
    assert main(["export", DETECTOR, str(weights["detector"]), "-o", str(tmp_path / "det.onnx"), "--features",
                 str(tmp_path / "feats.npy")]) == 0
    printed = capsys.readouterr().out
    assert "exported detector" in printed and "real logits: max abs difference" in printed
    # any length: checked at export on a longer video that ends inside the padding
    assert "random length 196 padded to 200 logits: max abs difference" in printed


def test_detector_network_in_onnxruntime_predicts_the_pytorch_timeline(demo_env, weights, tmp_path, capsys):
    from videokit.inference.runtime import OnnxDetector

    model, _ = load_model(DETECTOR, str(weights["detector"]))
    channels = model.projection.in_channels if hasattr(model.projection, "in_channels") else 512
    np.save(tmp_path / "feats.npy", np.random.default_rng(6).standard_normal((64, channels)).astype(np.float32))
    assert main(["export", DETECTOR, str(weights["detector"]), "-o", str(tmp_path / "det.onnx"), "--features",
                 str(tmp_path / "feats.npy")]) == 0
    runtime = OnnxDetector(tmp_path / "det.onnx", model.num_levels)
    for length in (37, 64, 301):  # lengths the export never saw, padded or not
        features = np.random.default_rng(length).standard_normal((channels, length)).astype(np.float32)
        with torch.no_grad():
            want = model.outputs(*model._pad([torch.from_numpy(features)]))
        got = runtime(features)
        assert len(got) == len(want)
        for (logits, distances, valid, stride), (w_logits, w_distances, w_valid, w_stride) in zip(got, want):
            assert stride == w_stride and np.array_equal(valid, w_valid.numpy())
            assert np.abs(logits - w_logits.numpy()).max() < 1e-4
            assert np.abs(distances - w_distances.numpy()).max() < 1e-4

    video = demo_env / "videos" / "demo_1_00.mp4"
    assert main(["export", RECOGNIZER, str(weights["recognizer"]), "-o", str(tmp_path / "rec.onnx"), "--video",
                 str(video)]) == 0
    sidecar = tmp_path / "side"
    sidecar.mkdir()
    (sidecar / "x.json").write_text(json.dumps({"fps": 10.0, "num_frames": 100, "window": 8, "stride": 4,
                                                "frames_per_window": 4, "size": 64, "times": [0.4, 0.8]}))
    common = ["--config", RECOGNIZER, "--checkpoint", str(weights["recognizer"]), "--detector-config", DETECTOR,
              "--detector-checkpoint", str(weights["detector"]), "--features-like", str(sidecar / "x.json"),
              "--detection-threshold", "0", "--min-length", "0", "--no-progress"]
    assert main(["predict", str(video), *common, "-o", str(tmp_path / "torch")]) == 0
    assert main(["predict", str(video), *common, "-o", str(tmp_path / "ort"), "--backend", "onnxruntime",
                 "--model", str(tmp_path / "rec.onnx"), "--detector-model", str(tmp_path / "det.onnx")]) == 0
    torch_run = json.loads((tmp_path / "torch.json").read_text())["videos"][0]
    ort_run = json.loads((tmp_path / "ort.json").read_text())["videos"][0]
    a, b = ([(s["label"], s["start"], s["end"], s["attrs"]["score"]) for s in run["segments"] if s["level"] == "action"]
            for run in (torch_run, ort_run))
    assert a and [x[:3] for x in a] == [x[:3] for x in b]
    assert np.allclose([x[3] for x in a], [x[3] for x in b], atol=1e-3)
    with pytest.raises(SystemExit, match="--detector-model goes with --backend onnxruntime"):
        main(["predict", str(video), *common, "--detector-model", str(tmp_path / "det.onnx")])
    with pytest.raises(SystemExit, match="not a detector network"):
        main(["predict", str(video), *common, "-o", str(tmp_path / "x"), "--backend", "onnxruntime",
              "--model", str(tmp_path / "rec.onnx"), "--detector-model", str(tmp_path / "rec.onnx")])


def test_int8_calibration_leaves_an_unreadable_video_of_the_folder_out(demo_env, weights, tmp_path, capsys):
    folder = tmp_path / "calibration"
    folder.mkdir()
    (folder / "demo_0_00.mp4").symlink_to(demo_env / "videos" / "demo_0_00.mp4")
    (folder / "broken.mp4").write_bytes(b"\x00" * 4096)
    assert main(["export", RECOGNIZER, str(weights["recognizer"]), "--quantize", "int8", "--calibrate", str(folder),
                 "--calibration-clips", "4", "--min-agreement", "0", "--video",
                 str(demo_env / "videos" / "demo_0_00.mp4"), "-o", str(tmp_path / "int8.onnx")]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1 and "broken.mp4" in warned[0] and "left out of the calibration" in warned[0], warned
    assert (tmp_path / "int8.onnx").is_file()
    (folder / "demo_0_00.mp4").unlink()  # nothing readable left: one error, nothing written
    with pytest.raises(SystemExit, match="broken.mp4"):
        main(["export", RECOGNIZER, str(weights["recognizer"]), "--quantize", "int8", "--calibrate", str(folder),
              "--video", str(demo_env / "videos" / "demo_0_00.mp4"), "-o", str(tmp_path / "none.onnx")])
    assert not (tmp_path / "none.onnx").exists()


def test_what_cannot_export_says_so_in_one_line(demo_env, weights, tmp_path):
    with pytest.raises(SystemExit, match="pass --video"):
        main(["export", RECOGNIZER, str(weights["recognizer"]), "-o", str(tmp_path / "x.onnx")])
    with pytest.raises(SystemExit, match="pass --features"):
        main(["export", WORKFLOW, str(weights["workflow"]), "-o", str(tmp_path / "x.onnx")])
    with pytest.raises(SystemExit, match=r"nowhere: no such video or folder \(--calibrate\)"):
        main(["export", RECOGNIZER, str(weights["recognizer"]), "--quantize", "int8", "--calibrate",
              str(tmp_path / "nowhere"), "-o", str(tmp_path / "x.onnx")])
    assert not list(tmp_path.glob("*.onnx")) and not list(tmp_path.glob(".*"))


def test_deployment_preset_caps_the_segments_of_a_long_video(demo_env, weights):
    """An hour of features at 1 per second: the evaluation preset keeps what mAP wants, the deployment one a
    few confident segments per class."""
    from mmengine.structures import BaseDataElement

    from videokit.inference.presets import PRESETS, apply_preset

    model, _ = load_model(DETECTOR, str(weights["detector"]))
    model.test_cfg["max_seg_num"] = 200  # the stock detection configs' evaluation setting
    channels = model.projection.in_channels if hasattr(model.projection, "in_channels") else 512
    features = torch.randn(channels, 3600)
    sample = BaseDataElement(metainfo=dict(video_id="long", time0=0.5, time_step=1.0),
                             gt_segments_sec=torch.zeros((0, 2)), gt_labels=torch.zeros(0, dtype=torch.long))
    counts = {}
    for preset in ("evaluation", "deployment"):
        apply_preset(model, preset)
        with torch.no_grad():
            out = model([features], [sample], mode="predict")[0]
        counts[preset] = len(out["scores"])
        if preset == "deployment":
            labels = out["labels"].tolist()
            assert all(labels.count(c) <= PRESETS["deployment"]["max_per_class"] for c in set(labels))
            assert bool((out["scores"] >= PRESETS["deployment"]["min_score"]).all())
    assert counts["deployment"] <= PRESETS["deployment"]["max_seg_num"] < counts["evaluation"]
    with pytest.raises(ValueError, match="unknown post-processing preset"):
        apply_preset(model, "fast")


STOCK = ["nurvid/tsn_r50_1x1x8_untrimmed-procedure", "nurvid/tsm_r50_1x1x8_trimmed-action",
         "nurvid/i3d_r50_32x2x1_trimmed-action", "nurvid/x3d_s_13x6x1_trimmed-action",
         "nurvid/slowfast_r50_32x2x1_trimmed-action", "nurvid/multilevel_tsm_r50_1x1x8_trimmed-procedure-action"]


@pytest.mark.slow
@pytest.mark.parametrize("config", STOCK)
def test_stock_recognizers_export(config, tmp_path, capsys, monkeypatch):
    """Each stock recognizer config (random init) exports and agrees with PyTorch on a real clip."""
    from ..conftest import SAMPLE_VIDEOS

    video = SAMPLE_VIDEOS / "bigbuckbunny.mp4"
    if not video.exists():
        pytest.skip("the sample clip is not beside the checkout")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NURVID_ANNOTATIONS", str(ROOT / "annotations" / "nurvid" / "annotations.json"))
    assert main(["export", str(ROOT / "configs" / f"{config}.py"), "none", "-o", str(tmp_path / "m.onnx"),
                 "--video", str(video)]) == 0
    printed = capsys.readouterr().out
    assert "exported recognizer" in printed and printed.count("top-1 agreement 1.000") >= 2


def test_an_export_that_fails_its_check_leaves_no_file(tmp_path):
    from torch import nn

    from videokit.deploy.onnx import ExportError, export_graph

    out = tmp_path / "m.onnx"
    with pytest.raises(ExportError, match="differs from PyTorch"):  # a tolerance no graph can meet
        export_graph(nn.Linear(3, 2).eval(), "test", {"x": np.ones((1, 3), dtype=np.float32)}, out, ["y"],
                     tolerance=-1.0)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(SystemExit, match="nope.npy: no such file"):
        main(["export", WORKFLOW, "none", "-o", str(out), "--features", str(tmp_path / "nope.npy")])
