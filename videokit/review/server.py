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

from ..services import answer_errors, json_object
from ..utils import PathLike
from .errors import EditError, InvalidValue, SaveConflict, StaleEdit
from .session import ReviewSession
from .trust import guard

STATIC = resources.files("videokit.review") / "static"


def create_app(session: ReviewSession, video_dir: PathLike, token: str = "",
               allowed_hosts: Iterable[str] = ()) -> Flask:
    """The review app over ``session``; videos come from ``video_dir``. ``allowed_hosts`` adds names the
    page may be reached by (the ``--host`` a server listens on beyond this machine)."""
    app = Flask("videokit.review", static_folder=None)
    answer_errors(app, page=lambda path: path == "/" or path.startswith(("/static/", "/videos/")))
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
    """An edit the session refuses answers with the reason: a value no segment can hold 400 naming the field;
    stale, conflicting or invalid under the hierarchy 409."""
    def guarded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InvalidValue as exc:
            return jsonify(error=str(exc), field=exc.field), 400
        except StaleEdit as exc:
            return jsonify(error=str(exc), stale=True, state=exc.state), 409
        except SaveConflict as exc:
            return jsonify(error=str(exc), conflict=exc.details), 409
        except EditError as exc:
            return jsonify(error=str(exc)), 409
    guarded.__name__ = fn.__name__
    return guarded


def _field(data: dict, name: str):
    if name not in data:
        raise InvalidValue(name, f"missing field {name!r}")
    return data[name]


def _api_routes(app: Flask, session: ReviewSession) -> None:
    """The JSON API: videos and segment edits (undo, save and reload: :func:`_saving_routes`)."""

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
        data = json_object()
        return jsonify(session.update(video_id, index, data.get("start"), data.get("end"), data.get("label"),
                                      version=data.get("version")))

    @app.post("/api/videos/<path:video_id>/segments")
    @conflict
    def add(video_id: str):
        video_or_404(video_id)
        data = json_object()
        return jsonify(session.add(video_id, _field(data, "level"), _field(data, "label"), _field(data, "start"),
                                   _field(data, "end"), data.get("parent"), version=data.get("version")))

    @app.delete("/api/videos/<path:video_id>/segments/<int:index>")
    @conflict
    def delete(video_id: str, index: int):
        video_or_404(video_id)
        version = request.args.get("version")
        if version is not None and not (version.isascii() and version.isdigit() and len(version) <= 30):
            raise InvalidValue("version", f"version: expected an integer ({version!r:.60})")
        return jsonify(session.delete(video_id, index, version=None if version is None else int(version)))

    _saving_routes(app, session)


def _saving_routes(app: Flask, session: ReviewSession) -> None:
    """Undo, save (or save as), reload another session's save and re-apply."""

    @app.post("/api/undo")
    @conflict
    def undo():
        touched = session.undo()
        return jsonify(video=touched, state=session.video(touched) if touched else None)

    @app.post("/api/save")
    @conflict
    def save():
        name = json_object(required=False).get("as")
        if name is not None and not isinstance(name, str):
            raise InvalidValue("as", f"as: expected a file name, got {type(name).__name__}")
        return jsonify(session.save(as_name=name))

    @app.post("/api/reload")
    @conflict
    def reload():
        return jsonify(session.reload_and_reapply())
