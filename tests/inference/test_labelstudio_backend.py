"""The Label Studio ML backend's own rules, through Flask's test client with a stand-in predictor function (the
live server and the real model: tests/labelstudio/test_ml_backend.py): the project's labels matched by name,
videos only from --videos, basic auth where set, a slow video answered 'ask again', a broken one an error."""
from __future__ import annotations

import base64
import threading
import time

import pytest

from videokit.annotations import AnnotationSet, Segment, Taxonomy, VideoAnnotation
from videokit.annotations.model import ClassInfo, Level
from videokit.services.labelstudio import PENDING, LabelMap, Predictor, VideoSource, create_app

TAXONOMY = Taxonomy("t", [Level("procedure", {0: ClassInfo(0, "Injection")}),
                          Level("step", {0: ClassInfo(0, "wash hands"), 1: ClassInfo(1, "insert needle")})])
HAND_WRITTEN = ('<View><Video name="v" value="$clip"/><TimelineLabels name="steps" toName="v">'
                '<Label value="insert needle"/><Label value="wash hands"/><Label value="chat"/>'
                '</TimelineLabels></View>')


def _prediction(path) -> AnnotationSet:
    video = VideoAnnotation("x", str(path), 10.0, 25.0, None, [0],
                            [Segment("step", 1, 1.0, 3.0, attrs={"score": 0.9}), Segment("step", 0, 4.0, 6.0,
                                                                                         attrs={"score": 0.6})])
    return AnnotationSet(TAXONOMY, {"x": video}, "model")


@pytest.fixture()
def videos(tmp_path):
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "clip.mp4").write_bytes(b"not decoded by the stand-in")
    (tmp_path / "secret.mp4").write_bytes(b"outside")
    return tmp_path / "videos"


def _client(videos, predict=_prediction, password="", wait=5.0):
    predictor = Predictor(predict, VideoSource(str(videos)), "videokit test.pth 0123abcd")
    app = create_app(TAXONOMY, predictor, wait, password)
    client = app.test_client()
    assert client.post("/setup", json={"schema": HAND_WRITTEN}).get_json()["model_version"] == predictor.version
    return client


def test_a_hand_written_config_gets_its_own_control_and_label_names(videos, caplog):
    labels = LabelMap.from_config(HAND_WRITTEN, TAXONOMY)
    assert labels.controls == {"procedure": None, "step": "steps"} and labels.unknown == ["steps: chat"]
    answer = _client(videos).post("/predict", json={"tasks": [{"id": 1, "data": {"clip": "/data/upload/3/"
                                                                                          "0123abcd-clip.mp4"}}]})
    (result,) = answer.get_json()["results"]
    assert [(r["from_name"], r["value"]["timelinelabels"], r["value"]["ranges"],
             r["score"]) for r in result["result"]] \
        == [("steps", ["insert needle"], [{"start": 26, "end": 75}], 0.9),
            ("steps", ["wash hands"], [{"start": 101, "end": 150}], 0.6)]
    assert result["score"] == pytest.approx(0.75) and result["model_version"] == "videokit test.pth 0123abcd"


def test_only_videos_under_the_folder_are_read(videos):
    client = _client(videos)
    for link in ("../secret.mp4", "/data/local-files/?d=../secret.mp4", "/data/upload/1/missing.mp4"):
        (result,) = client.post("/predict", json={"tasks": [{"data": {"clip": link}}]}).get_json()["results"]
        assert result["result"] == [] and "no such video under --videos" in result["error"], link


def test_a_video_that_cannot_be_read_is_one_error_in_its_answer(videos):
    def broken(path):
        raise RuntimeError("moov atom not found")

    client = _client(videos, broken)
    (result,) = client.post("/predict", json={"tasks": [{"data": {"clip": "clip.mp4"}}]}).get_json()["results"]
    assert result["result"] == [] and "moov atom not found" in result["error"]
    assert client.get("/health").get_json()["status"] == "UP"  # the service goes on


def test_a_slow_video_is_answered_ask_again_then_with_its_regions(videos):
    release = threading.Event()

    def slow(path):
        release.wait(10)
        return _prediction(path)

    client = _client(videos, slow, wait=0.2)
    task = {"tasks": [{"data": {"clip": "clip.mp4"}}]}
    (first,) = client.post("/predict", json=task).get_json()["results"]
    assert first["result"] == [] and first["model_version"].endswith(PENDING)
    release.set()
    time.sleep(0.3)
    (second,) = client.post("/predict", json=task).get_json()["results"]
    assert len(second["result"]) == 2 and not second["model_version"].endswith(PENDING)


def test_basic_auth_where_a_password_is_set(videos):
    predictor = Predictor(_prediction, VideoSource(str(videos)), "v")
    client = create_app(TAXONOMY, predictor, 1.0, "s3cret").test_client()
    assert client.get("/health").status_code == 401
    wrong = base64.b64encode(b"videokit:nope").decode()
    assert client.get("/health", headers={"Authorization": f"Basic {wrong}"}).status_code == 403
    right = base64.b64encode(b"videokit:s3cret").decode()
    assert client.get("/health", headers={"Authorization": f"Basic {right}"}).status_code == 200
    assert client.get("/health", headers={"Host": "evil.example"}).status_code == 403


def test_a_whole_project_is_queued_at_once_and_each_answer_says_where_its_task_stands(videos):
    """Label Studio's "retrieve predictions" on many tasks: all are queued by the first request; each answer names
    its state (predicting, queued with its place); asking again answers the predicted ones at once."""
    for n in range(4):
        (videos / f"v{n}.mp4").write_bytes(b"stand-in")
    gate, order = threading.Event(), []

    def gated(path):
        order.append(path.name)
        gate.wait(10)
        return _prediction(path)

    client = _client(videos, gated, wait=0.3)
    tasks = {"tasks": [{"id": n, "data": {"clip": f"v{n}.mp4"}} for n in range(4)]}
    first = client.post("/predict", json=tasks).get_json()["results"]
    states = [r["model_version"].removeprefix("videokit test.pth 0123abcd") for r in first]
    assert states == [PENDING, " (queued: 1 of 3, ask again)", " (queued: 2 of 3, ask again)",
                      " (queued: 3 of 3, ask again)"], states
    gate.set()
    deadline = time.monotonic() + 10
    while len(order) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    started = time.monotonic()
    again = client.post("/predict", json=tasks).get_json()["results"]
    assert time.monotonic() - started < 0.25  # predicted before: answered at once
    assert all(len(r["result"]) == 2 and r["model_version"] == "videokit test.pth 0123abcd" for r in again)
    assert order == [f"v{n}.mp4" for n in range(4)]  # one model, one video at a time, in the request's order
