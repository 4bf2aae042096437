"""A trained model at work without the training stack: the demo's trained recognizer exported to a model file
(fp32 and int8), predicted by the model file alone (no config, no checkpoint, no torch imported), the same
timeline as the full install's; int8 against fp32 on the held-out videos; broken and foreign files one error."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from videokit.annotations import read_annotations
from videokit.cli import main

from ..conftest import ROOT, TRAINED_DEMO

pytestmark = pytest.mark.xdist_group(TRAINED_DEMO)
CONFIG = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")
WORKFLOW = str(ROOT / "configs" / "demo" / "causal_tcn_demo.py")
HEAVY = ("torch", "mmengine", "mmaction", "mmcv")


@pytest.fixture(scope="module")
def demo(trained_demo, tmp_path_factory):
    """The trained demo, its held-out videos, its recognizer exported as fp32 and int8 model files, and its
    feature backbone and workflow step as the two model files of online prediction."""
    root, result = trained_demo
    annotations = read_annotations(root / "converted" / "demo.canonical.json", "canonical")
    held_out = sorted(v.video_id for v in annotations if v.split == "test")
    videos = root / "videos"
    out = tmp_path_factory.mktemp("model_files")
    common = ["export", CONFIG, str(result["checkpoint"]), "--video", str(videos / f"{held_out[0]}.mp4")]
    commands = {"fp32": common, "int8": [*common, "--quantize", "int8", "--calibrate", str(videos)],
                "backbone": ["export", CONFIG, str(result["checkpoint"]), "--part", "backbone", "--frames-per-window",
                             "4", "--size", "64", "--video", str(videos / f"{held_out[0]}.mp4")],
                "step": ["export", WORKFLOW, str(root / "work_dir_workflow" / "epoch_60.pth"), "--features",
                         str(root / "features" / "demo_0_00.npy")]}
    # `videokit export` in this process (the CLI's own entry point), as a user in the folder the demo ran in
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VIDEOKIT_DEMO_ROOT", str(root))
        patch.chdir(out)
        for name, command in commands.items():
            assert main([*command, "-o", str(out / f"{name}.onnx")]) == 0, name
    return {"root": root, "result": result, "held_out": held_out, "videos": videos, "out": out}


def _env():
    import os

    return dict(os.environ, OMP_NUM_THREADS="1")


def _predict(demo, video_id: str, *args: str, name: str) -> dict:
    out = demo["out"] / name
    assert main(["predict", str(demo["videos"] / f"{video_id}.mp4"), *args, "-o", str(out), "--no-progress"]) == 0
    return json.loads(out.with_suffix(".json").read_text())["videos"][0]


def test_the_model_file_carries_what_prediction_needs(demo):
    from videokit.runtime import ModelFile

    model = ModelFile(demo["out"] / "fp32.onnx")
    manifest = model.manifest
    assert manifest["format"] == "videokit-model" and manifest["version"] == 1 and manifest["part"] == "recognizer"
    assert model.levels == ["procedure", "action"] and model.taxonomy.level_names == ["procedure", "action"]
    assert manifest["sampling"] == {"mode": "tsn", "clip_len": 1, "num_clips": 4, "frame_interval": 1}
    assert manifest["transforms"] == [{"op": "resize", "scale": [64, 64], "keep_ratio": False,
                                       "interpolation": "bilinear"}, {"op": "format", "input_format": "NCHW"}]
    assert manifest["preprocessor"]["mean"] == [127.5] * 3 and manifest["preprocessor"]["std"] == [64.0] * 3
    assert manifest["checkpoint"]["sha256"] and manifest["int8"] is None
    assert manifest["model_version"].startswith(f"videokit {Path(demo['result']['checkpoint']).name} ")
    int8 = ModelFile(demo["out"] / "int8.onnx").manifest["int8"]
    assert int8["min_agreement"] == 0.95 and min(int8["top1_agreement"].values()) >= 0.95


def _predict_alone(args, cwd: Path) -> str:
    """``videokit predict ARGS`` in a fresh interpreter; asserts none of the training stack was imported; the
    output."""
    code = ("import sys, json; from videokit.cli import main; "
            f"code = main({[str(a) for a in args]!r}); "
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules))); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []  # none of the training stack was imported
    return done.stdout


def test_a_model_file_alone_predicts_the_full_installs_timeline_without_the_training_stack(demo, tmp_path):
    video = demo["videos"] / f"{demo['held_out'][0]}.mp4"
    alone = tmp_path / "alone"
    _predict_alone(["predict", video, "--model", demo["out"] / "fp32.onnx", "-o", alone, "--no-progress"], tmp_path)
    full = _predict(demo, demo["held_out"][0], "--config", CONFIG, "--checkpoint", str(demo["result"]["checkpoint"]),
                    "--backend", "onnxruntime", "--model", str(demo["out"] / "fp32.onnx"), name="full")
    got = json.loads(alone.with_suffix(".json").read_text())["videos"][0]
    assert got["labels"] == full["labels"] and got["segments"] == full["segments"]
    assert alone.with_suffix(".png").exists()


def _online(demo, *args: str, name: str) -> dict:
    out = demo["out"] / name
    video = demo["videos"] / f"{demo['held_out'][0]}.mp4"
    assert main(["predict", str(video), "--online", *args, "-o", str(out), "--quiet"]) == 0
    return {"timeline": json.loads(out.with_suffix(".json").read_text())["videos"][0],
            "anticipation": out.with_name(out.name + "_anticipation.csv").read_text()}


def test_online_from_the_two_model_files_alone_streams_the_full_installs_timeline(demo, tmp_path):
    """``predict --online --model BACKBONE --workflow-model STEP``: no config, no checkpoint, no torch; the
    same timeline and anticipation as the full install's onnxruntime path on the same files, and the same
    segments as PyTorch."""
    video = demo["videos"] / f"{demo['held_out'][0]}.mp4"
    alone = tmp_path / "alone"
    printed = _predict_alone(["predict", video, "--online", "--model", demo["out"] / "backbone.onnx",
                              "--workflow-model", demo["out"] / "step.onnx", "-o", alone, "--quiet"], tmp_path)
    assert "onnxruntime" in printed and "29 steps" in printed
    got = json.loads(alone.with_suffix(".json").read_text())["videos"][0]
    trained = ["--config", CONFIG, "--checkpoint", str(demo["result"]["checkpoint"]), "--workflow-config", WORKFLOW,
               "--workflow-checkpoint", str(demo["root"] / "work_dir_workflow" / "epoch_60.pth")]
    full = _online(demo, *trained, "--backend", "onnxruntime", "--model", str(demo["out"] / "backbone.onnx"),
                   "--workflow-model", str(demo["out"] / "step.onnx"), name="online_full")
    assert got["segments"] == full["timeline"]["segments"] and got["segments"]
    assert alone.with_name("alone_anticipation.csv").read_text() == full["anticipation"]
    pytorch = _online(demo, *trained, name="online_pytorch")["timeline"]
    assert [(s["label"], s["start"], s["end"]) for s in got["segments"]] == \
        [(s["label"], s["start"], s["end"]) for s in pytorch["segments"]]


def test_online_model_files_that_do_not_fit_are_one_clear_error(demo, tmp_path, monkeypatch):
    video = str(demo["videos"] / f"{demo['held_out'][0]}.mp4")
    wrong = tmp_path / "backbone8.onnx"
    monkeypatch.setenv("VIDEOKIT_DEMO_ROOT", str(demo["root"]))
    monkeypatch.chdir(tmp_path)
    assert main(["export", CONFIG, str(demo["result"]["checkpoint"]), "--part", "backbone", "--frames-per-window", "8",
                 "--size", "64", "--video", video, "-o", str(wrong)]) == 0
    for backbone, step, expected in (
            (wrong, demo["out"] / "step.onnx", "takes 8 frames of 64 px per window; "),
            (demo["out"] / "fp32.onnx", demo["out"] / "step.onnx", "a recognizer model; this needs a backbone"),
            (demo["out"] / "backbone.onnx", demo["out"] / "backbone.onnx", "a backbone model; this needs a workflow")):
        with pytest.raises(SystemExit) as exc:
            main(["predict", video, "--online", "--model", str(backbone), "--workflow-model", str(step), "-o",
                  str(tmp_path / "x"), "--quiet"])
        message = str(exc.value)
        assert message.startswith("error: ") and expected in message and "\n" not in message, message
        assert not (tmp_path / "x.json").exists()


def test_int8_gives_the_pytorch_fp32_timeline_on_the_held_out_videos(demo):
    """Same labels in order, boundaries within one window stride (1 s)."""
    rows = []
    for video_id in demo["held_out"]:
        fp32 = _predict(demo, video_id, "--config", CONFIG, "--checkpoint", str(demo["result"]["checkpoint"]),
                        name=f"{video_id}_pytorch")
        int8 = _predict(demo, video_id, "--model", str(demo["out"] / "int8.onnx"), name=f"{video_id}_int8")
        assert int8["labels"] == fp32["labels"], video_id
        want = [(s["level"], s["label"]) for s in fp32["segments"]]
        have = [(s["level"], s["label"]) for s in int8["segments"]]
        assert have == want, video_id
        shift = max([abs(a[k] - b[k]) for a, b in zip(fp32["segments"], int8["segments"]) for k in ("start", "end")]
                    or [0.0])
        assert shift <= 1.0, (video_id, shift)
        rows.append((video_id, len(want), shift))
    print("int8 vs PyTorch fp32 timelines (video, segments, largest boundary shift s):", rows)


def test_int8_agrees_with_fp32_on_the_test_split_per_level(demo):
    """The agreement table: top-1 per level of int8 against fp32 over every window of the held-out videos."""
    from videokit.inference.assemble import window_grid
    from videokit.runtime import ModelFile
    from videokit.runtime.predict import _batches

    fp32, int8 = ModelFile(demo["out"] / "fp32.onnx"), ModelFile(demo["out"] / "int8.onnx")
    agree, total, largest = {}, 0, 0.0
    for video_id in demo["held_out"]:
        path = str(demo["videos"] / f"{video_id}.mp4")
        grid = window_grid(read_annotations(demo["root"] / "converted" / "demo.canonical.json",
                                            "canonical").videos[video_id].duration, 2.0, 1.0)
        for _, batch, _ in _batches(path, fp32, grid, 8):
            a, b = fp32(batch), int8(batch)
            for level in a:
                agree[level] = agree.get(level, 0) + int((a[level].argmax(-1) == b[level].argmax(-1)).sum())
                largest = max(largest, float(np.abs(a[level] - b[level]).max()))
            total += len(batch)
    table = {level: count / total for level, count in agree.items()}
    print(f"int8 vs fp32 on {total} held-out windows: top-1 agreement {table}, largest probability difference "
          f"{largest:.4f}")
    assert min(table.values()) >= 0.95, table


@pytest.mark.parametrize("damage", ["truncated", "foreign", "other version", "not onnx"])
def test_a_broken_or_foreign_model_file_is_one_clear_error(demo, tmp_path, capsys, damage):
    good = demo["out"] / "fp32.onnx"
    bad = tmp_path / "bad.onnx"
    if damage == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        expected = "not a whole ONNX model"
    elif damage == "not onnx":
        bad.write_text("hello")
        expected = "not a whole ONNX model"
    else:
        model = onnx.load(str(good))
        (prop,) = [p for p in model.metadata_props if p.key == "videokit"]
        if damage == "foreign":
            model.metadata_props.remove(prop)
            expected = "without videokit's manifest"
        else:
            manifest = json.loads(prop.value)
            manifest.update(version=2, videokit="9.0.0")
            prop.value = json.dumps(manifest)
            expected = "format version 2 (written by videokit 9.0.0); this videokit reads version 1"
        onnx.save(model, str(bad))
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(demo["videos"] / f"{demo['held_out'][0]}.mp4"), "--model", str(bad), "-o",
              str(tmp_path / "x"), "--no-progress"])
    message = str(exc.value)
    assert message.startswith(f"error: {bad}: ") and expected in message and "\n" not in message, message
    assert not (tmp_path / "x.json").exists()


@pytest.fixture(scope="module")
def runtime_env(tmp_path_factory):
    """A fresh virtual environment holding the ``videokit-runtime`` wheel built from this tree, its dependencies
    pinned by requirements/constraints.txt (from the package registry; the install is skipped, with the reason,
    where it cannot be reached)."""
    import os
    import shutil
    import time

    out = tmp_path_factory.mktemp("runtime_dist")
    tree = out / "tree"  # a copy: the packaging tests build the main distribution in the checkout meanwhile
    shutil.copytree(ROOT, tree, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv*", ".git", "build", "dist", "*.egg-info", "tests", "demo_output", "fuzz-failures", "__pycache__"))
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(out),
                            str(tree)], capture_output=True, text=True, timeout=600,
                           env=dict(os.environ, VIDEOKIT_DISTRIBUTION="runtime"))
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next(out.glob("videokit_runtime-*.whl"))
    env = tmp_path_factory.mktemp("runtime_env")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    started = time.perf_counter()
    done = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "-c",
                           str(ROOT / "requirements" / "constraints.txt"), str(wheel)],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.skip(f"the runtime's dependencies could not be installed: {done.stderr.strip().splitlines()[-1:]}")
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in env.rglob("*") if f.is_file())
    (out / "install.json").write_text(json.dumps({"seconds": seconds, "bytes": size}))
    print(f"runtime install: {seconds:.0f} s, {size / 2**20:.0f} MiB")
    return env / "bin"


@pytest.mark.slow
def test_the_runtime_install_has_no_torch_and_predicts_and_serves_the_full_installs_timeline(demo, runtime_env,
                                                                                            tmp_path):
    import os
    import socket
    import time
    import urllib.request

    def run(*command, **kwargs):
        return subprocess.run([str(runtime_env / command[0]), *command[1:]], capture_output=True, text=True,
                              cwd=tmp_path, env={"PATH": f"{runtime_env}:/usr/bin:/bin", "HOME": str(tmp_path),
                                                 "OMP_NUM_THREADS": "1"}, timeout=300, **kwargs)

    for heavy in HEAVY:
        assert run("python", "-c", f"import {heavy}").returncode != 0, f"{heavy} is importable in the runtime"
    video_id = demo["held_out"][0]
    video = demo["videos"] / f"{video_id}.mp4"
    done = run("videokit", "predict", str(video), "--model", str(demo["out"] / "int8.onnx"), "-o", "runtime",
               "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr
    got = json.loads((tmp_path / "runtime.json").read_text())["videos"][0]
    full = _predict(demo, video_id, "--config", CONFIG, "--checkpoint", str(demo["result"]["checkpoint"]),
                    "--backend", "onnxruntime", "--model", str(demo["out"] / "int8.onnx"), name="full_int8")
    assert got["labels"] == full["labels"] and got["segments"] == full["segments"]
    # online from the two model files, in the runtime install
    done = run("videokit", "predict", str(video), "--online", "--model", str(demo["out"] / "backbone.onnx"),
               "--workflow-model", str(demo["out"] / "step.onnx"), "-o", "online", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    online = json.loads((tmp_path / "online.json").read_text())["videos"][0]
    full_online = _online(demo, "--model", str(demo["out"] / "backbone.onnx"), "--workflow-model",
                          str(demo["out"] / "step.onnx"), name="online_in_full_install")
    assert online["segments"] == full_online["timeline"]["segments"]
    # the ML backend from the runtime install: /predict answers with the same regions
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(runtime_env / "videokit"), "serve", "labelstudio", "--model",
                               str(demo["out"] / "int8.onnx"), "--videos", str(demo["videos"]), "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={"PATH": f"{runtime_env}:/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        from videokit.annotations.formats.labelstudio import config as labeling_config

        annotations = read_annotations(demo["root"] / "converted" / "demo.canonical.json", "canonical")
        body = json.dumps({"tasks": [{"id": 1, "data": {"video": f"/data/local-files/?d=videos/{video_id}.mp4"}}],
                           "label_config": labeling_config(annotations)}).encode()
        deadline, regions = time.monotonic() + 120, []
        while time.monotonic() < deadline and not regions:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/predict", data=body, method="POST",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=30) as response:
                    regions = json.loads(response.read())["results"][0]["result"]
            except OSError:
                pass
            time.sleep(0.5)
        maps = Path(f"/proc/{server.pid}/maps")
        if maps.exists():
            assert "libtorch" not in maps.read_text()  # the service never loaded the training stack
    finally:
        server.send_signal(2)
        server.wait(timeout=30)
    starts = sorted(r["value"]["ranges"][0]["start"] for r in regions)  # frames, 1-based
    fps = float(got["fps"])
    want = sorted(round(s["start"] * fps) + 1 for s in got["segments"])
    assert len(starts) == len(want) and all(abs(a - b) <= 1 for a, b in zip(starts, want)), (starts, want)
    assert os.path.exists(tmp_path / "runtime.png")
