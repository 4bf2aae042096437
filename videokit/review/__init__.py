"""``videokit review``: a local page where an annotator sees a video under its hierarchical timeline,
finds what validation flags, fixes boundaries and labels, and saves back (:mod:`.session` holds the
edits and the validation, :mod:`.server` the web layer, ``static/`` the page)."""
from .session import EditError, ReviewSession

__all__ = ["EditError", "ReviewSession", "create_app"]


def create_app(*args, **kwargs):
    """The Flask app (imported on first use: Flask is needed only to serve the page)."""
    from .server import create_app as build

    return build(*args, **kwargs)
