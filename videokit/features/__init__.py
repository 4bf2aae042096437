"""The feature contract: how features are cut (:mod:`.spec`), stored (:mod:`.files`), extracted
(:mod:`.extraction`) and computed from frames (:mod:`.backbone`).

``import videokit.features`` stays free of torch: the spec and the files are numpy only; ``extract_features``
and ``video_features`` (torch) load on first use. Nothing here imports ``inference``, ``datasets`` or
``engine``: they import this.
"""
from .files import FeatureFileError, FeatureFolder, sidecar
from .spec import FeatureSpec, axis, to_seconds, to_units

__all__ = ["FeatureFileError", "FeatureFolder", "FeatureSpec", "axis", "extract_features", "sidecar", "to_seconds",
           "to_units", "video_features"]


def __getattr__(name: str):
    if name in ("extract_features", "video_features", "plan_video", "resample"):
        from . import extraction

        return getattr(extraction, name)
    raise AttributeError(f"module 'videokit.features' has no attribute {name!r}")
