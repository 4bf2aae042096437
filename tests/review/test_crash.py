"""Crash consistency, as databases test it: a client sends 2,000 edits to `videokit review` on the real
NurViD annotations (1,538 videos) while the server is killed with SIGKILL at 10 random moments and started
again. After the last start, the state is exactly the acknowledged edits applied in order: none lost, none
doubled, and an edit cut off before its answer is either wholly there or wholly absent."""
from __future__ import annotations

import http.client
import json
import random
import threading
import urllib.error
from pathlib import Path

import pytest

from videokit.annotations import read_annotations

from .server_process import ReviewProcess, call

ROOT = Path(__file__).resolve().parents[2]
NURVID = ROOT / "annotations" / "nurvid" / "annotations.json"
EDITS, KILLS = 2000, 10

pytestmark = pytest.mark.slow


def make_edits(annotations, rng):
    """2,000 edits: boundary moves (absolute values) and, one in ten, a new step (doubling would show)."""
    videos = [v for v in annotations if v.segments]
    edits = []
    for _ in range(EDITS):
        video = rng.choice(videos)
        if rng.random() < 0.1:
            start = round(rng.uniform(0, 50), 3)
            edits.append({"op": "add", "video": video.video_id, "level": "action",
                          "label": video.segments[0].label, "start": start, "end": round(start + 1.5, 3)})
        else:
            field = rng.choice(["start", "end"])
            edits.append({"op": "update", "video": video.video_id, "index": rng.randrange(len(video.segments)),
                          "field": field, "value": round(rng.uniform(0, 100), 3)})
    return edits


def apply(model, edit):
    """The edit on the model: ``{video: [[level, label, start, end], ...]}``."""
    segments = model[edit["video"]]
    if edit["op"] == "add":
        segments.append([edit["level"], edit["label"], edit["start"], edit["end"]])
    else:
        segments[edit["index"]][2 if edit["field"] == "start" else 3] = edit["value"]


def send(server, edit):
    if edit["op"] == "add":
        body = {k: edit[k] for k in ("level", "label", "start", "end")}
        return call(f"{server.base}/api/videos/{edit['video']}/segments", "POST", body, token=server.token)
    return call(f"{server.base}/api/videos/{edit['video']}/segments/{edit['index']}", "POST",
                {edit["field"]: edit["value"]}, token=server.token)


def state_of(server, video_id):
    code, _, data = call(f"{server.base}/api/videos/{video_id}", token=server.token)
    assert code == 200
    return [[s["level"], s["label"], s["start"], s["end"]] for s in json.loads(data)["video"]["segments"]]


def test_acknowledged_edits_survive_sigkill_exactly_once(tmp_path):
    if not NURVID.exists():
        pytest.skip("annotations/nurvid/annotations.json missing")
    rng = random.Random(20261129)
    source = read_annotations(NURVID, "canonical")
    assert len(source) == 1538
    model = {v.video_id: [[s.level, s.label, s.start, s.end] for s in v.segments] for v in source}
    edits = make_edits(source, rng)
    kill_at = set(rng.sample(range(50, EDITS - 20), KILLS))
    (tmp_path / "videos").mkdir()
    out = tmp_path / "reviewed.json"
    args = [str(NURVID), "--from", "canonical", "--videos", str(tmp_path / "videos"), "-o", str(out)]
    server = ReviewProcess(args)
    assert server.base, server.output
    acknowledged = cut_off = restarts = 0
    for number, edit in enumerate(edits):
        killer = None
        if number in kill_at:  # SIGKILL lands before, during or after this edit's handling
            killer = threading.Timer(rng.uniform(0.0, 0.004), server.kill)
            killer.start()
        before = [list(s) for s in model[edit["video"]]]
        try:
            code, _, data = send(server, edit)
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError):
            code = None  # cut off: before the request, during it, or in the middle of the answer
        if code == 200:
            apply(model, edit)
            acknowledged += 1
        else:
            assert code is None, (number, code, data)  # only the kill may cut an edit off
        if killer is not None:
            killer.join()
            server.kill()
            server = ReviewProcess(args)
            assert server.base, server.output
            restarts += 1
            if code is None:  # wholly there or wholly absent, nothing in between
                cut_off += 1
                after = state_of(server, edit["video"])
                applied = [list(s) for s in before]
                apply({edit["video"]: applied}, edit)
                assert after in (before, applied), (number, edit)
                model[edit["video"]] = after
        elif code is None:
            raise AssertionError(f"edit {number} failed without a kill")
    print(f"{acknowledged} acknowledged, {cut_off} cut off, {restarts} restarts")
    assert restarts == KILLS and acknowledged + cut_off == EDITS
    code, _, data = call(f"{server.base}/api/save", "POST", {}, token=server.token)
    assert code == 200, data
    server.kill()
    saved = read_annotations(out, "canonical")
    state = {v.video_id: [[s.level, s.label, s.start, s.end] for s in v.segments] for v in saved}
    assert state == model
