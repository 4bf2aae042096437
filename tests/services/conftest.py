"""The two web services on real waitress servers on 127.0.0.1: the review API over a made dataset and the Label
Studio ML backend over a stand-in predictor (no model: these tests are about requests, not predictions)."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest

from videokit.review import ReviewSession
from videokit.review import create_app as review_app
from videokit.services import Server
from videokit.services.labelstudio import Predictor, VideoSource
from videokit.services.labelstudio import create_app as backend_app

from ..inference.test_labelstudio_backend import HAND_WRITTEN, TAXONOMY, _prediction
from ..review.conftest import dataset  # noqa: F401 -- the made review dataset

TOKEN = "fuzz-token"
PASSWORD = "fuzz-password"


@contextmanager
def running(app):
    server = Server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.server_close()
        thread.join(5)


@pytest.fixture
def review(dataset, tmp_path):  # noqa: F811
    """(base url, session): a journaled review session of the made dataset behind a live server."""
    source, videos = dataset
    session = ReviewSession.open(source, "canonical", tmp_path / "reviewed.json")
    with running(review_app(session, videos, token=TOKEN)) as base:
        yield base, session
    session.close()


@pytest.fixture
def backend(tmp_path):
    """(base url, predictor): the ML backend with a password, its videos in a folder of one clip."""
    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / "clip.mp4").write_bytes(b"not decoded by the stand-in")
    predictor = Predictor(_prediction, VideoSource(str(videos)), "videokit test.pth 0123abcd")
    with running(backend_app(TAXONOMY, predictor, 2.0, PASSWORD)) as base:
        yield base, predictor


__all__ = ["HAND_WRITTEN", "PASSWORD", "TOKEN"]
