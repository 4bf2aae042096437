"""A screenshot of the `videokit review` page (the README's pictures), taken in headless Chromium.

    python tools/analysis/review_screenshot.py SRC --from FORMAT --videos DIR --video ID -o page.png
        [--predictions PRED.json] [--select K] [--at SECONDS]

Needs Debian's chromium + chromium-driver and selenium (the test extra).
"""
from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time

from videokit.annotations import read_annotations
from videokit.review import ReviewSession, create_app
from videokit.services import Server


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src")
    parser.add_argument("--from", dest="fmt", required=True)
    parser.add_argument("--videos", required=True)
    parser.add_argument("--video", required=True, help="the video to show")
    parser.add_argument("--predictions", default=None)
    parser.add_argument("--select", type=int, default=None, help="segment to select")
    parser.add_argument("--at", type=float, default=None, help="playhead position, seconds")
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args(argv)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    predictions = read_annotations(args.predictions, "canonical") if args.predictions else None
    session = ReviewSession(read_annotations(args.src, args.fmt), tempfile.mktemp(suffix=".json"), predictions)
    token = secrets.token_urlsafe(16)
    server = Server("127.0.0.1", 0, create_app(session, args.videos, token=token))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--mute-audio",
                "--disable-background-networking", "--window-size=1500,1050", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"http://127.0.0.1:{server.server_port}/?token={token}")  # signs in, as a user does
        time.sleep(1.5)
        driver.execute_script(f"selectVideo({args.video!r})")
        time.sleep(1.5)
        if args.select is not None:
            driver.execute_script(f"select({args.select}, true)")
        if args.at is not None:
            driver.execute_script(f"document.getElementById('player').currentTime = {args.at}")
        time.sleep(1.5)
        driver.save_screenshot(args.out)
    finally:
        driver.quit()
        server.shutdown()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
