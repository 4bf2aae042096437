"""The two services under fire (beside the readers' fuzz harness): structure-aware mutations of valid request bodies
and paths, with the right, a wrong and no credential, sent to the real servers on 127.0.0.1.

Asserted for every request: an answer (no hang, no dropped connection), never a 5xx but 505 (a foreign HTTP
version), no traceback text in the answer; a request refused (4xx) changes nothing (the set, the undo stack, the
unsaved edits, the journal); without the credential nothing changes; and the saved file always reads back and
validates. Profiles as the readers' (``VIDEOKIT_FUZZ``): ``short`` (``make test``: fixed seed, a few hundred
requests) and ``long`` (``make fuzz``: ``VIDEOKIT_FUZZ_EXAMPLES`` per service). ``VIDEOKIT_FUZZ_STATS=FILE``
writes the outcome counts per service and route.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from videokit.annotations import read_annotations, validate
from videokit.review.saving import serialize

from ..fuzz import mutate
from .conftest import HAND_WRITTEN, PASSWORD, TOKEN

PROFILE = os.environ.get("VIDEOKIT_FUZZ", "short")
EXAMPLES = int(os.environ.get("VIDEOKIT_FUZZ_EXAMPLES", "20000")) if PROFILE == "long" else 150
FUZZ = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck), max_examples=EXAMPLES,
                derandomize=PROFILE != "long", phases=[Phase.generate] if PROFILE == "long" else list(Phase))
STATS: Dict[str, Counter] = defaultdict(Counter)

REVIEW_SEEDS = [
    ("POST", "/api/videos/{video}/segments/{index}", {"start": 0.6, "end": 3.5, "label": 1, "version": 0}),
    ("POST", "/api/videos/{video}/segments/{index}", {"label": 0}),
    ("POST", "/api/videos/{video}/segments", {"level": "step", "label": 4, "start": 11.6, "end": 11.9,
                                             "parent": None, "version": 0}),
    ("DELETE", "/api/videos/{video}/segments/{index}?version=0", None),
    ("POST", "/api/undo", {}),
    ("POST", "/api/save", {"as": "copy.json"}),
    ("POST", "/api/save", {}),
    ("POST", "/api/reload", {}),
    ("GET", "/api/videos/{video}", None),
    ("GET", "/api/videos", None),
]
BACKEND_SEEDS = [
    ("POST", "/setup", {"project": "1.1", "schema": HAND_WRITTEN, "hostname": "http://127.0.0.1:1",
                        "access_token": "x", "model_version": "v"}),
    ("POST", "/predict", {"tasks": [{"id": 1, "data": {"clip": "/data/upload/3/0123abcd-clip.mp4"}}],
                          "label_config": HAND_WRITTEN, "project": "1.1", "params": {"context": None}}),
    ("POST", "/predict", {"tasks": [{"id": 2, "data": {"clip": "/data/local-files/?d=videos/clip.mp4"}}]}),
    ("POST", "/webhook", {"action": "ANNOTATION_CREATED", "project": {"id": 1}}),
    ("GET", "/health", None),
]
PATH_VALUES = ["clean", "overlap", "late", "0", "-1", "99999999999999999999999999999999", "..", "%2e%2e", "%00",
               "x" * 3000, "%F0%9F%98%80", "%ED%A0%80", "a%2Fb"]


@st.composite
def request_case(draw: st.DrawFn, seeds) -> Tuple[str, str, bytes, str, str]:
    """(method, path, body, credential: right / wrong / none, the route) from one seed: its body mutated (or kept), its
    path's video and index drawn from plausible and hostile values, sometimes damaged bytes."""
    method, route, body = draw(st.sampled_from(seeds))
    path = route.replace("{video}", draw(st.sampled_from(PATH_VALUES[:3] + PATH_VALUES[3:])))
    path = path.replace("{index}", draw(st.sampled_from(["0", "1", "2", "7", "99999999999999999999"])))
    data = b""
    if body is not None:
        text = json.dumps(body)
        if draw(st.integers(0, 4)):  # mostly mutated, sometimes the valid seed itself
            text = draw(mutate.json_edit(text))
        data = draw(mutate.byte_damage(text.encode("utf-8", "surrogatepass"), False))
    credential = draw(st.sampled_from(["right", "right", "right", "wrong", "none"]))
    return method, path, data, credential, f"{method} {route.split('?')[0]}"


def send(base: str, method: str, path: str, data: bytes, headers: Dict[str, str]) -> Tuple[Optional[int], bytes]:
    """One request over a fresh connection; (status, body), or (None, reason) for a hang or a dropped line."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            connection.putheader(name, value)
        connection.endheaders(data)
        response = connection.getresponse()
        return response.status, response.read()
    except (socket.timeout, TimeoutError):
        return None, b"hung"
    except (ConnectionError, http.client.HTTPException) as exc:
        return None, f"dropped: {exc}".encode()
    finally:
        connection.close()


def _state(session) -> Tuple[bytes, int, int, bytes]:
    journal = session.journal.path.read_bytes() if session.journal and session.journal.path.exists() else b""
    return serialize(session.annotations), len(session._undo), session.unsaved, journal


def _outcome(status: Optional[int]) -> str:
    if status is None:
        return "hung"
    return f"{status // 100}xx"


def _check_answer(service: str, route: str, status: Optional[int], answer: bytes) -> None:
    STATS[f"{service} {route}"][_outcome(status)] += 1
    assert status is not None, f"{route}: {answer.decode(errors='replace')}"
    assert status < 500 or status == 505, f"{route}: {status} {answer[:300]!r}"
    assert b"Traceback" not in answer and b'File "' not in answer, answer[:300]


def test_review_api_under_fire(review):
    base, session = review
    hosts = {"Host": base.split("//")[1], "Content-Type": "application/json"}

    @FUZZ
    @given(request_case(REVIEW_SEEDS))
    def case(drawn):
        method, path, data, credential, route = drawn
        headers = dict(hosts)
        if credential != "none":
            headers["X-Review-Token"] = TOKEN if credential == "right" else "guess"
        before = _state(session)
        status, answer = send(base, method, path, data, headers)
        _check_answer("review", route, status, answer)
        if credential != "right":
            assert status in (401, 403) and _state(session) == before, path
        if status is not None and status >= 400:
            assert _state(session) == before, f"{method} {path} answered {status} and changed the session"
        saved = session.out
        if saved.exists():
            validate(read_annotations(saved, "canonical"))

    case()
    _write_stats()


def test_ml_backend_under_fire(backend):
    base, predictor = backend
    good = "Basic " + base64.b64encode(f"videokit:{PASSWORD}".encode()).decode()

    @FUZZ
    @given(request_case(BACKEND_SEEDS))
    def case(drawn):
        method, path, data, credential, route = drawn
        headers = {"Host": base.split("//")[1], "Content-Type": "application/json"}
        if credential != "none":
            headers["Authorization"] = good if credential == "right" else "Basic " + base64.b64encode(b"x:y").decode()
        status, answer = send(base, method, path, data, headers)
        _check_answer("backend", route, status, answer)
        if credential != "right":
            assert status in (401, 403), path

    case()
    # the service goes on: a valid request after the storm is answered with the regions
    status, answer = send(base, "POST", "/predict", json.dumps(BACKEND_SEEDS[1][2]).encode(),
                          {"Host": base.split("//")[1], "Content-Type": "application/json", "Authorization": good})
    assert status == 200 and json.loads(answer)["results"][0]["result"], answer[:300]
    _write_stats()


def _write_stats() -> None:
    path = os.environ.get("VIDEOKIT_FUZZ_STATS")
    if path:
        Path(path).write_text(json.dumps({k: dict(v) for k, v in sorted(STATS.items())}, indent=1))


@pytest.mark.parametrize("service", ["review", "backend"])
def test_a_chunked_body_that_never_ends_costs_a_bounded_buffer(service, request):
    """A chunk size of 2^72 (the werkzeug development server allocated ~730 MB/s on it): the server reads at most
    MAX_BODY, answers 413, and goes on answering."""
    from videokit.services import MAX_BODY

    base = request.getfixturevalue(service)[0]
    parts = urllib.parse.urlsplit(base)
    path = "/api/save" if service == "review" else "/predict"
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as raw:
        raw.sendall(f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Type: application/json\r\n\r\nffffffffffffffffff\r\n".encode())
        block, sent = b"[" * (1 << 20), 0
        try:
            while sent <= MAX_BODY + (1 << 20):
                raw.sendall(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    status, _ = send(base, "GET", "/health" if service == "backend" else "/api/videos",
                     b"", {"Host": parts.netloc, "X-Review-Token": TOKEN,
                           "Authorization": "Basic " + base64.b64encode(f"videokit:{PASSWORD}".encode()).decode()})
    assert status == 200
