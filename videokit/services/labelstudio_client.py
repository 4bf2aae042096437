"""The one Label Studio REST client: an address and an API token, calls that answer JSON or bytes, a file of the
server's downloaded, and a project's annotations through a snapshot export. ``videokit labelstudio pull`` and
the ML backend (a task's video, where no ``--videos`` folder is given) both go through it."""
from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Optional

#: Account & Settings > Access Token, and the server's address
URL_ENV, TOKEN_ENV = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"


class LabelStudioError(RuntimeError):
    """A call Label Studio refused or that did not reach it (names the method, the address and why)."""


class LabelStudioClient:
    """Label Studio at ``url`` (``http://host:8080``), authenticated with the API ``token``."""

    def __init__(self, url: str, token: str, timeout: float = 300.0) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _request(self, address: str, method: str = "GET", body: Any = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(address, method=method, data=data,
                                         headers={"Authorization": f"Token {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise LabelStudioError(f"{method} {address}: HTTP {exc.code} {exc.read()[:200]!r}") from None
        except OSError as exc:
            raise LabelStudioError(f"{method} {address}: {exc}") from None

    def call(self, path: str, method: str = "GET", body: Any = None) -> bytes:
        """The answer's bytes of ``method path`` (``/api/...``) with ``body`` as JSON."""
        with self._request(self.url + path, method, body) as response:
            return response.read()

    def address(self, link: str) -> str:
        """The absolute address of a task's file link (``/data/upload/...``); a link to another host is refused
        (only Label Studio's own files are fetched with its token)."""
        parts = urllib.parse.urlsplit(link)
        if parts.scheme and f"{parts.scheme}://{parts.netloc}" != self.url:
            raise LabelStudioError(f"{link}: not on Label Studio ({self.url}); only its own files are downloaded")
        return self.url + (parts.path if parts.scheme else "/" + link.lstrip("/")) + \
            (f"?{parts.query}" if parts.query else "")

    def download(self, link: str, target: Path, timeout: Optional[float] = None) -> Path:
        """The file of ``link`` (a task's data) into ``target``, streamed."""
        address = self.address(link)
        previous, self.timeout = self.timeout, timeout or self.timeout
        try:
            with self._request(address) as response, open(target, "wb") as out:
                shutil.copyfileobj(response, out, 1 << 20)
        except OSError as exc:
            raise LabelStudioError(f"GET {address}: {exc}") from None
        finally:
            self.timeout = previous
        return target

    def export_project(self, project: int, wait: float = 300.0, export_type: str = "JSON") -> bytes:
        """A snapshot export of ``project`` (``POST /api/projects/ID/exports``, waited for until completed, at
        most ``wait`` seconds), downloaded as ``export_type``: every task with its annotations and predictions."""
        base = f"/api/projects/{project}/exports"
        snapshot = json.loads(self.call(base, "POST", {"title": "videokit labelstudio pull"}))
        deadline = time.monotonic() + wait
        while json.loads(self.call(f"{base}/{snapshot['id']}")).get("status") != "completed":
            if time.monotonic() > deadline:
                raise LabelStudioError(f"the export of project {project} did not complete in {wait:g} s")
            time.sleep(0.5)
        return self.call(f"{base}/{snapshot['id']}/download?exportType={export_type}")


__all__ = ["LabelStudioClient", "LabelStudioError", "TOKEN_ENV", "URL_ENV"]
