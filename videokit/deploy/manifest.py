"""What a model file carries besides its network: everything prediction needs, so that a model runs where
training never will (:mod:`videokit.runtime`: no config, no checkpoint, no torch).

The manifest is one JSON object in the ONNX file's metadata (key ``videokit``): its format and version, the
levels and the taxonomy (class names, parents), the window and stride of prediction, how the test pipeline
samples a window's frames and transforms them, the data preprocessor's normalisation, the model version and the
source checkpoint's hash, and the int8 flag with the agreement the export measured. Reading it back is
:func:`videokit.runtime.model_file.read_manifest`'s, which owns the format's name and version.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from .. import __version__
from ..annotations import Taxonomy
from ..runtime.model_file import FORMAT, KEY, VERSION
from ..utils import file_sha256

#: the test-pipeline steps the runtime reproduces (the rest of a pipeline makes a manifest prediction refuses)
RUNTIME_STEPS = ("VideoInit", "SampleTimeRangeFrames", "VideoDecode", "Resize", "CenterCrop", "FormatShape",
                 "PackActionInputs")


def file_hash(path: Optional[str]) -> Optional[str]:
    """SHA-256 of a file (``None`` for no checkpoint: random init)."""
    if not path or str(path).lower() == "none":
        return None
    return file_sha256(path)


def _transforms(pipeline: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """The pipeline as the runtime reproduces it: the sampling, then resize / crop / format steps in order."""
    sampling: Optional[Dict[str, Any]] = None
    steps: List[Dict[str, Any]] = []
    unsupported: List[str] = []
    for step in pipeline:
        kind = step.get("type")
        if kind == "SampleTimeRangeFrames":
            sampling = {"mode": step.get("mode", "tsn"), "clip_len": int(step.get("clip_len", 1)),
                        "num_clips": int(step.get("num_clips", 8)),
                        "frame_interval": int(step.get("frame_interval", 1))}
        elif kind == "Resize":
            scale = step["scale"]
            steps.append({"op": "resize", "scale": list(scale) if isinstance(scale, (list, tuple)) else float(scale),
                          "keep_ratio": bool(step.get("keep_ratio", True)),
                          "interpolation": step.get("interpolation", "bilinear")})
        elif kind == "CenterCrop":
            size = step["crop_size"]
            steps.append({"op": "center_crop", "size": [size, size] if isinstance(size, int) else list(size)})
        elif kind == "FormatShape":
            steps.append({"op": "format", "input_format": step.get("input_format", "NCHW")})
        elif kind not in RUNTIME_STEPS:
            unsupported.append(str(kind))
    return {"sampling": sampling, "steps": steps, "unsupported": unsupported}


def recognizer_manifest(cfg, model, taxonomy: Taxonomy, levels: Sequence[str], checkpoint: Optional[str],
                        window: float, stride: float) -> Dict[str, Any]:
    """The manifest of an exported recognizer (see the module docstring)."""
    preprocessor = model.data_preprocessor
    mean = getattr(preprocessor, "mean", None)
    std = getattr(preprocessor, "std", None)
    digest = file_hash(checkpoint)
    name = Path(checkpoint).name if digest else "random-init"
    pipeline = _transforms(list(cfg.test_dataloader.dataset.pipeline))
    return {
        "format": FORMAT, "version": VERSION, "videokit": __version__, "part": "recognizer",
        "levels": list(levels), "taxonomy": taxonomy.to_dict(),
        "window": float(window), "stride": float(stride),
        "sampling": pipeline["sampling"], "transforms": pipeline["steps"], "unsupported": pipeline["unsupported"],
        "preprocessor": {"mean": None if mean is None else [float(v) for v in mean.flatten()],
                         "std": None if std is None else [float(v) for v in std.flatten()],
                         "to_rgb": bool(getattr(preprocessor, "to_rgb", False)),
                         "format_shape": getattr(preprocessor, "format_shape", "NCHW")},
        "checkpoint": {"name": name, "sha256": digest},
        "model_version": f"videokit {name} {digest[:8]}" if digest else "videokit random-init",
        "int8": None,
    }


def write_manifest(path: Path, manifest: Dict[str, Any]) -> None:
    """Put ``manifest`` into the ONNX file at ``path`` (its metadata), in place."""
    import onnx

    model = onnx.load(str(path))
    for prop in list(model.metadata_props):
        if prop.key == KEY:
            model.metadata_props.remove(prop)
    model.metadata_props.add(key=KEY, value=json.dumps(manifest, ensure_ascii=False))
    onnx.save(model, str(path))
