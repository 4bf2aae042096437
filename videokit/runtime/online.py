"""A video streamed online through two model files, without the training stack: an exported feature backbone
(``videokit export ... --part backbone``) and an exported workflow step (``--part workflow``). The workflow
step's manifest says how its features were cut, its classes, steps per second and horizon; the backbone's, the
frames it takes; the two must fit (one error naming both files otherwise). The streaming itself is
:func:`videokit.inference.online.stream_to_files`, the same code the full install runs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict

from ..annotations import Taxonomy
from ..features import FeatureSpec
from ..inference.runtime import OnnxBackbone, OnnxWorkflow
from ..utils import PathLike
from .model_file import ModelFileError, _session, read_manifest


@dataclass
class OnlineModelFiles:
    """An exported backbone and workflow step, open, with what streaming needs from their manifests."""

    backbone: OnnxBackbone
    workflow: OnnxWorkflow
    spec: FeatureSpec
    taxonomy: Taxonomy
    level: str
    step_fps: float
    version: str


def open_online(backbone: PathLike, workflow: PathLike, device: str = "cpu") -> OnlineModelFiles:
    """The two model files, checked (see the module docstring); any problem is one :class:`ModelFileError`."""
    manifests: Dict[str, Dict[str, Any]] = {}
    sessions = {}
    for part, path in (("backbone", Path(backbone)), ("workflow", Path(workflow))):
        if not path.is_file():
            raise ModelFileError(f"{path}: no such model file")
        sessions[part] = _session(path, device)
        manifests[part] = read_manifest(path, sessions[part], part=part)
    network = OnnxBackbone(backbone, device, loaded=sessions["backbone"])
    step = OnnxWorkflow(workflow, device, loaded=sessions["workflow"])
    wanted = manifests["workflow"]
    if wanted["feature_spec"] is None:
        raise ModelFileError(f"{workflow}: records no feature spec (no features sidecar was found at its export): "
                             "export it again with --features-like FEATURES/<video>.json, or predict with "
                             "--workflow-config")
    try:
        spec = FeatureSpec.from_dict(wanted["feature_spec"])
        taxonomy = Taxonomy.from_dict(wanted["taxonomy"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{workflow}: the manifest cannot be read ({exc})") from None
    have = manifests["backbone"]
    if (have["frames_per_window"], have["size"]) != (spec.frames_per_window, spec.size):
        raise ModelFileError(f"{backbone} takes {have['frames_per_window']} frames of {have['size']} px per window; "
                             f"{workflow} was trained on features of {spec.frames_per_window} frames of {spec.size} "
                             "px: export the backbone with --frames-per-window and --size to match")
    if isinstance(network.channels, int) and network.channels != step.channels:
        raise ModelFileError(f"{backbone} gives {network.channels}-wide features; {workflow} reads "
                             f"{step.channels}-wide ones: not the backbone its features came from")
    step.horizon = float(wanted["horizon"])
    level = wanted["levels"][0]
    if level not in taxonomy.level_names:
        raise ModelFileError(f"{workflow}: level {level!r} is not in its taxonomy")
    return OnlineModelFiles(network, step, spec, taxonomy, level, float(wanted["step_fps"]),
                            f"{have['model_version']} + {wanted['model_version']}")
