"""A live Label Studio on 127.0.0.1 for the tests: the real server from its own environment (``make labelstudio``
installs it into ``.venv-labelstudio``, whose pins never touch videokit's), a fresh data folder (holding a copy of
the empty migrated database that ``make labelstudio`` made) and a token made for the run, driven only through its
REST API, stopped by its pid. Where it is not installed, these tests skip."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

import pytest

from ..conftest import ROOT

EXECUTABLE = Path(os.environ.get("VIDEOKIT_LABEL_STUDIO", ROOT / ".venv-labelstudio" / "bin" / "label-studio"))
TEMPLATE = EXECUTABLE.parent.parent / "template" / "label_studio.sqlite3"
START_TIMEOUT_S = 240


class LabelStudio:
    """The REST API of one running server."""

    def __init__(self, base: str, token: str, document_root: Optional[Path] = None) -> None:
        self.base, self.token, self.document_root = base, token, document_root

    def call(self, method: str, path: str, body: Any = None) -> bytes:
        request = urllib.request.Request(self.base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Token {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: {exc.code} {exc.read()[:500]!r}") from None

    def json(self, method: str, path: str, body: Any = None) -> Any:
        return json.loads(self.call(method, path, body))


def upload(label_studio: "LabelStudio", project: int, video: Path) -> None:
    """``video`` uploaded through the project's import API, as the web page's upload does (one task)."""
    import uuid

    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{video.name}\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode() + video.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{label_studio.base}/api/projects/{project}/import", data=body, method="POST",
                                     headers={"Authorization": f"Token {label_studio.token}",
                                              "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert json.loads(response.read())["task_count"] == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    if not EXECUTABLE.exists():
        pytest.skip(f"Label Studio is not installed at {EXECUTABLE} (`make labelstudio` installs it into its own "
                    "environment)")
    data = tmp_path_factory.mktemp("label-studio-data")
    if TEMPLATE.is_file():  # the empty database `make labelstudio` migrated once: no migrations at each start
        shutil.copyfile(TEMPLATE, data / TEMPLATE.name)
    port, token = _free_port(), secrets.token_hex(20)
    env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=str(data), LABEL_STUDIO_USERNAME="videokit@example.com",
               LABEL_STUDIO_PASSWORD=secrets.token_hex(12), LABEL_STUDIO_USER_TOKEN=token,
               LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",  # 1.23 accepts only JWTs unless this is set
               LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
               USE_DEFAULT_BANNED_SUBNETS="false",  # its SSRF guard refuses an ML backend on 127.0.0.0/8 otherwise
               LOCAL_FILES_SERVING_ENABLED="true", LOCAL_FILES_DOCUMENT_ROOT=str(data / "files"))
    log = open(data / "server.log", "w")
    process = subprocess.Popen([str(EXECUTABLE), "start", "--no-browser", "--host", "127.0.0.1", "--port", str(port),
                                "--data-dir", str(data)], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        up: Optional[bool] = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(base + "/health", timeout=5) as response:
                    up = response.status == 200
                    break
            except OSError:
                time.sleep(2)
        if not up:
            raise AssertionError(f"Label Studio did not start within {START_TIMEOUT_S} s: "
                                 + (data / "server.log").read_text()[-2000:])
        (data / "files").mkdir(exist_ok=True)
        yield LabelStudio(base, token, data / "files")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
