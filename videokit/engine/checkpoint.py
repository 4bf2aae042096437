"""Loading mmengine checkpoints under torch >= 2.6, where ``torch.load`` defaults to ``weights_only=True``.

mmengine 0.10.x pickles its message hub into every checkpoint: ``HistoryBuffer`` objects (whose
statistics methods pickle as ``getattr(buffer, "mean")``) holding numpy arrays and scalars. Those
exact globals are allow-listed here, nothing more; ``weights_only`` stays on, and a checkpoint that
carries any other object is refused with a message that names it.
"""
from __future__ import annotations

import os.path as osp
import pickle
from typing import Any, List

import numpy as np
import torch
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
