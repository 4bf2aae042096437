"""The web layer of ``videokit review`` (Flask): the page, a small JSON API over :class:`ReviewSession`,
and the videos, served with HTTP range requests (Werkzeug's conditional responses: seeking in a 60-min
file fetches only the bytes it needs).

Safety: the server listens on 127.0.0.1 unless told otherwise; only files under ``--videos`` are served
(``send_from_directory`` refuses any path that escapes it: 404); the only file ever written is the output
file; every request that writes carries the session's token (``X-Review-Token``), which only the page
served by this process knows: a write without it gets 403.
"""
from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path
from typing import Union

from flask import Flask, abort, jsonify, request, send_from_directory

from .session import EditError, ReviewSession

PathLike = Union[str, Path]
STATIC = resources.files("videokit.review") / "static"


def create_app(session: ReviewSession, video_dir: PathLike, token: str = "") -> Flask:
    """The review app over ``session``; videos come from ``video_dir``."""
    app = Flask("videokit.review", static_folder=None)
    app.config["TOKEN"] = token or secrets.token_urlsafe(24)
    video_dir = Path(video_dir).resolve()

    def writes(fn):
        def guarded(*args, **kwargs):
            if not secrets.compare_digest(request.headers.get("X-Review-Token", ""), app.config["TOKEN"]):
                abort(403, "missing or wrong X-Review-Token")
            try:
                return fn(*args, **kwargs)
            except EditError as exc:
                return jsonify(error=str(exc)), 409
        guarded.__name__ = fn.__name__
        return guarded

    def body() -> dict:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, "expected a JSON object")
        return data

    def video_or_404(video_id: str) -> dict:
        try:
            return session.video(video_id)
        except KeyError:
            abort(404, f"no video {video_id!r}")

    @app.get("/")
    def index():
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        return page.replace("{{TOKEN}}", app.config["TOKEN"]), 200, {"Content-Type": "text/html; charset=utf-8",
                                                                      "Cache-Control": "no-store"}

    @app.get("/static/<name>")
    def static_file(name: str):
        if name not in {"review.js", "review.css"}:
            abort(404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return (STATIC / name).read_text(encoding="utf-8"), 200, {"Content-Type": f"{kind}; charset=utf-8"}

    @app.get("/api/videos")
    def videos():
        return jsonify(videos=session.videos(), taxonomy=session.taxonomy(), out=str(session.out),
                       has_predictions=session.predictions is not None)

    @app.get("/api/videos/<video_id>")
    def video(video_id: str):
        return jsonify(video_or_404(video_id))

    @app.post("/api/videos/<video_id>/segments/<int:index>")
    @writes
    def update(video_id: str, index: int):
        video_or_404(video_id)
        data = body()
        return jsonify(session.update(video_id, index, data.get("start"), data.get("end"), data.get("label")))

    @app.post("/api/videos/<video_id>/segments")
    @writes
    def add(video_id: str):
        video_or_404(video_id)
        data = body()
        return jsonify(session.add(video_id, data["level"], data["label"], data["start"], data["end"],
                                   data.get("parent")))

    @app.delete("/api/videos/<video_id>/segments/<int:index>")
    @writes
    def delete(video_id: str, index: int):
        video_or_404(video_id)
        return jsonify(session.delete(video_id, index))

    @app.post("/api/undo")
    @writes
    def undo():
        touched = session.undo()
        return jsonify(video=touched, state=session.video(touched) if touched else None)

    @app.post("/api/save")
    @writes
    def save():
        return jsonify(session.save())

    @app.get("/videos/<path:path>")
    def media(path: str):
        return send_from_directory(video_dir, path, conditional=True)

    return app
