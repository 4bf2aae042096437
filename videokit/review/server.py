"""The web layer of ``videokit review`` (Flask): the page, a small JSON API over :class:`ReviewSession`,
and the videos, served with HTTP range requests (seeking in a 60-min file fetches only the bytes it needs).

Who may reach it and the headers every answer carries: :mod:`.trust`. Only files under ``--videos`` are
served (``send_from_directory`` refuses any path that escapes it: 404).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable

from flask import Flask, abort, jsonify, request, send_from_directory

from ..utils import PathLike
from .errors import EditError, SaveConflict, StaleEdit
from .session import ReviewSession
from .trust import guard

STATIC = resources.files("videokit.review") / "static"


def create_app(session: ReviewSession, video_dir: PathLike, token: str = "",
               allowed_hosts: Iterable[str] = ()) -> Flask:
    """The review app over ``session``; videos come from ``video_dir``. ``allowed_hosts`` adds names the
    page may be reached by (the ``--host`` a server listens on beyond this machine)."""
    app = Flask("videokit.review", static_folder=None)
    guard(app, token, allowed_hosts)
    _page_routes(app)
    _api_routes(app, session)
    _media_routes(app, Path(video_dir).resolve())
    return app


def _page_routes(app: Flask) -> None:
    """The page and its two static files."""

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


def _media_routes(app: Flask, video_dir: Path) -> None:
    """The videos, with range requests."""

    @app.get("/videos/<path:path>")
    def media(path: str):
        return send_from_directory(video_dir, path, conditional=True)


def conflict(fn):
    """An edit the session refuses (stale, conflicting, invalid) answers 409 with the reason."""
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


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "expected a JSON object")
    return data


def _field(data: dict, name: str):
    if name not in data:
        abort(400, f"missing field {name!r}")
    return data[name]


def _api_routes(app: Flask, session: ReviewSession) -> None:
    """The JSON API: videos, segment edits, undo, save, reload."""

    def video_or_404(video_id: str) -> dict:
        try:
            return session.video(video_id)
        except KeyError:
            abort(404, f"no video {video_id!r}")

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
        data = _body()
        return jsonify(session.update(video_id, index, data.get("start"), data.get("end"), data.get("label"),
                                      version=data.get("version")))

    @app.post("/api/videos/<path:video_id>/segments")
    @conflict
    def add(video_id: str):
        video_or_404(video_id)
        data = _body()
        return jsonify(session.add(video_id, _field(data, "level"), _field(data, "label"), _field(data, "start"),
                                   _field(data, "end"), data.get("parent"), version=data.get("version")))

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
