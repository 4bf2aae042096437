"""What both web services (``videokit review`` and ``videokit serve labelstudio``) share: a production WSGI
server that bounds what one request may cost, and request bodies read with the annotation readers' JSON checks.

The server is waitress (pure Python, runs wherever videokit does; Label Studio's own ML backends run gunicorn,
which needs a Unix fork model and a process per worker). It reads a body only up to :data:`MAX_BODY` (chunked
or not: a body past 512 KB is buffered in a temporary file, not in memory, and one past the limit is answered
413), headers up to :data:`MAX_HEADERS`, answers from a fixed pool of threads, and drops connections idle past a
timeout.
"""
from __future__ import annotations

import logging
import signal
import threading
from typing import Any, Callable, Dict

from flask import Flask, jsonify, request
from waitress.server import create_server
from werkzeug.exceptions import HTTPException

from ..annotations.errors import AnnotationError
from ..annotations.formats._common import MAX_DEPTH, parse_json

LOG = logging.getLogger("videokit.services")

#: the largest request body either service reads (Label Studio's /predict for a whole project with its
#: labeling config is well under 1 MB)
MAX_BODY = 16 * 1024 * 1024
#: the largest request line + headers
MAX_HEADERS = 64 * 1024
#: worker threads: requests answered at once (the rest wait in the accept queue)
THREADS = 8
#: seconds a connection may stay idle (no bytes in either direction) before it is closed
IDLE_TIMEOUT = 60


class RequestError(Exception):
    """A request the service refuses as malformed: answered ``status`` with a JSON body naming the field."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def json_body(required: bool = True) -> Any:
    """The request's JSON body, checked as the readers check a file: UTF-8, syntax, no ``NaN`` / ``Infinity``,
    no integer of more than 30 digits, nesting of at most ``MAX_DEPTH`` levels, no lone surrogate. An empty
    body is ``None`` unless ``required``; anything else wrong is :class:`RequestError` naming the field."""
    data = request.get_data(cache=True)
    if not data.strip():
        if required:
            raise RequestError("body", "expected a JSON body")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RequestError("body", f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    try:
        return parse_json(text, "request body")
    except AnnotationError as exc:
        finding = exc.finding
        where = f"{finding.record}: " if finding.record else ""
        raise RequestError(finding.field, f"{where}{finding.message}") from None


def json_object(required: bool = True) -> Dict[str, Any]:
    """:func:`json_body` that must be a JSON object (``{}`` for an empty body that is not ``required``)."""
    body = json_body(required)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise RequestError("body", f"expected a JSON object, got {type(body).__name__}")
    return body


def answer_errors(app: Flask, page: Callable[[str], bool] = lambda path: False) -> None:
    """Every failure of ``app`` as a deliberate JSON answer: a malformed request 4xx naming the field, an HTTP
    error its code, any other exception a 500 that is logged here and never echoes a traceback. ``page(path)``:
    the routes a browser reads (their HTTP errors keep werkzeug's plain answer)."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @app.errorhandler(RequestError)
    def refused(exc: RequestError):
        return jsonify(error=exc.message, field=exc.field), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if page(request.path):
            return exc
        return jsonify(error=exc.description or exc.name), exc.code

    @app.errorhandler(Exception)
    def fault(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        LOG.exception("%s %s failed", request.method, request.path)
        return jsonify(error=f"internal error ({type(exc).__name__}); the service goes on, its log has the "
                             "details"), 500


class Server:
    """A waitress server on ``host:port`` (0: a free port) serving ``app``: ``server_port``, ``serve_forever()``
    (until :meth:`shutdown` or SIGINT), ``shutdown()``, ``server_close()``."""

    def __init__(self, host: str, port: int, app, threads: int = THREADS) -> None:
        self._server = create_server(app, host=host, port=port, threads=threads, ident="videokit",
                                     max_request_body_size=MAX_BODY, max_request_header_size=MAX_HEADERS,
                                     channel_timeout=IDLE_TIMEOUT, connection_limit=100,
                                     clear_untrusted_proxy_headers=True, expose_tracebacks=False)
        self.server_port: int = self._server.effective_port
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            self._server.run()
        except (SystemExit, KeyboardInterrupt):
            raise
        except Exception:  # closed from another thread while its loop was waiting
            if not self._stopped.is_set():
                raise

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread)."""
        self._stopped.set()
        self._server.close()

    def server_close(self) -> None:
        self.shutdown()
        self._server.task_dispatcher.shutdown()


def serve_until_interrupted(server: Server, announce: str = "") -> None:
    """Print ``announce`` (where the service listens), serve until Ctrl+C or SIGINT, then close the socket.
    SIGINT stops it even where the process was started with SIGINT ignored (a job put in the background by a
    script inherits that), and a Ctrl+C that comes right after the announcement is a clean stop too: the handler
    is in place before it is printed."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if announce:
            print(announce, flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


__all__ = ["MAX_BODY", "MAX_DEPTH", "RequestError", "Server", "answer_errors", "json_body", "json_object",
           "serve_until_interrupted"]
