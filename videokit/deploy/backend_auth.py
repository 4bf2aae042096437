"""Moved to :mod:`videokit.services.auth` (serving a model is a service's job);
this path is kept for one release."""
from ..services.auth import PASSWORD_ENV, guard_requests, is_local  # noqa: F401
from ..utils.moved import moved

moved(__name__, "videokit.services.auth")
