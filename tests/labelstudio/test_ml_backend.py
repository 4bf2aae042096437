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

import pytest

from videokit.annotations import AnnotationSet, read_annotations, write_annotations
from videokit.annotations.formats.labelstudio import regions
from videokit.services.labelstudio import LabelMap

from ..conftest import ROOT, SAMPLE_VIDEOS
from .conftest import _free_port, upload

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("labelstudio")]
RECOGNIZER = str(ROOT / "configs" / "demo" / "multilevel_r18_1x1x4_demo.py")
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
    from videokit.cli import main  # `videokit export`, through the CLI's entry point in this process

    assert main(["export", RECOGNIZER, str(checkpoint), "--to", "onnx", "--video", str(SAMPLE_VIDEOS / VIDEOS[0]),
                 "-o", str(onnx)]) == 0
    return {"root": root, "checkpoint": checkpoint, "onnx": onnx, "config": (root / "config.xml").read_text(),
            "recognizers": {}}


def _serve(model, port: int, *extra: str, env=None) -> subprocess.Popen:
    """The backend on ``port``; videos from the sample folder, or (``env`` naming Label Studio) downloaded."""
    log = open(model["root"] / f"backend-{port}.log", "w")
    videos = () if env else ("--videos", str(SAMPLE_VIDEOS))
    process = subprocess.Popen([sys.executable, "-m", "videokit.cli", "serve", "labelstudio", RECOGNIZER,
                                str(model["checkpoint"]), *videos, "--port", str(port),
                                "--device", "cpu", "--answer-within", "90", *OPTIONS, *extra],
                               stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})),
                               start_new_session=True)
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
    """What `videokit predict VIDEO --config --checkpoint [--backend onnxruntime --model M] --threshold 0
    --min-length 0` computes (its own function, in this process: the models are loaded once)."""
    from videokit.inference import PredictOptions, TrainedRecognizer, predict_video

    backend = "onnxruntime" if extra else "pytorch"
    if backend not in model["recognizers"]:
        model["recognizers"][backend] = TrainedRecognizer.from_files(RECOGNIZER, str(model["checkpoint"]), device="cpu",
                                                                     onnx=str(model["onnx"]) if extra else None)
    return predict_video(str(SAMPLE_VIDEOS / video), model["recognizers"][backend],
                         options=PredictOptions(threshold=0.0, min_length=0.0), progress=False).annotations


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
        started = time.monotonic()
        stored = _retrieve(label_studio, project, port)
        latency = time.monotonic() - started
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


def _retrieve(label_studio, project: int, port: int) -> dict:
    """Connect the backend to ``project`` and retrieve predictions for all its tasks: ``{video link: predictions}``."""
    connected = label_studio.json("POST", "/api/ml", {"url": f"http://127.0.0.1:{port}", "project": project,
                                                      "title": "videokit"})
    assert connected["state"] in ("CO", "connected"), connected
    label_studio.json("POST", f"/api/dm/actions?id=retrieve_tasks_predictions&project={project}",
                      {"selectedItems": {"all": True, "excluded": []}})
    return {task["data"]["video"]: label_studio.json("GET", f"/api/tasks/{task['id']}")["predictions"]
            for task in label_studio.json("GET", f"/api/tasks?project={project}&page_size=100")["tasks"]}


def test_a_video_uploaded_to_label_studio_is_fetched_from_it(label_studio, model):
    """No --videos: the backend downloads an uploaded video from Label Studio with the API token and removes it
    after; a link to anywhere else is refused (one error in that task's answer)."""
    port = _free_port()
    process = _serve(model, port, env={"LABEL_STUDIO_URL": label_studio.base,
                                       "LABEL_STUDIO_API_KEY": label_studio.token})
    try:
        project = label_studio.json("POST", "/api/projects", {"title": "backend download",
                                                              "label_config": model["config"]})["id"]
        upload(label_studio, project, SAMPLE_VIDEOS / VIDEOS[0])
        label_studio.json("POST", f"/api/projects/{project}/import",
                          [{"data": {"video": "http://198.51.100.7/elsewhere.mp4"}}])
        stored = _retrieve(label_studio, project, port)
        uploaded = next(link for link in stored if link.startswith("/data/upload/"))
        (prediction,) = stored[uploaded]
        want = _predict(model, VIDEOS[0])
        truth = next(iter(want))
        labels = LabelMap.from_config(model["config"], want.taxonomy)
        expected = regions(want, truth, float(truth.fps), True, controls=labels.controls, labels=labels.labels)
        assert [r["value"]["timelinelabels"] for r in prediction["result"]] == \
            [r["value"]["timelinelabels"] for r in expected] and expected
        (elsewhere,) = stored["http://198.51.100.7/elsewhere.mp4"]
        assert elsewhere["result"] == [] and "not readable" in elsewhere["model_version"]
        assert "not on Label Studio" in (model["root"] / f"backend-{port}.log").read_text()
    finally:
        _stop(process)


def test_the_backend_refuses_to_bind_beyond_this_machine_without_a_password(model):
    run = subprocess.run([sys.executable, "-m", "videokit.cli", "serve", "labelstudio", RECOGNIZER,
                          str(model["checkpoint"]), "--host", "0.0.0.0"], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "VIDEOKIT_BACKEND_PASSWORD"})
    assert run.returncode != 0 and "VIDEOKIT_BACKEND_PASSWORD" in run.stderr, run.stderr


def test_a_whole_project_asked_at_once_gets_statuses_then_every_task_pre_labelled(label_studio, model):
    """Label Studio's local-files storage in a subfolder of its document root (task links ``?d=videos/x.mp4``) and
    the backend's ``--videos`` the videos' own folder; the model a model file alone (no config, no torch). The
    first "retrieve predictions" on the whole project queues every task and each answer says where it stands;
    asked again, every task has its regions."""
    import shutil

    folder = label_studio.document_root / "videos"
    folder.mkdir(exist_ok=True)
    names = [f"clip{n}.mp4" for n in range(4)]
    for n, name in enumerate(names):
        shutil.copyfile(SAMPLE_VIDEOS / VIDEOS[n % 2], folder / name)
    project = label_studio.json("POST", "/api/projects", {"title": "whole project",
                                                          "label_config": model["config"]})["id"]
    storage = label_studio.json("POST", "/api/storages/localfiles", {
        "project": project, "path": str(folder), "use_blob_urls": True, "regex_filter": r".*\.mp4",
        "title": "videos"})
    label_studio.json("POST", f"/api/storages/localfiles/{storage['id']}/sync", {})
    port = _free_port()
    log = open(model["root"] / f"backend-{port}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "videokit.cli", "serve", "labelstudio", "--model",
                                str(model["onnx"]), "--videos", str(folder), "--port", str(port),
                                "--answer-within", "0.5", *OPTIONS], stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        first = _retrieve(label_studio, project, port)
        assert sorted(link.rsplit("/", 1)[-1] for link in first) == names
        assert all(link.startswith("/data/local-files/?d=videos/") for link in first), list(first)
        states = [p["model_version"].split(" (model file)", 1)[-1] or (" regions" if p["result"] else " none")
                  for predictions in first.values() for p in predictions]
        # each first answer has its regions or says where its task stands; none failed (every video found)
        assert states and all(s == " regions" or s == " (predicting: ask again)" or s.startswith(" (queued: ")
                              for s in states), states
        print("first answers:", states)
        deadline, stored = time.monotonic() + 120, first
        while time.monotonic() < deadline:
            label_studio.json("POST", f"/api/dm/actions?id=retrieve_tasks_predictions&project={project}",
                              {"selectedItems": {"all": True, "excluded": []}})
            stored = {task["data"]["video"]: label_studio.json("GET", f"/api/tasks/{task['id']}")["predictions"]
                      for task in label_studio.json("GET", f"/api/tasks?project={project}&page_size=100")["tasks"]}
            if all(any(p["result"] for p in predictions) for predictions in stored.values()):
                break
            time.sleep(1)
        for link, predictions in stored.items():
            labelled = [p for p in predictions if p["result"]]
            assert labelled, (link, [p["model_version"] for p in predictions])
            assert "(model file)" in labelled[-1]["model_version"]
    finally:
        _stop(process)
        log.close()
