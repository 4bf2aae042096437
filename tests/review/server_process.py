"""`videokit review` run as a user runs it, in its own process: start it, read the address it prints, call
it, kill it (SIGKILL included), start it again."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import List, Optional


def call(url, method="GET", body=None, token=None, headers=None, timeout=30):
    """``(status, headers, body bytes)`` of one request; ``token`` goes in ``X-Review-Token``."""
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {}),
                                              **({"X-Review-Token": token} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class ReviewProcess:
    """One ``videokit review`` subprocess; ``lines`` is what it printed up to its address line."""

    def __init__(self, args: List[str], token: str = "proc-token") -> None:
        self.token = token
        self.process = subprocess.Popen([sys.executable, "-m", "videokit.cli", "review", *args, "--port", "0",
                                         "--token", token],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.lines: List[str] = []
        self.base: Optional[str] = None
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if "open http" in line:
                self.base = line.split("open ")[1].split("?")[0].rstrip("/")
                break
        if self.base is None:
            self.process.wait(timeout=30)
            self.lines += self.process.stdout.read().splitlines()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def api(self, method, path, body=None, **kwargs):
        code, _, data = call(self.base + path, method, body, token=self.token, **kwargs)
        return code, json.loads(data) if data else None

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed that was not already on disk."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process.stdout.close()

    def stop(self) -> str:
        """Ctrl+C, as a user stops it; returns what it printed after the address."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        rest = self.process.communicate(timeout=30)[0]
        return rest
