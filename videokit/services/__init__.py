"""The web services' shared plumbing: a bounded production WSGI server and checked JSON request bodies."""
from .http import MAX_BODY, RequestError, Server, answer_errors, json_body, json_object, serve_until_interrupted

__all__ = ["MAX_BODY", "RequestError", "Server", "answer_errors", "json_body", "json_object",
           "serve_until_interrupted"]
