"""Fetching a published file by URL into a cache, only when a user asks: progress bar, resume, hash check, mirror.

The file name carries the first hex digits of its SHA-256 (mmaction2's zoo: ``..._20220831-64d69186.pth``, as
``torch.hub`` checks them); a file whose digest does not start with them is one error and is not kept. The cache
(``$VIDEOKIT_CACHE/weights``, else ``~/.cache/videokit/weights``) holds only verified files, by the URL's path;
an interrupted download waits in its ``.partial/`` folder and the next fetch resumes it (an HTTP range request).
A mirror (``--mirror BASE`` or ``$VIDEOKIT_WEIGHTS_MIRROR``) replaces the URL's scheme and host and keeps its
path: a hospital without internet serves the zoo from an internal server, and the tests from 127.0.0.1.
"""
from __future__ import annotations

import http.client
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Optional

from .hashing import file_sha256

MIRROR_VARIABLE = "VIDEOKIT_WEIGHTS_MIRROR"
_HASH = re.compile(r"-([a-f0-9]{8,64})\.[A-Za-z0-9]+$")
CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """A fetch that did not end in a verified file (nothing is left at the cached name)."""


def cache_root() -> Path:
    base = os.environ.get("VIDEOKIT_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or
                                                            os.path.expanduser("~/.cache"), "videokit")
    return Path(base) / "weights"


def expected_hash(url: str) -> Optional[str]:
    """The SHA-256 prefix the file name of ``url`` carries, if any."""
    match = _HASH.search(urllib.parse.urlparse(url).path)
    return match.group(1) if match else None


def mirrored(url: str, mirror: Optional[str] = None) -> str:
    """``url`` with its scheme and host replaced by ``mirror`` (default ``$VIDEOKIT_WEIGHTS_MIRROR``)."""
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_VARIABLE)
    if not mirror:
        return url
    path = urllib.parse.urlparse(url).path
    return mirror.rstrip("/") + "/" + path.lstrip("/")


def cached_path(url: str, root: Optional[Path] = None) -> Path:
    """Where the verified file of ``url`` lies in the cache (host and path: two hosts never collide)."""
    parts = urllib.parse.urlparse(url)
    relative = Path(parts.netloc or "local") / parts.path.lstrip("/")
    if ".." in relative.parts:
        raise DownloadError(f"{url}: a path that leaves the cache")
    return (root or cache_root()) / relative


def fetch(url: str, mirror: Optional[str] = None, root: Optional[Path] = None, progress: bool = True,
          timeout: float = 60.0) -> Path:
    """The cached file of ``url``, downloaded first where it is not cached yet (resuming a partial one) and
    verified against the SHA-256 prefix in its name; a wrong hash, a cut-off transfer or a server that goes
    away is one :class:`DownloadError`, and nothing is left at the cached name."""
    target = cached_path(url, root)
    if target.is_file():
        return target
    source = mirrored(url, mirror)
    partial = target.parent / ".partial" / (target.name + ".part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    try:
        _download(source, partial, progress, timeout)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(f"{source}: download failed ({reason}); what arrived is kept in {partial.parent} and "
                            f"the next fetch resumes it") from None
    digest = file_sha256(partial)
    wanted = expected_hash(url)
    if wanted is not None and not digest.startswith(wanted):
        partial.unlink()
        raise DownloadError(f"{source}: SHA-256 {digest[:16]}... does not start with {wanted} (the file name's); "
                            "the file was not kept")
    os.replace(partial, target)
    return target


def _download(source: str, partial: Path, progress: bool, timeout: float) -> None:
    from tqdm import tqdm

    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(source, headers={"User-Agent": "videokit", **(
        {"Range": f"bytes={have}-"} if have else {})})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if have and response.status != 206:  # the server ignored the range: start over
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        with open(partial, "ab" if have else "wb") as handle, \
                tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024, disable=not progress,
                     desc=Path(urllib.parse.urlparse(source).path).name[:48]) as bar:
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                handle.write(chunk)
                bar.update(len(chunk))
    if total is not None and partial.stat().st_size != total:
        raise OSError(f"the transfer ended after {partial.stat().st_size} of {total} bytes")
