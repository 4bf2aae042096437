"""Who may reach the review server and what every answer carries (the model of Jupyter Server; docs/review.md
has the table), installed on the Flask app by :func:`guard`.

- ``Host`` must name this machine (127.0.0.1, localhost, [::1]) or an address given with ``--host`` /
  ``allowed_hosts``: a page elsewhere cannot reach the server by DNS rebinding.
- A credential on every route (page, script, API, videos): the session cookie, set HttpOnly and
  SameSite=Strict when the printed ``/?token=...`` address is opened, or the ``X-Review-Token`` header
  (scripts). None: 401; a wrong one: 403. The page never contains the token.
- Writes: an ``Origin`` other than the server's own is refused, and a cookie-authenticated write must
  carry ``X-Requested-With: videokit-review`` (a header no cross-site form can send).
- Headers: a Content-Security-Policy without inline script, no framing, no sniffing, no referrer.
"""
from __future__ import annotations

import secrets
from typing import Iterable, Optional

from flask import Flask, Response, jsonify, redirect, request

from ..utils.hosts import LOCAL_HOSTS, hostname

COOKIE = "videokit_review"
XSRF_HEADER, XSRF_VALUE = "X-Requested-With", "videokit-review"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
OPEN_THE_ADDRESS = ("videokit review: not signed in. Open the address that `videokit review` printed "
                    "(http://HOST:PORT/?token=...) in this browser.\n")


def refuse(code: int, message: str) -> Response:
    """A refusal: JSON for the API, plain text for the page."""
    if request.path.startswith("/api/"):
        response = jsonify(error=message)
    else:
        response = Response(message if message.endswith("\n") else message + "\n", mimetype="text/plain")
    response.status_code = code
    return response


def guard(app: Flask, token: str, allowed_hosts: Iterable[str] = ()) -> None:
    """Check every request of ``app`` (host, credential, cross-site writes) and harden every answer."""
    app.config["TOKEN"] = token or secrets.token_urlsafe(24)
    allowed = LOCAL_HOSTS | {hostname(h) for h in allowed_hosts if h and h not in ("0.0.0.0", "::")}

    def valid(credential: str) -> bool:
        return secrets.compare_digest(credential.encode(), app.config["TOKEN"].encode())

    @app.before_request
    def check() -> Optional[Response]:
        if hostname(request.host) not in allowed:
            return refuse(403, f"host {request.host!r} is not this review server's (DNS rebinding is refused)")
        query = request.args.get("token")
        if query is not None and request.method == "GET" and request.path == "/":
            return _sign_in(query, valid, app.config["TOKEN"])
        header, cookie = request.headers.get("X-Review-Token"), request.cookies.get(COOKIE)
        credential = header if header is not None else cookie
        if not credential:
            return refuse(401, OPEN_THE_ADDRESS if request.path == "/" else "missing credential")
        if not valid(credential):
            return refuse(403, "wrong credential")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return _cross_site_write(signed_by_header=header is not None)
        return None

    @app.after_request
    def harden(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path == "/" or request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def _sign_in(query: str, valid, token: str) -> Response:
    """The printed ``/?token=...`` address: a right token sets the session cookie and leaves the token out of
    the address bar."""
    if not valid(query):
        return refuse(403, "wrong token: open the address videokit review printed")
    response = redirect("/", code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/", secure=request.is_secure)
    return response


def _cross_site_write(signed_by_header: bool) -> Optional[Response]:
    """A write from another origin, or a cookie-signed write without the header no form can send: refused."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{request.host}":
        return refuse(403, f"write from a foreign origin {origin!r} refused")
    if not signed_by_header and request.headers.get(XSRF_HEADER) != XSRF_VALUE:
        return refuse(403, f"write without the {XSRF_HEADER} header refused (cross-site request)")
    return None
