"""The web layer of ``videokit review`` (Flask): the page, a small JSON API over :class:`ReviewSession`,
and the videos, served with HTTP range requests (seeking in a 60-min file fetches only the bytes it needs).

Trust, on every request (the model of Jupyter Server; docs/review.md has the table):
- ``Host`` must name this machine (127.0.0.1, localhost, [::1]) or an address given with ``--host`` /
  ``allowed_hosts``: a page elsewhere cannot reach the server by DNS rebinding.
- A credential on every route (page, script, API, videos): the session cookie, set HttpOnly and
  SameSite=Strict when the printed ``/?token=...`` address is opened, or the ``X-Review-Token`` header
  (scripts). None: 401; a wrong one: 403. The page never contains the token.
- Writes: an ``Origin`` other than the server's own is refused, and a cookie-authenticated write must
  carry ``X-Requested-With: videokit-review`` (a header no cross-site form can send).
- Headers: a Content-Security-Policy without inline script, no framing, no sniffing, no referrer.
Only files under ``--videos`` are served (``send_from_directory`` refuses any path that escapes it: 404).
"""
from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path
from typing import Iterable, Union

from flask import Flask, Response, abort, jsonify, redirect, request, send_from_directory

from .session import EditError, ReviewSession, SaveConflict, StaleEdit

PathLike = Union[str, Path]
STATIC = resources.files("videokit.review") / "static"
COOKIE = "videokit_review"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
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


def hostname(host: str) -> str:
    """The name part of a ``Host`` header: ``[::1]:8765`` -> ``::1``, ``LocalHost:80`` -> ``localhost``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def create_app(session: ReviewSession, video_dir: PathLike, token: str = "",
               allowed_hosts: Iterable[str] = ()) -> Flask:
    """The review app over ``session``; videos come from ``video_dir``. ``allowed_hosts`` adds names the
    page may be reached by (the ``--host`` a server listens on beyond this machine)."""
    app = Flask("videokit.review", static_folder=None)
    app.config["TOKEN"] = token or secrets.token_urlsafe(24)
    allowed = LOCAL_HOSTS | {hostname(h) for h in allowed_hosts if h and h not in ("0.0.0.0", "::")}
    video_dir = Path(video_dir).resolve()

    def valid(credential: str) -> bool:
        return secrets.compare_digest(credential.encode(), app.config["TOKEN"].encode())

    def refuse(code: int, message: str) -> Response:
        if request.path.startswith("/api/"):
            response = jsonify(error=message)
        else:
            response = Response(message if message.endswith("\n") else message + "\n", mimetype="text/plain")
        response.status_code = code
        return response

    @app.before_request
    def guard():
        if hostname(request.host) not in allowed:
            return refuse(403, f"host {request.host!r} is not this review server's (DNS rebinding is refused)")
        query = request.args.get("token")
        if query is not None and request.method == "GET" and request.path == "/":
            if not valid(query):
                return refuse(403, "wrong token: open the address videokit review printed")
            response = redirect("/", code=303)
            response.set_cookie(COOKIE, app.config["TOKEN"], httponly=True, samesite="Strict", path="/",
                                secure=request.is_secure)
            return response
        header, cookie = request.headers.get("X-Review-Token"), request.cookies.get(COOKIE)
        credential = header if header is not None else cookie
        if not credential:
            return refuse(401, OPEN_THE_ADDRESS if request.path == "/" else "missing credential")
        if not valid(credential):
            return refuse(403, "wrong credential")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("Origin")
            if origin is not None and origin != f"{request.scheme}://{request.host}":
                return refuse(403, f"write from a foreign origin {origin!r} refused")
            if header is None and request.headers.get(XSRF_HEADER) != XSRF_VALUE:
                return refuse(403, f"write without the {XSRF_HEADER} header refused (cross-site request)")
        return None

    @app.after_request
    def harden(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path == "/" or request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    def conflict(fn):
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except StaleEdit as exc:
                return jsonify(error=str(exc), stale=True, state=exc.state), 409
            except SaveConflict as exc:
                return jsonify(error=str(exc), conflict=exc.details), 409
            except EditError as exc:
                return jsonify(error=str(exc)), 409
        guarded.__name__ = fn.__name__
        return guarded

    def body() -> dict:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, "expected a JSON object")
        return data

    def field(data: dict, name: str):
        if name not in data:
            abort(400, f"missing field {name!r}")
        return data[name]

    def video_or_404(video_id: str) -> dict:
        try:
            return session.video(video_id)
        except KeyError:
            abort(404, f"no video {video_id!r}")

    @app.get("/")
    def index():
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        return page, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/static/<name>")
    def static_file(name: str):
        if name not in {"review.js", "review.css"}:
            abort(404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return (STATIC / name).read_text(encoding="utf-8"), 200, {"Content-Type": f"{kind}; charset=utf-8"}

    @app.get("/api/videos")
    def videos():
        return jsonify(videos=session.videos(), taxonomy=session.taxonomy(), out=str(session.out),
                       annotator=session.annotator, recovered=session.recovered,
                       has_predictions=session.predictions is not None, has_compare=session.compare is not None)

    @app.get("/api/videos/<path:video_id>")
    def video(video_id: str):
        return jsonify(video_or_404(video_id))

    @app.post("/api/videos/<path:video_id>/segments/<int:index>")
    @conflict
    def update(video_id: str, index: int):
        video_or_404(video_id)
        data = body()
        return jsonify(session.update(video_id, index, data.get("start"), data.get("end"), data.get("label"),
                                      version=data.get("version")))

    @app.post("/api/videos/<path:video_id>/segments")
    @conflict
    def add(video_id: str):
        video_or_404(video_id)
        data = body()
        return jsonify(session.add(video_id, field(data, "level"), field(data, "label"), field(data, "start"),
                                   field(data, "end"), data.get("parent"), version=data.get("version")))

    @app.delete("/api/videos/<path:video_id>/segments/<int:index>")
    @conflict
    def delete(video_id: str, index: int):
        video_or_404(video_id)
        version = request.args.get("version")
        return jsonify(session.delete(video_id, index, version=None if version is None else int(version)))

    @app.post("/api/undo")
    @conflict
    def undo():
        touched = session.undo()
        return jsonify(video=touched, state=session.video(touched) if touched else None)

    @app.post("/api/save")
    @conflict
    def save():
        data = request.get_json(silent=True) or {}
        return jsonify(session.save(as_name=data.get("as") if isinstance(data, dict) else None))

    @app.post("/api/reload")
    @conflict
    def reload():
        return jsonify(session.reload_and_reapply())

    @app.get("/videos/<path:path>")
    def media(path: str):
        return send_from_directory(video_dir, path, conditional=True)

    return app
