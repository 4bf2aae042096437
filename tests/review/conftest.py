"""A made dataset for the review page: three videos (one clean, one with an overlap between two steps,
one with a step past its end), their made H.264 files, and a live server on a free port."""
from __future__ import annotations

import json
import threading

import pytest

from videokit.annotations import read_annotations
from videokit.review import ReviewSession, create_app

from ..videos import make_video

TAXONOMY = {"dataset": "made", "levels": [
    {"name": "procedure", "classes": [{"id": 0, "name": "injection"}, {"id": 1, "name": "dressing"}]},
    {"name": "step", "classes": [{"id": 0, "name": "prepare", "parents": [0]}, {"id": 1, "name": "inject",
                                                                                "parents": [0]},
                                 {"id": 2, "name": "clean", "parents": [1]}, {"id": 3, "name": "wrap", "parents": [1]},
                                 {"id": 4, "name": "dispose", "parents": [0, 1]}]}]}
VIDEOS = [
    {"id": "clean", "path": "clean.mp4", "duration": 12.0, "fps": 10.0, "split": "train", "labels": [0],
     "segments": [{"level": "step", "label": 0, "start": 0.5, "end": 4.0},
                  {"level": "step", "label": 1, "start": 4.5, "end": 9.0},
                  {"level": "step", "label": 4, "start": 9.5, "end": 11.5}]},
    {"id": "overlap", "path": "overlap.mp4", "duration": 12.0, "fps": 10.0, "split": "train", "labels": [1],
     "segments": [{"level": "step", "label": 2, "start": 1.0, "end": 6.5},
                  {"level": "step", "label": 3, "start": 5.0, "end": 10.0}]},
    {"id": "late", "path": "sub/late.mp4", "duration": 12.0, "fps": 10.0, "split": "test", "labels": [0],
     "segments": [{"level": "step", "label": 0, "start": 2.0, "end": 16.0}]},
]


@pytest.fixture
def dataset(tmp_path):
    source = tmp_path / "made.json"
    source.write_text(json.dumps({"format": "videokit.canonical", "version": 1, "taxonomy": TAXONOMY,
                                  "videos": VIDEOS}))
    videos = tmp_path / "videos"
    (videos / "sub").mkdir(parents=True)
    for video in VIDEOS:
        make_video(videos / video["path"], num_frames=120, fps=10, gop=10, width=160, height=120)
    (tmp_path / "secret.txt").write_text("outside --videos")
    return source, videos


@pytest.fixture
def session(dataset, tmp_path):
    source, _ = dataset
    return ReviewSession(read_annotations(source, "canonical"), tmp_path / "reviewed.json")


@pytest.fixture
def live(dataset, session):
    """The app on a free local port; yields (base url, session, token)."""
    from videokit.services import Server

    app = create_app(session, dataset[1], token="test-token")
    server = Server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", session, "test-token"
    server.shutdown()
