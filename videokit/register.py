"""Importing this module registers everything videokit adds to mmaction2's registries.

Configs name it in ``custom_imports = dict(imports=["videokit.register"])``; tools call
:func:`register_all_modules`. It also makes mmengine checkpoints load under torch >= 2.6.
"""
from __future__ import annotations


def register_all_modules(init_default_scope: bool = True) -> None:
    """mmaction2's modules (default scope ``mmaction``) plus videokit's datasets, transforms, models,
    metrics and hooks."""
    from mmaction.utils import register_all_modules as register_mmaction

    register_mmaction(init_default_scope=init_default_scope)
    from . import datasets, models  # noqa: F401  (each registers on import; models applies the allow-list)
    from .evaluation import metrics  # noqa: F401


register_all_modules(init_default_scope=False)
