"""Load a trained model from its config and a local checkpoint (nothing is ever downloaded).

Shared by ``tools/extract_features.py`` and ``videokit predict``; running a backbone on frames is
:mod:`videokit.features.window_features`'s.
"""
from __future__ import annotations

import logging
from typing import Optional, Tuple

import torch

from ..configs import resolve
from ..register import register_all_modules


def load_model(config: str, checkpoint: Optional[str], device: str = "cpu") -> Tuple[torch.nn.Module, object]:
    """``(model in eval mode, Config)`` for ``config`` (a file, or a stock config's name) with ``checkpoint``
    loaded.

    ``checkpoint`` is a local file, or ``None`` / ``'none'`` for random init (tests, smoke runs);
    nothing is ever downloaded.
    """
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.logging import MMLogger
    from mmengine.runner import load_checkpoint

    register_all_modules()
    cfg = Config.fromfile(resolve(config))
    model = MODELS.build(cfg.model)
    if checkpoint and str(checkpoint).lower() != "none":
        load_checkpoint(model, str(checkpoint), map_location="cpu", logger="silent")
    else:
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)  # mmengine logs each parameter's init (~650 lines for a ResNet)
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    return model.to(device).eval(), cfg
