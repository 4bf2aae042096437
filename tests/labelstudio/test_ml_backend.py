"""`videokit serve labelstudio` as a live Label Studio's ML backend: a project with videokit's labeling config, the
backend connected through Label Studio's API, predictions retrieved for tasks on the real sample videos; the
regions Label Studio stores equal `videokit predict` on the same videos (labels, times within a frame, scores),
with the PyTorch model and with its ONNX export. A task whose video is missing is one error in its answer."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from videokit.annotations import AnnotationSet, read_annotations, write_annotations
from videokit.annotations.formats.labelstudio import regions
from videokit.deploy.labelstudio_backend import LabelMap

from ..conftest import ROOT, SAMPLE_VIDEOS
from .conftest import _free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("labelstudio")]
RECOGNIZER = str(ROOT / "configs" / "demo" / "multilevel_r18_4x1x1_demo.py")
VIDEOS = ("bikes.mp4", "carphone_pristine.mp4")
OPTIONS = ("--threshold", "0", "--min-length", "0")  # random weights: every window is some class, so segments exist


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The demo recognizer with random weights saved once (the backend and `videokit predict` load the same),
    its taxonomy and the labeling config for it; and its ONNX export."""
    import torch

    from videokit.demo import DemoSpec
    from videokit.demo.pipeline import run_demo
    from videokit.inference import load_model

    root = tmp_path_factory.mktemp("backend")
    run_demo(root / "demo", DemoSpec(videos_per_procedure=1, min_seconds=8, max_seconds=10), train=False)
    os.environ["VIDEOKIT_DEMO_ROOT"] = str(root / "demo")
    torch.manual_seed(0)
    network, _ = load_model(RECOGNIZER, None)
    checkpoint = root / "recognizer.pth"
    torch.save({"state_dict": network.state_dict(), "meta": {}}, checkpoint)
    annotations = read_annotations(root / "demo" / "converted" / "demo.canonical.json", "canonical")
    write_annotations(annotations, root / "config.xml", "labelstudio-config")
    onnx = root / "recognizer.onnx"
    export = subprocess.run([sys.executable, "-m", "videokit.cli", "export", RECOGNIZER, str(checkpoint), "--to", "onnx",
                             "--video", str(SAMPLE_VIDEOS / VIDEOS[0]), "-o", str(onnx)], capture_output=True, text=True, env=dict(os.environ))
    assert export.returncode == 0, export.stderr[-2000:]
    return {"root": root, "checkpoint": checkpoint, "onnx": onnx, "config": (root / "config.xml").read_text()}


def _serve(model, port: int, *extra: str) -> subprocess.Popen:
    log = open(model["root"] / f"backend-{port}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "videokit.cli", "serve", "labelstudio", RECOGNIZER,
                                str(model["checkpoint"]), "--videos", str(SAMPLE_VIDEOS), "--port", str(port),
                                "--device", "cpu", "--answer-within", "90", *OPTIONS, *extra],
                               stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ), start_new_session=True)
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                if json.loads(response.read())["status"] == "UP":
                    return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.5)
    raise AssertionError((model["root"] / f"backend-{port}.log").read_text()[-3000:])


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _predict(model, video: str, *extra: str) -> AnnotationSet:
    out = model["root"] / f"predict-{Path(video).stem}-{len(extra)}"
    run = subprocess.run([sys.executable, "-m", "videokit.cli", "predict", str(SAMPLE_VIDEOS / video), "--config",
                          RECOGNIZER, "--checkpoint", str(model["checkpoint"]), "--device", "cpu", "--no-progress",
                          "-o", str(out), *OPTIONS, *extra], capture_output=True, text=True, env=dict(os.environ))
    assert run.returncode == 0, run.stderr[-2000:]
    return read_annotations(f"{out}.json", "canonical")


@pytest.mark.parametrize("backend", ["pytorch", "onnxruntime"])
def test_label_studio_gets_the_models_timeline_as_predictions(label_studio, model, backend):
    extra = ("--backend", "onnxruntime", "--model", str(model["onnx"])) if backend == "onnxruntime" else ()
    port = _free_port()
    process = _serve(model, port, *extra)
    try:
        project = label_studio.json("POST", "/api/projects", {"title": f"backend {backend}",
                                                              "label_config": model["config"]})["id"]
        tasks = [{"data": {"video": "/data/upload/1/0a1b2c3d-bikes.mp4"}},
                 {"data": {"video": "/data/local-files/?d=carphone_pristine.mp4"}},
                 {"data": {"video": "/data/upload/1/0a1b2c3d-no-such-video.mp4"}}]
        label_studio.json("POST", f"/api/projects/{project}/import", tasks)
        connected = label_studio.json("POST", "/api/ml", {"url": f"http://127.0.0.1:{port}", "project": project,
                                                          "title": "videokit"})
        assert connected["state"] in ("CO", "connected"), connected
        started = time.monotonic()
        label_studio.json("POST", f"/api/dm/actions?id=retrieve_tasks_predictions&project={project}",
                          {"selectedItems": {"all": True, "excluded": []}})
        latency = time.monotonic() - started
        stored = {}
        for task in label_studio.json("GET", f"/api/tasks?project={project}&page_size=100")["tasks"]:
            full = label_studio.json("GET", f"/api/tasks/{task['id']}")
            stored[task["data"]["video"]] = full["predictions"]
        version = "videokit recognizer.pth"
        labels = LabelMap.from_config(model["config"], read_annotations(
            model["root"] / "demo" / "converted" / "demo.canonical.json", "canonical").taxonomy)
        for link, video in zip((t["data"]["video"] for t in tasks), VIDEOS):
            (prediction,) = stored[link]
            assert prediction["model_version"].startswith(version), prediction["model_version"]
            want = _predict(model, video, *extra)
            truth = next(iter(want))
            expected = regions(want, truth, float(truth.fps), True, controls=labels.controls, labels=labels.labels)
            got = prediction["result"]
            assert [(r["from_name"], r["value"]["timelinelabels"]) for r in got] == \
                [(r["from_name"], r["value"]["timelinelabels"]) for r in expected], link
            for a, b in zip(got, expected):
                assert abs(a["value"]["ranges"][0]["start"] - b["value"]["ranges"][0]["start"]) <= 1
                assert abs(a["value"]["ranges"][0]["end"] - b["value"]["ranges"][0]["end"]) <= 1
                assert abs(a["score"] - b["score"]) <= 1e-3
            assert got, f"{link}: the model predicted no segment (the comparison would be empty)"
        (missing,) = stored[tasks[2]["data"]["video"]]  # the missing video: no regions, and the version says why
        assert missing["result"] == [] and missing["model_version"].endswith("video not found or not readable)")
        print(f"{backend}: predictions for {len(VIDEOS)} videos in {latency:.1f} s")
    finally:
        _stop(process)


def test_the_backend_refuses_to_bind_beyond_this_machine_without_a_password(model):
    run = subprocess.run([sys.executable, "-m", "videokit.cli", "serve", "labelstudio", RECOGNIZER,
                          str(model["checkpoint"]), "--host", "0.0.0.0"], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "VIDEOKIT_BACKEND_PASSWORD"})
    assert run.returncode != 0 and "VIDEOKIT_BACKEND_PASSWORD" in run.stderr, run.stderr
