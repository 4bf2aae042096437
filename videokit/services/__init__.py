"""What serves a model or a person over HTTP: the Label Studio ML backend (:mod:`.labelstudio`, its access rules
in :mod:`.auth`) and the plumbing every web service shares (:mod:`.http`: a bounded production WSGI server and
checked JSON request bodies; ``videokit review`` uses it too)."""
from .http import MAX_BODY, RequestError, Server, answer_errors, json_body, json_object, serve_until_interrupted

__all__ = ["MAX_BODY", "RequestError", "Server", "answer_errors", "json_body", "json_object",
           "serve_until_interrupted"]
