"""What ``tools/train.py``, ``tools/test.py`` and ``tools/extract_features.py`` run on mmengine's Runner
(arguments, distributed launch, feature extraction). The hooks they use are registered where they are defined:
``SkippedVideosHook`` in :mod:`videokit.datasets`, ``InitialWeightsHook`` and the checkpoint allow-list in
:mod:`videokit.models`."""
import importlib
import warnings

#: names this package re-exported before, and where they live
MOVED = {"SkippedVideosHook": "videokit.datasets", "InitialWeightsHook": "videokit.models",
         "CheckpointRefused": "videokit.models", "allow_mmengine_checkpoints": "videokit.models.checkpoint"}


def __getattr__(name: str):
    if name in MOVED:
        warnings.warn(f"videokit.engine.{name} is {MOVED[name]}.{name}; the old path goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
