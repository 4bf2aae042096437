"""Loading mmengine checkpoints under torch >= 2.6, where ``torch.load`` defaults to ``weights_only=True``.

mmengine 0.10.x pickles its message hub into every checkpoint: ``HistoryBuffer`` objects (whose
statistics methods pickle as ``getattr(buffer, "mean")``) holding numpy arrays and scalars. Those
exact globals are allow-listed here, nothing more; ``weights_only`` stays on, and a checkpoint that
carries any other object is refused with a message that names it.
"""
from __future__ import annotations

import os.path as osp
import pickle
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

_APPLIED = False


class CheckpointRefused(pickle.UnpicklingError):
    """A checkpoint that carries objects outside videokit's allow-list."""


def _numpy_globals() -> List[Any]:
    try:  # numpy >= 2 moved the pickled helpers to numpy._core
        from numpy._core import multiarray
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray
    found = [np.ndarray, np.dtype, multiarray._reconstruct, multiarray.scalar]
    dtypes = getattr(np, "dtypes", None)  # numpy >= 1.25 pickles dtypes by their class
    if dtypes is not None:
        found += [getattr(dtypes, name) for name in dir(dtypes) if name.endswith("DType")]
    return found


def mmengine_checkpoint_globals() -> List[Any]:
    """The globals an mmengine checkpoint's pickle refers to besides tensors and containers."""
    return [HistoryBuffer, getattr] + _numpy_globals()


def load_local_checkpoint(filename: str, map_location: Any = None) -> Any:
    """mmengine's local checkpoint loader, with ``weights_only=True`` and a clear refusal."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f"{filename} can not be found.")
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        detail = str(exc).strip().splitlines()
        reason = next((line for line in detail if "Unsupported global" in line or "GLOBAL" in line),
                      detail[0] if detail else "unknown object")
        raise CheckpointRefused(
            f"{filename}: refused: the checkpoint carries an object outside videokit's allow-list "
            f"(mmengine's HistoryBuffer, numpy arrays/scalars): {reason.strip()}. Checkpoints load with "
            f"weights_only=True; re-save it with plain tensors and containers only.") from None


def allow_mmengine_checkpoints() -> None:
    """Allow-list mmengine's checkpoint contents and route local loads through the loader above."""
    global _APPLIED
    if _APPLIED:
        return
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
    CheckpointLoader.register_scheme(prefixes="", loader=load_local_checkpoint, force=True)
    _APPLIED = True


def _state_dict(checkpoint: Any) -> Dict[str, torch.Tensor]:
    state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else checkpoint
    if not isinstance(state, dict):
        raise ValueError("not a checkpoint: no state_dict")
    return {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()
            if isinstance(v, torch.Tensor)}


@dataclass
class InitReport:
    """What loading initial weights did, key by key."""

    loaded: List[str] = field(default_factory=list)
    left_at_init: List[str] = field(default_factory=list)  # in the model, not in the file (the new heads)
    unused: List[str] = field(default_factory=list)  # in the file, not in the model
    mismatched: List[Tuple[str, tuple, tuple]] = field(default_factory=list)  # (key, file shape, model shape)

    def summary(self, name: str) -> str:
        def some(keys: List[str]) -> str:
            return (" (" + ", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "") + ")") if keys else ""

        shapes = "; ".join(f"{k}: file {list(a)} vs model {list(b)}" for k, a, b in self.mismatched[:4])
        return (f"initial weights {name}: {len(self.loaded)} keys loaded, {len(self.left_at_init)} left at their "
                f"init{some(self.left_at_init)}, {len(self.unused)} in the file that the model lacks"
                f"{some(self.unused)}, {len(self.mismatched)} shape mismatches"
                + (f" ({shapes}{', ...' if len(self.mismatched) > 4 else ''})" if shapes else ""))


def load_initial_weights(model: torch.nn.Module, path: str) -> InitReport:
    """Load the tensors of the checkpoint at ``path`` that fit ``model`` (same name and shape); the rest of
    the model keeps its init. Returns what happened to each key (:meth:`InitReport.summary`)."""
    state = _state_dict(load_local_checkpoint(path, map_location="cpu"))
    own = model.state_dict()
    report = InitReport()
    usable = {}
    for key, value in state.items():
        if key not in own:
            report.unused.append(key)
        elif tuple(own[key].shape) != tuple(value.shape):
            report.mismatched.append((key, tuple(value.shape), tuple(own[key].shape)))
        else:
            usable[key] = value
            report.loaded.append(key)
    report.left_at_init = [k for k in own if k not in usable]
    model.load_state_dict(usable, strict=False)
    return report


@HOOKS.register_module()
class InitialWeightsHook(Hook):
    """Load a config's initial weights (``load_from``) once the model's own init has run, before the first
    epoch, and log one line: keys loaded, keys left at their init (the new heads), keys in the file the model
    lacks, shape mismatches by name (``tools/train.py`` puts it in place of mmengine's loading)."""

    priority = "VERY_HIGH"

    def __init__(self, checkpoint: str, source: str = "") -> None:
        self.checkpoint, self.source = checkpoint, source or checkpoint

    def before_train(self, runner) -> None:
        from mmengine.model import is_model_wrapper

        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        report = load_initial_weights(model, self.checkpoint)
        runner.logger.info(report.summary(self.source.rsplit("/", 1)[-1]))


# the one place the allow-list is applied: on import of videokit.models (register, tools, prediction all import it)
allow_mmengine_checkpoints()
