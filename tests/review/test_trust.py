"""The review server as an attacker and an unlucky annotator meet it: every route needs a credential, a
foreign Host or Origin is refused, the page carries no token and no inline script, every acknowledged
edit survives SIGKILL, and no save silently overwrites another session's."""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from videokit.annotations import read_annotations
from videokit.review import EditError, ReviewSession
from videokit.review.journal import JournalError, journal_path, read_journal
from videokit.review.session import SaveConflict, StaleEdit

from .server_process import ReviewProcess, call

ROUTES = [("GET", "/"), ("GET", "/static/review.js"), ("GET", "/static/review.css"), ("GET", "/api/videos"),
          ("GET", "/api/videos/clean"), ("GET", "/videos/clean.mp4"),
          ("POST", "/api/videos/clean/segments/0"), ("POST", "/api/videos/clean/segments"),
          ("DELETE", "/api/videos/clean/segments/0"), ("POST", "/api/undo"), ("POST", "/api/save"),
          ("POST", "/api/reload")]


def raw(base, method, path, headers=None, body=None):
    """One request with exactly these headers (http.client: no redirect following, Host as given)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest(method, path, skip_host=True)
    headers = {"Host": parts.netloc, **(headers or {})}
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
        headers["Content-Length"] = str(len(data))
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(data)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, response.headers, payload


def cookie_of(base, token="test-token"):
    status, headers, _ = raw(base, "GET", f"/?token={token}")
    assert status == 303 and headers["Location"] in ("/", base + "/")
    cookie = headers["Set-Cookie"]
    return cookie.split(";")[0]


def test_every_route_needs_a_credential(live):
    base, session, token = live
    for method, path in ROUTES:
        body = {} if method == "POST" else None
        status, _, payload = raw(base, method, path, body=body)
        assert status == 401, (method, path, status)
        assert raw(base, method, path, {"X-Review-Token": "guess"}, body)[0] == 403, (method, path)
        assert raw(base, method, path, {"Cookie": "videokit_review=guess"}, body)[0] == 403, (method, path)
    text = raw(base, "GET", "/")[2].decode()
    assert "Open the address" in text and token not in text
    assert session.video("clean")["version"] == 0 and not session.out.exists()  # nothing was changed


def test_the_printed_address_sets_a_strict_httponly_cookie_and_drops_the_token(live):
    base, _, token = live
    status, headers, _ = raw(base, "GET", f"/?token={token}")
    assert status == 303 and headers["Location"] in ("/", base + "/")  # the token leaves the address bar
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert raw(base, "GET", "/?token=wrong")[0] == 403
    pair = cookie.split(";")[0]
    for path in ("/", "/static/review.js", "/api/videos", "/videos/clean.mp4"):
        assert raw(base, "GET", path, {"Cookie": pair})[0] == 200, path
    page = raw(base, "GET", "/", {"Cookie": pair})[2].decode()
    assert token not in page and "<script>" not in page  # no token, no inline script


def test_a_foreign_host_is_refused_as_dns_rebinding(live):
    base, _, token = live
    port = urlsplit(base).port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "10.0.0.5"):
        status, _, payload = raw(base, "GET", "/api/videos", {"Host": host, "X-Review-Token": token})
        assert status == 403 and b"rebinding" in payload, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}", "localhost"):
        assert raw(base, "GET", "/api/videos", {"Host": host, "X-Review-Token": token})[0] == 200, host


def test_writes_from_a_foreign_origin_or_without_the_xsrf_header_are_refused(live):
    base, session, token = live
    pair = cookie_of(base)
    own = {"Cookie": pair, "X-Requested-With": "videokit-review", "Origin": base}
    path = "/api/videos/clean/segments/0"
    for origin in ("http://evil.example", "null", base.replace("127.0.0.1", "localhost"), base + ".evil.example"):
        assert raw(base, "POST", path, {**own, "Origin": origin}, {"end": 3.0})[0] == 403, origin
    # a cross-site form can send the cookie (were SameSite ignored) but never a custom header
    assert raw(base, "POST", path, {"Cookie": pair, "Origin": base}, {"end": 3.0})[0] == 403
    assert raw(base, "POST", path, {"Cookie": pair}, {"end": 3.0})[0] == 403
    assert session.video("clean")["video"]["segments"][0]["end"] == 4.0
    assert raw(base, "POST", path, own, {"end": 3.0})[0] == 200  # the page itself
    assert raw(base, "POST", path, {"X-Review-Token": token}, {"end": 3.5})[0] == 200  # a script
    assert session.video("clean")["video"]["segments"][0]["end"] == 3.5


def test_security_headers_on_every_response(live):
    base, _, token = live
    for path in ("/", "/static/review.js", "/api/videos", "/videos/clean.mp4", "/api/videos/nope"):
        _, headers, _ = raw(base, "GET", path, {"X-Review-Token": token})
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer", path
    _, headers, _ = raw(base, "GET", "/")  # the refusal page too
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_a_stale_tab_gets_409_with_the_current_state(live):
    base, session, token = live
    first = call(f"{base}/api/videos/clean", token=token)
    version = json.loads(first[2])["version"]
    code, _, data = call(f"{base}/api/videos/clean/segments/0", "POST", {"end": 3.0, "version": version}, token=token)
    assert code == 200 and json.loads(data)["version"] == version + 1
    # the second tab still holds `version`
    code, _, data = call(f"{base}/api/videos/clean/segments/1", "POST", {"end": 8.0, "version": version}, token=token)
    answer = json.loads(data)
    assert code == 409 and answer["stale"] and answer["state"]["video"]["segments"][0]["end"] == 3.0
    assert session.video("clean")["video"]["segments"][1]["end"] == 9.0  # not applied
    code, _, _ = call(f"{base}/api/videos/clean/segments/0?version={version}", "DELETE", token=token)
    assert code == 409


def test_save_over_another_sessions_save_is_409_then_save_as_or_reapply(dataset, tmp_path):
    source, _ = dataset
    out = tmp_path / "out.json"
    alice = ReviewSession.open(source, "canonical", out, annotator="alice")
    alice.update("clean", 0, end=3.0)
    alice.save()
    # carol works on the saved file with a script of her own and saves while alice is still editing
    carol = ReviewSession(read_annotations(out, "canonical"), out, annotator="carol")
    carol.update("clean", 1, start=4.8)
    carol.update("overlap", 0, end=5.0)
    carol.save()
    before = out.read_bytes()
    alice.update("clean", 1, end=8.5)  # a segment carol changed
    alice.update("late", 0, end=11.0)  # one nobody else touched
    alice.update("late", 0, start=2.5)
    alice.undo()  # undoes the start change only
    with pytest.raises(SaveConflict, match=r"saved by another session at \d\d:\d\d:\d\d \(carol\)"):
        alice.save()
    assert out.read_bytes() == before  # nothing written
    result = alice.reload_and_reapply()
    assert result["applied"] == 1 and [s["video"] for s in result["skipped"]] == ["clean"]
    assert "changed underneath" in result["skipped"][0]["reason"]
    alice.save()
    saved = read_annotations(out, "canonical")
    assert saved.videos["clean"].segments[1].start == 4.8 and saved.videos["clean"].segments[1].end == 9.0
    assert saved.videos["overlap"].segments[0].end == 5.0  # carol's work kept
    assert saved.videos["late"].segments[0].end == 11.0 and saved.videos["late"].segments[0].start == 2.0
    assert saved.videos["late"].attrs["reviewed"]["by"] == "alice"
    assert saved.videos["overlap"].attrs["reviewed"]["by"] == "carol"
    # save as: another file of the same folder, never outside it, never over an existing one
    carol.update("clean", 2, end=11.0)
    with pytest.raises(SaveConflict):
        carol.save()
    for bad in ("../x.json", "/tmp/x.json", "x.txt", ".hidden.json", "out.json"):
        with pytest.raises(EditError):
            carol.save(as_name=bad)
    assert carol.save(as_name="carol.json")["saved"] == str(tmp_path / "carol.json")
    assert read_annotations(tmp_path / "carol.json", "canonical").videos["clean"].segments[2].end == 11.0
    alice.close()


def test_edits_name_the_version_they_were_made_on(session):
    session.update("clean", 0, end=3.0, version=0)
    with pytest.raises(StaleEdit) as caught:
        session.update("clean", 0, end=2.0, version=0)
    assert caught.value.state["video"]["segments"][0]["end"] == 3.0


def test_a_torn_last_line_is_dropped_and_a_finished_save_is_not_replayed(dataset, tmp_path):
    source, _ = dataset
    out = tmp_path / "out.json"
    session = ReviewSession.open(source, "canonical", out, annotator="bob")
    session.update("clean", 0, end=3.0)
    session.update("clean", 1, end=8.0)
    session.close()
    journal = journal_path(out)
    with open(journal, "ab") as handle:  # a crash in the middle of writing the third edit
        handle.write(b'{"op":"update","video":"clean","index":2,"en')
    again = ReviewSession.open(source, "canonical", out)
    assert again.recovered == 2 and again.video("clean")["video"]["segments"][1]["end"] == 8.0
    assert again.video("clean")["video"]["segments"][2]["end"] == 11.5
    lines = journal.read_bytes().splitlines()
    assert all(json.loads(line) for line in lines) and json.loads(lines[1])["annotator"] == "bob"
    # a crash right after Save wrote OUT, before the new journal: the save marker matches OUT, no replay
    again.save()
    saved = json.loads(lines[0])  # the header of the old journal
    marker = {"op": "save", "hash": read_journal(journal).source}
    journal.write_bytes(b"\n".join(lines) + b"\n" + json.dumps(marker).encode() + b"\n")
    assert saved["journal"] == 1
    third = ReviewSession.open(source, "canonical", out)
    assert third.recovered == 0 and third.video("clean")["video"]["segments"][1]["end"] == 8.0
    third.close()


def test_a_journal_made_on_other_content_is_an_error_naming_both(dataset, tmp_path):
    source, _ = dataset
    out = tmp_path / "out.json"
    session = ReviewSession.open(source, "canonical", out)
    session.update("clean", 0, end=3.0)
    session.close()
    data = json.loads(source.read_text())
    data["videos"][0]["segments"][0]["start"] = 0.25  # the source changed under the journal
    source.write_text(json.dumps(data))
    with pytest.raises(JournalError) as caught:
        ReviewSession.open(source, "canonical", out)
    message = str(caught.value)
    assert str(journal_path(out)) in message and str(source) in message and "--discard-journal" in message
    fresh = ReviewSession.open(source, "canonical", out, discard_journal=True)
    assert fresh.recovered == 0 and journal_path(out).with_name("out.json.journal.discarded").exists()
    fresh.close()


def test_killed_server_recovers_every_acknowledged_edit(dataset, tmp_path):
    """SIGKILL after five acknowledged edits: the next start replays them and says so; Save keeps them."""
    source, videos = dataset
    out = tmp_path / "out.json"
    args = [str(source), "--from", "canonical", "--videos", str(videos), "-o", str(out), "--annotator", "dana"]
    server = ReviewProcess(args)
    assert server.base, server.output
    for index, end in ((0, 3.0), (1, 8.0), (2, 11.0)):
        assert server.api("POST", f"/api/videos/clean/segments/{index}", {"end": end})[0] == 200
    assert server.api("POST", "/api/videos/overlap/segments/0", {"end": 5.0})[0] == 200
    assert server.api("POST", "/api/undo", {})[0] == 200
    server.kill()
    second = ReviewProcess(args)
    assert f"recovered 5 unsaved edits from {out}.journal (Save keeps them)" in second.output
    _, state = second.api("GET", "/api/videos/clean")
    assert [s["end"] for s in state["video"]["segments"]] == [3.0, 8.0, 11.0]
    assert second.api("GET", "/api/videos/overlap")[1]["video"]["segments"][0]["end"] == 6.5  # undone
    assert state["video"]["attrs"]["reviewed"]["by"] == "dana"
    assert second.api("POST", "/api/save", {})[0] == 200
    second.kill()
    third = ReviewProcess(args)
    assert "recovered" not in third.output and "(continuing from it)" in third.output
    assert [s["end"] for s in third.api("GET", "/api/videos/clean")[1]["video"]["segments"]] == [3.0, 8.0, 11.0]
    rest = third.stop()
    assert third.process.returncode == 0 and "unsaved" not in rest


def test_a_second_server_on_the_same_output_refuses_to_start(dataset, tmp_path):
    source, videos = dataset
    args = [str(source), "--from", "canonical", "--videos", str(videos), "-o", str(tmp_path / "out.json")]
    first = ReviewProcess(args)
    assert first.base
    second = ReviewProcess(args)
    second.process.wait(timeout=60)
    assert second.process.returncode != 0 and second.base is None
    assert "is being reviewed by another videokit review" in second.output and first.base in second.output
    first.kill()
    third = ReviewProcess(args)  # SIGKILL released the lock
    assert third.base
    third.kill()


def test_a_second_annotators_file_is_shown_under_the_reviewed_set(dataset, tmp_path):
    """``videokit review A --compare B``: B's segments come with each video, for a row under A's."""
    source, videos = dataset
    other = read_annotations(source, "canonical")
    other.videos["clean"].segments[0].end = 3.3
    from videokit.annotations import write_annotations

    write_annotations(other, tmp_path / "b.json", "canonical")
    server = ReviewProcess([str(source), "--from", "canonical", "--videos", str(videos), "-o", str(tmp_path / "o.json"),
                            "--compare", str(tmp_path / "b.json")])
    try:
        code, state = server.api("GET", "/api/videos/clean")
        assert code == 200 and state["compare"][0]["end"] == 3.3 and state["video"]["segments"][0]["end"] == 4.0
        assert server.api("GET", "/api/videos")[1]["has_compare"] is True
    finally:
        server.kill()


def test_an_edit_the_journal_cannot_hold_is_taken_back(dataset, tmp_path, monkeypatch):
    """A full disk at the journal: the edit is refused and the session is as before it (state, undo, version)."""
    source, _ = dataset
    session = ReviewSession.open(source, "canonical", tmp_path / "out.json")
    session.update("clean", 0, end=3.0)
    before = (session.video("clean"), len(session._undo))

    def full(record):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(session.journal, "append", full)
    for edit in (lambda: session.update("clean", 1, end=8.0), lambda: session.delete("clean", 2), session.undo):
        with pytest.raises(OSError, match="No space"):
            edit()
        assert (session.video("clean"), len(session._undo)) == before
    session.close()
