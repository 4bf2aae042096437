"""The host names a local server answers to: this machine's, and the name part of a ``Host`` header (both the
review page and the Label Studio ML backend refuse other hosts, against DNS rebinding)."""
from __future__ import annotations

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def hostname(host: str) -> str:
    """The name part of a ``Host`` header: ``[::1]:8765`` -> ``::1``, ``LocalHost:80`` -> ``localhost``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
