"""The one owner of the feature file format: ``<video_id>.npy`` (windows x channels) and its JSON sidecar.

``tools/extract_features.py`` writes the pair through :meth:`FeatureFolder.write` with the sidecar that
:func:`sidecar` builds (the schema lives here and nowhere else); the feature datasets, the workflow dataset
and ``videokit predict`` read it through :meth:`FeatureFolder.meta` / :meth:`FeatureFolder.load` /
:meth:`FeatureFolder.spec_of`. Features made by other tools (ActionFormer's / OpenTAD's layout: one ``.npy``
of shape [T, C] per video, no sidecar) are read through the same class when a
:class:`~videokit.features.spec.FeatureSpec` states how they were cut (fps, stride, window, offset), as a
config does.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, Optional, Sequence, Union

import numpy as np

from ..utils import PathLike, atomic_output
from .spec import FeatureSpec

#: sidecar keys the writer always records
REQUIRED = ("fps", "num_frames", "window", "stride", "times")


def sidecar(spec: FeatureSpec, fps: float, num_frames: int, window: int, stride: int, times: Sequence[float],
            **provenance: object) -> Dict:
    """The sidecar of one video's features: how they were cut (frames, at the video's ``fps``), the centre
    time of every position, and where they came from (``backbone``, ``config``, ``checkpoint``, ...)."""
    return {"fps": float(fps), "num_frames": int(num_frames), "window": int(window), "stride": int(stride),
            "frames_per_window": spec.frames_per_window, "size": spec.size, "offset": spec.offset,
            "fixed_length": spec.fixed_length, "times": [round(float(t), 4) for t in times], **provenance}


class FeatureFileError(ValueError):
    """A feature file or sidecar that cannot be read as such (names the file and the field)."""


class FeatureFolder:
    """A folder of per-video features; ``spec`` set = external features without sidecars."""

    def __init__(self, root: PathLike, spec: Optional[Union[FeatureSpec, Dict]] = None) -> None:
        self.root = Path(root)
        self.spec = FeatureSpec.from_dict(spec) if isinstance(spec, dict) else spec

    # ---------------------------------------------------------------- paths
    def array_path(self, video_id: str) -> Path:
        return self.root / f"{video_id}.npy"

    def sidecar_path(self, video_id: str) -> Path:
        return self.root / f"{video_id}.json"

    def has(self, video_id: str) -> bool:
        """Complete features for ``video_id`` (the array, and its sidecar unless ``spec`` stands in)."""
        return self.array_path(video_id).is_file() and (self.spec is not None or self.sidecar_path(video_id).is_file())


    # ---------------------------------------------------------------- reading
    def meta(self, video_id: str, duration: Optional[float] = None) -> Dict:
        """The sidecar (or, for external features, one built from ``spec`` and the array's length;
        ``duration`` places resampled, fixed-length ones)."""
        if self.spec is not None and not self.sidecar_path(video_id).is_file():
            length = int(np.load(self.array_path(video_id), mmap_mode="r").shape[0])
            fps = self.spec.fps or 1.0
            window, stride = self.spec.in_frames(fps)
            meta = sidecar(self.spec, fps, 0, window, stride, self.spec.times(length, fps, duration))
            meta.update(video_id=video_id, num_frames=None, external=True)
            return meta
        path = self.sidecar_path(video_id)
        try:
            meta = json.loads(path.read_bytes().decode("utf-8"), parse_constant=_no_constant)
        except (OSError, ValueError, RecursionError) as exc:
            raise FeatureFileError(f"{path}: not a features sidecar ({str(exc).splitlines()[0][:120]})") from None
        if not isinstance(meta, dict):
            raise FeatureFileError(f"{path}: not a features sidecar (expected a JSON object)")
        times = meta.get("times")  # the one field every reader needs; the rest is checked where it is used
        if not isinstance(times, list) or not all(isinstance(t, (int, float)) and not isinstance(t, bool)
                                                  and math.isfinite(t) for t in times):
            raise FeatureFileError(f"{path}: sidecar field 'times' must be a list of finite seconds")
        return meta

    def spec_of(self, video_id: str, size: Optional[int] = None) -> FeatureSpec:
        """How ``video_id``'s features were cut, read back from its sidecar (or the folder's own spec)."""
        if self.spec is not None and not self.sidecar_path(video_id).is_file():
            return self.spec
        meta = self.meta(video_id)
        try:
            return FeatureSpec.from_sidecar(meta, size)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise FeatureFileError(f"{self.sidecar_path(video_id)}: {str(exc).splitlines()[0][:160]}") from None

    def load(self, video_id: str) -> np.ndarray:
        """The (T, C) features as float32."""
        path = self.array_path(video_id)
        try:
            array = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise FeatureFileError(f"{path}: no such feature file") from None
        except Exception as exc:  # noqa: BLE001 -- numpy raises ValueError, OSError, EOFError, SyntaxError ...
            first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise FeatureFileError(f"{path}: not a feature array ({first})") from None
        if array.ndim != 2:
            raise FeatureFileError(f"{path}: features must be [T, C], not shape {tuple(array.shape)}")
        if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
            raise FeatureFileError(f"{path}: features must be numbers, not {array.dtype}")
        return array.astype(np.float32, copy=False)

    def first_meta(self) -> Optional[Dict]:
        """The sidecar of the first video in the folder (how the folder's features were cut), or None."""
        first = next(iter(sorted(self.root.glob("*.json"))), None) if self.root.is_dir() else None
        return self.meta(first.stem) if first is not None else None

    # ---------------------------------------------------------------- writing
    def write(self, video_id: str, features: np.ndarray, meta: Dict) -> None:
        """Write the pair atomically (array first, sidecar last: a sidecar means complete features)."""
        meta = dict(meta, video_id=video_id, feature_dim=int(features.shape[1]), dtype=str(features.dtype))
        missing = [key for key in REQUIRED if key not in meta]
        if missing:
            raise ValueError(f"features of {video_id}: meta lacks {missing[0]!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        with atomic_output(self.array_path(video_id)) as tmp:
            with open(tmp, "wb") as handle:
                np.save(handle, features)
        with atomic_output(self.sidecar_path(video_id)) as tmp:
            tmp.write_text(json.dumps(meta))


def _no_constant(token: str) -> float:
    raise ValueError(f"{token} is not a JSON number")
