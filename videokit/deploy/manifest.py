"""What a model file carries besides its network: everything prediction needs, so that a model runs where
training never will (:mod:`videokit.runtime`: no config, no checkpoint, no torch).

The manifest is one JSON object in the ONNX file's metadata (key ``videokit``): its format and version, the
levels and the taxonomy (class names, parents), the window and stride of prediction, how the test pipeline
samples a window's frames and transforms them, the data preprocessor's normalisation, the model version and the
source checkpoint's hash, and the int8 flag with the agreement the export measured. A backbone's manifest says
the frames it takes; a workflow step's its classes, how its features were cut, its steps per second and horizon:
the two together stream a video online (``videokit predict --online --model B --workflow-model W``). Reading it back is
:func:`videokit.runtime.model_file.read_manifest`'s, which owns the format's name and version.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from .. import __version__
from ..annotations import Taxonomy
from ..features import FeatureSpec
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


def _identity(part: str, checkpoint: Optional[str]) -> Dict[str, Any]:
    """What every manifest starts with: the format and version, the part, the source checkpoint and the model
    version a prediction carries."""
    digest = file_hash(checkpoint)
    name = Path(checkpoint).name if digest else "random-init"
    return {"format": FORMAT, "version": VERSION, "videokit": __version__, "part": part,
            "checkpoint": {"name": name, "sha256": digest},
            "model_version": f"videokit {name} {digest[:8]}" if digest else "videokit random-init"}


def recognizer_manifest(cfg, model, taxonomy: Taxonomy, levels: Sequence[str], checkpoint: Optional[str],
                        window: float, stride: float) -> Dict[str, Any]:
    """The manifest of an exported recognizer (see the module docstring)."""
    preprocessor = model.data_preprocessor
    mean = getattr(preprocessor, "mean", None)
    std = getattr(preprocessor, "std", None)
    pipeline = _transforms(list(cfg.test_dataloader.dataset.pipeline))
    return {
        **_identity("recognizer", checkpoint),
        "levels": list(levels), "taxonomy": taxonomy.to_dict(),
        "window": float(window), "stride": float(stride),
        "sampling": pipeline["sampling"], "transforms": pipeline["steps"], "unsupported": pipeline["unsupported"],
        "preprocessor": {"mean": None if mean is None else [float(v) for v in mean.flatten()],
                         "std": None if std is None else [float(v) for v in std.flatten()],
                         "to_rgb": bool(getattr(preprocessor, "to_rgb", False)),
                         "format_shape": getattr(preprocessor, "format_shape", "NCHW")},
        "int8": None,
    }


def backbone_manifest(checkpoint: Optional[str], frames_per_window: int, size: int) -> Dict[str, Any]:
    """The manifest of an exported feature backbone: the frames it takes per window and their size (its
    normalisation is inside the network)."""
    return {**_identity("backbone", checkpoint), "frames_per_window": int(frames_per_window), "size": int(size)}


def workflow_manifest(model, taxonomy: Taxonomy, level: str, spec: Optional[FeatureSpec], step_fps: float,
                      checkpoint: Optional[str]) -> Dict[str, Any]:
    """The manifest of an exported workflow step: its classes (``level`` of ``taxonomy``), how the features it
    reads were cut (``spec``: the backbone's windows; None where no sidecar said), the steps per second and the
    anticipation horizon."""
    return {**_identity("workflow", checkpoint), "levels": [level], "taxonomy": taxonomy.to_dict(),
            "feature_spec": spec.to_dict() if spec is not None else None, "step_fps": float(step_fps),
            "horizon": float(model.horizon), "receptive_field": int(model.receptive_field)}


def write_manifest(path: Path, manifest: Dict[str, Any]) -> None:
    """Put ``manifest`` into the ONNX file at ``path`` (its metadata), in place."""
    import onnx

    model = onnx.load(str(path))
    for prop in list(model.metadata_props):
        if prop.key == KEY:
            model.metadata_props.remove(prop)
    model.metadata_props.add(key=KEY, value=json.dumps(manifest, ensure_ascii=False))
    onnx.save(model, str(path))
