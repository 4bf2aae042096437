"""Moved to :mod:`videokit.services.labelstudio` (serving a model is a service's job);
this path is kept for one release."""
from ..services.labelstudio import (  # noqa: F401
    FAILED,
    PENDING,
    LabelMap,
    Predictor,
    TaskVideoError,
    VideoSource,
    create_app,
    model_version,
)
from ..utils.moved import moved

moved(__name__, "videokit.services.labelstudio")
