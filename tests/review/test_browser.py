"""The review page in a real browser (Debian's Chromium + ChromeDriver, driven by Selenium): the list
with its finding counts, a click that seeks, keys that move a boundary and a save that changes exactly
that segment on disk, and an overlap fixed in the page leaving the findings. Skipped, with the reason,
where the browser is not installed (`make test` installs it with apt-get when it can)."""
from __future__ import annotations

import json
import shutil
import time

import pytest

from videokit.annotations import read_annotations, validate

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="browser tests need Debian's chromium and chromium-driver "
                                       "(apt-get install chromium chromium-driver)")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000", "--mute-audio"]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ARGS + [f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(20)
    yield driver
    driver.quit()


def wait(condition, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the page")


def click(browser, css):
    """Click the element ``css`` names, again if the page redrew it meanwhile."""
    from selenium.common.exceptions import StaleElementReferenceException

    def attempt():
        try:
            browser.find_element("css selector", css).click()
            return True
        except StaleElementReferenceException:
            return False
    wait(attempt)


def sign_in(browser, base, token="test-token"):
    """Open the printed address: the token becomes an HttpOnly cookie and the page reloads without it."""
    browser.get(f"{base}/?token={token}")
    wait(lambda: browser.current_url == base + "/")


def open_video(browser, base, video_id):
    sign_in(browser, base)
    wait(lambda: browser.find_element("id", "title").text)  # the first video with findings is shown
    click(browser, f'#video-list li[data-id="{video_id}"]')
    wait(lambda: browser.find_element("id", "title").text == video_id)
    wait(lambda: browser.execute_script("return document.getElementById('player').readyState") >= 1)


def end_first_step_at(browser, base, seconds):
    """Open the clean video, select its first step, put the playhead at ``seconds`` and press ``]``."""
    open_video(browser, base, "clean")
    click(browser, '.seg[data-index="0"]')
    browser.execute_script(f"document.getElementById('player').currentTime = {seconds}")
    wait(lambda: abs(browser.execute_script("return document.getElementById('player').currentTime") - seconds) < 0.05)
    browser.find_element("tag name", "body").send_keys("]")
    wait(lambda: "segment 0 updated" in browser.find_element("id", "status").text)


def badges(browser, video_id):
    """The video's error and warning counts, read in one script call (the list is redrawn after edits)."""
    texts = browser.execute_script(
        "return [...document.querySelectorAll(`#video-list li[data-id='${arguments[0]}'] .badge`)]"
        ".map(b => b.textContent)", video_id)
    return [int(t) for t in texts]


def listed(browser):
    return browser.execute_script("return [...document.querySelectorAll('#video-list li')].map(li => li.dataset.id)")


def test_list_shows_finding_counts_and_a_click_seeks(browser, live):
    base, _, _ = live
    sign_in(browser, base)
    wait(lambda: browser.find_element("id", "title").text)  # the first video with findings is shown
    wait(lambda: len(listed(browser)) == 3)
    assert badges(browser, "clean") == [0, 0] and badges(browser, "overlap") == [0, 1]
    assert badges(browser, "late") == [0, 1]
    browser.find_element("id", "only-findings").click()
    assert listed(browser) == ["overlap", "late"]
    browser.find_element("id", "only-findings").click()
    open_video(browser, base, "clean")
    rows = browser.execute_script("return [...document.querySelectorAll('#rows .row')].map(r => r.dataset.level)")
    assert rows == ["procedure", "step"]  # steps drawn under the procedure
    click(browser, '.seg[data-index="1"]')
    wait(lambda: abs(browser.execute_script("return document.getElementById('player').currentTime") - 4.5) < 1e-3)
    assert "step #1" in browser.find_element("id", "sel-info").text


def test_keys_move_a_boundary_and_save_changes_exactly_that_segment(browser, live, dataset):
    base, session, _ = live
    source, _ = dataset
    end_first_step_at(browser, base, 3.2)
    click(browser, "#save")
    wait(lambda: "saved" in browser.find_element("id", "status").text)
    saved = json.loads(session.out.read_text())
    original = json.loads(source.read_text())
    changed = [(video["id"], i) for video, before in zip(saved["videos"], original["videos"])
               for i, (a, b) in enumerate(zip(video["segments"], before["segments"])) if a != b]
    assert changed == [("clean", 0)]
    assert saved["videos"][0]["segments"][0]["end"] == pytest.approx(3.2, abs=0.05)
    assert validate(read_annotations(session.out, "canonical")).ok


def test_an_overlap_fixed_in_the_page_leaves_the_findings(browser, live):
    base, _, _ = live
    open_video(browser, base, "overlap")
    assert "overlap" in browser.find_element("id", "findings").text
    click(browser, "#findings a")  # the finding links to segment 1
    wait(lambda: "step #1" in browser.find_element("id", "sel-info").text)
    click(browser, '.seg[data-index="0"]')  # step 0 ends at 6.5, step 1 starts at 5
    browser.execute_script("document.getElementById('player').currentTime = 5.0")
    wait(lambda: abs(browser.execute_script("return document.getElementById('player').currentTime") - 5.0) < 0.05)
    browser.find_element("tag name", "body").send_keys("]")
    wait(lambda: browser.find_element("id", "finding-count").text == "(0)")
    assert badges(browser, "overlap") == [0, 0]
    browser.find_element("tag name", "body").send_keys("\ue009z")  # Ctrl+Z: the overlap is back
    wait(lambda: browser.find_element("id", "finding-count").text == "(1)")


PAYLOAD = '<img src=x onerror="window.__pwned=1"><b>bold</b>'


@pytest.fixture
def hostile(tmp_path):
    """A dataset from someone else: markup in a level name, a class name and a video id."""
    from videokit.review import ReviewSession, create_app
    from videokit.services import Server

    from ..videos import make_video

    taxonomy = {"dataset": "hostile", "levels": [
        {"name": "procedure", "classes": [{"id": 0, "name": "injection " + PAYLOAD}]},
        {"name": "step " + PAYLOAD, "classes": [{"id": 0, "name": "prepare " + PAYLOAD, "parents": [0]},
                                                  {"id": 1, "name": "inject", "parents": [0]}]}]}
    level = taxonomy["levels"][1]["name"]
    video_id = "v " + PAYLOAD
    videos = [{"id": video_id, "path": "v.mp4", "duration": 12.0, "fps": 10.0, "split": "train", "labels": [0],
               "segments": [{"level": level, "label": 0, "start": 1.0, "end": 6.5},
                            {"level": level, "label": 1, "start": 5.0, "end": 10.0}]}]  # an overlap: a finding
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps({"format": "videokit.canonical", "version": 1, "taxonomy": taxonomy,
                                  "videos": videos}))
    (tmp_path / "videos").mkdir()
    make_video(tmp_path / "videos" / "v.mp4", num_frames=120, fps=10, gop=10, width=160, height=120)
    session = ReviewSession(read_annotations(source, "canonical"), tmp_path / "out.json")
    server = Server("127.0.0.1", 0, create_app(session, tmp_path / "videos", token="test-token"))
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", video_id, level
    server.shutdown()


def test_markup_in_names_is_shown_as_text_never_run(browser, hostile):
    """Level, class and video names and finding texts from a file reach the page as text: no element is
    made from them (so the check holds even where the CSP would block the script)."""
    base, video_id, level = hostile
    sign_in(browser, base)
    wait(lambda: browser.find_element("id", "title").text)
    click(browser, '.seg[data-index="0"]')
    wait(lambda: "#0" in browser.find_element("id", "sel-info").text)
    found = browser.execute_script("""
        const text = (sel) => [...document.querySelectorAll(sel)].map((n) => n.textContent);
        return {made: document.querySelectorAll('img, b:not([id]), #rows script').length,
                madeWhere: [...document.querySelectorAll('img, b:not([id])')]
                    .map((n) => n.parentElement.id || n.parentElement.className),
                pwned: window.__pwned === 1,
                list: text('#video-list .name'), rows: text('.row-label'), addLevels: text('#add-level option'),
                labels: text('#label option'), segs: text('.seg'), findings: text('#findings li'),
                title: document.getElementById('title').textContent};""")
    assert found["made"] == 0 and not found["pwned"], found["madeWhere"]
    assert found["list"] == [video_id] and found["title"] == video_id
    assert level in found["rows"] and found["addLevels"] == [level]
    assert "prepare " + PAYLOAD in found["labels"] and "prepare " + PAYLOAD in found["segs"]
    assert any(level in text for text in found["findings"])  # "overlaps the previous <level> segment"
    logs = [entry for entry in browser.get_log("browser") if "Content Security Policy" in entry.get("message", "")]
    assert not logs, logs  # the page itself runs nothing inline that the CSP had to block


def test_a_save_over_another_sessions_save_offers_save_as_and_reapply(browser, dataset, tmp_path):
    """Another session saves OUT while the page has unsaved edits: Save shows the conflict and writes nothing;
    "Reload it and re-apply my edits" keeps both."""
    import threading

    from videokit.review import ReviewSession, create_app
    from videokit.services import Server

    source, videos = dataset
    out = tmp_path / "shared_out.json"
    mine = ReviewSession.open(source, "canonical", out, annotator="me")
    server = Server("127.0.0.1", 0, create_app(mine, videos, token="test-token"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        end_first_step_at(browser, base, 3.2)
        other = ReviewSession(read_annotations(source, "canonical"), out, annotator="carol")
        other.update("overlap", 0, end=5.0)
        other.save()  # someone else's save lands first
        before = out.read_bytes()
        click(browser, "#save")
        wait(lambda: browser.find_element("id", "conflict").is_displayed())
        assert "saved by another session" in browser.find_element("id", "conflict-text").text
        assert out.read_bytes() == before  # nothing written
        click(browser, "#reapply")
        wait(lambda: "re-applied 1 edit" in browser.find_element("id", "status").text)
        click(browser, "#save")
        wait(lambda: browser.find_element("id", "status").text.startswith("saved"))
        saved = read_annotations(out, "canonical")
        assert saved.videos["overlap"].segments[0].end == 5.0  # carol's
        assert saved.videos["clean"].segments[0].end == pytest.approx(3.2, abs=0.05)  # mine
    finally:
        server.shutdown()
        mine.close()
