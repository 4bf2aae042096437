"""Who may call ``videokit serve labelstudio``.

- The service binds 127.0.0.1 by default; the command refuses to bind anything else without a password.
- With a password, every request carries it as HTTP basic auth (Label Studio's ML backend setting
  "Use basic auth": ``auth_method=BASIC_AUTH``, ``basic_auth_user`` / ``basic_auth_pass``): none is 401, a
  wrong one 403, compared in constant time.
- ``Host`` must name this machine or a host the service was told it is reached by (no DNS rebinding).
"""
from __future__ import annotations

import base64
import binascii
import secrets
from typing import Iterable

from flask import Flask, Response, jsonify, request

from ..utils.hosts import LOCAL_HOSTS, hostname

PASSWORD_ENV = "VIDEOKIT_BACKEND_PASSWORD"


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS


def _refuse(code: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="videokit"'
    return response


def guard_requests(app: Flask, user: str, password: str, allowed_hosts: Iterable[str] = ()) -> None:
    """Check every request of ``app``: its ``Host``, and its basic-auth credential where ``password`` is set."""
    allowed = LOCAL_HOSTS | {hostname(h) for h in allowed_hosts if h and h not in ("0.0.0.0", "::")}
    expected = f"{user}:{password}".encode()

    @app.before_request
    def check():
        if hostname(request.host) not in allowed:
            return _refuse(403, f"host {request.host!r} is not this service's (DNS rebinding is refused)")
        if not password:
            return None
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return _refuse(401, "basic auth required (the ML backend's basic auth user and password)")
        try:
            given = base64.b64decode(header[6:], validate=True)
        except (binascii.Error, ValueError):
            return _refuse(403, "malformed credential")
        if not secrets.compare_digest(given, expected):
            return _refuse(403, "wrong credential")
        return None
