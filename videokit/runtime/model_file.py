"""Reading a videokit model file: the ONNX network and its manifest (what ``videokit export`` writes; the
fields are :mod:`videokit.deploy.manifest`'s). A file of another format version, an ONNX model without the
manifest, or a cut-off file is one clear error naming the file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from ..annotations import Taxonomy
from ..utils import PathLike

FORMAT = "videokit-model"
#: the manifest's version this videokit reads (and writes)
VERSION = 1
#: the ONNX metadata key holding the manifest
KEY = "videokit"


class ModelFileError(ValueError):
    """A model file this videokit cannot run (names the file and why)."""


def _session(path: Path, device: str = "cpu", threads: Optional[int] = None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.startswith("cuda") else \
        ["CPUExecutionProvider"]
    available = set(ort.get_available_providers())
    try:
        return ort.InferenceSession(str(path), options, providers=[p for p in providers if p in available])
    except Exception as exc:  # onnxruntime raises its own classes for a broken protobuf, a bad graph ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(f"{path}: not a whole ONNX model (cut off, or not a model file): {first[:200]}") from None


#: the fields each part's manifest must hold (:mod:`videokit.deploy.manifest` writes them)
REQUIRED = {
    "recognizer": ("levels", "taxonomy", "window", "stride", "sampling", "transforms", "preprocessor"),
    "backbone": ("frames_per_window", "size"),
    "workflow": ("levels", "taxonomy", "feature_spec", "step_fps", "horizon"),
}


def read_manifest(path: PathLike, session=None, part: Optional[str] = None) -> Dict[str, Any]:
    """The manifest of the model file at ``path``, checked: its format and version, the part (``part``: the one
    wanted), the fields prediction uses."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    session = session or _session(path)
    meta = session.get_modelmeta().custom_metadata_map
    if KEY not in meta:
        raise ModelFileError(f"{path}: an ONNX model without videokit's manifest (not written by `videokit export`, "
                             "or by a videokit before 0.2); export it again, or predict with --config and "
                             "--checkpoint")
    try:
        manifest = json.loads(meta[KEY])
    except ValueError as exc:
        raise ModelFileError(f"{path}: its videokit manifest is not JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path}: the {KEY!r} metadata is not a videokit model manifest")
    if manifest.get("version") != VERSION:
        raise ModelFileError(f"{path}: model file format version {manifest.get('version')!r} (written by videokit "
                             f"{manifest.get('videokit', '?')}); this videokit reads version {VERSION}: export the "
                             "model again with this videokit")
    found = manifest.get("part")
    if found not in REQUIRED:
        raise ModelFileError(f"{path}: the manifest names no part videokit runs ({found!r})")
    if part is not None and found != part:
        raise ModelFileError(f"{path}: a {found} model; this needs a {part} (videokit export --part {part})")
    missing = [k for k in ("model_version", *REQUIRED[found]) if k not in manifest]
    if missing:
        raise ModelFileError(f"{path}: the manifest lacks {', '.join(missing)}")
    return manifest


class ModelFile:
    """An open model file: its manifest, taxonomy and levels, and the network in onnxruntime."""

    def __init__(self, path: PathLike, device: str = "cpu", threads: Optional[int] = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelFileError(f"{self.path}: no such model file")
        self.session = _session(self.path, device, threads)
        self.manifest = read_manifest(self.path, self.session, part="recognizer")
        try:
            self.taxonomy = Taxonomy.from_dict(self.manifest["taxonomy"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{self.path}: the manifest's taxonomy cannot be read ({exc})") from None
        self.levels: List[str] = list(self.manifest["levels"])
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.input = self.session.get_inputs()[0].name
        self.version: str = self.manifest["model_version"]
        self.int8 = self.manifest.get("int8")

    def __call__(self, inputs: np.ndarray) -> Dict[str, np.ndarray]:
        """Probabilities per level of preprocessed clips ``inputs``."""
        values = self.session.run(self.outputs, {self.input: np.ascontiguousarray(inputs, dtype=np.float32)})
        levels = self.levels if len(self.levels) == len(values) else [f"level{i}" for i in range(len(values))]
        return dict(zip(levels, values))

    def is_quantized(self) -> bool:
        return bool(self.int8)
