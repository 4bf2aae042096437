"""Export to ONNX with the equality check built in: every export is compared with PyTorch at once, on
random and real inputs (max abs difference, top-1 agreement), and the graph is checked by the ONNX checker;
a failure is an :class:`ExportError`, never a warning.

What exports (one wrapper each, the same code PyTorch runs at prediction time):
- ``recognizer``: an mmaction2 recognizer (TSN / TSM / I3D / X3D / SlowFast ..., the multi-level head with
  every level) from the preprocessed clip tensor its data preprocessor makes to class probabilities per level
  (clips averaged as its head averages them);
- ``backbone``: the feature backbone extraction runs, frames of windows -> one feature row per window
  (:class:`~videokit.features.window_features.WindowBackbone`);
- ``detector``: a temporal detector's network, features (1, C, T) and mask -> per-level logits and distances
  concatenated over positions (post-processing stays outside the graph);
- ``workflow``: the causal workflow model one step at a time, its state explicit: the last
  ``receptive_field - 1`` step features and times in, the step's phase probabilities, anticipation and the
  next state out, so streaming re-runs no history.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..features.window_features import WindowBackbone
from .manifest import write_manifest

OPSET = 17


class ExportError(RuntimeError):
    """An export that failed or whose graph disagrees with PyTorch (the message says which op or number)."""


# ------------------------------------------------------------------------------------------ wrappers
class RecognizerGraph(nn.Module):
    """Preprocessed clips (``inputs`` as the data preprocessor makes them) -> probabilities per level."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.head = model.cls_head
        self.levels = list(getattr(self.head, "levels", ["label"]))

    def forward(self, inputs: torch.Tensor):
        feats, kwargs = self.model.extract_feat(inputs, test_mode=True)
        scores = self.head(feats, **kwargs)
        scores = scores if isinstance(scores, (list, tuple)) else [scores]
        views = scores[0].shape[0] // inputs.shape[0]
        out = []
        for level_scores in scores:
            averaged = self.head.average_clip(level_scores, num_segs=views)
            if self.head.average_clips != "prob":
                averaged = averaged.softmax(-1)
            out.append(averaged)
        return tuple(out)


class DetectorGraph(nn.Module):
    """Features (1, C, T) and their mask (1, 1, T: 1 for a video's positions, 0 for the padding up to T, a
    multiple of the deepest stride) -> logits (1, K, P) and distances (1, 2, P) over all pyramid positions P
    (level by level), as the network computes them for a padded video."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, features: torch.Tensor, mask: torch.Tensor):
        levels = self.model.outputs(features, mask)
        return torch.cat([lv.logits for lv in levels], -1), torch.cat([lv.distances for lv in levels], -1)


class WorkflowStep(nn.Module):
    """One online step with explicit state: (feature (C,), time (), state features (C, S), state times (S,))
    -> (phase probabilities (K,), anticipation (K,), next state features, next state times). The state is the
    last S <= receptive_field - 1 steps (S grows from 0 at the first step): exactly the history ``step`` reads."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.keep = model.receptive_field - 1

    def forward(self, feature, time, state, state_times):
        history = torch.cat([state, feature[:, None]], 1)
        times = torch.cat([state_times, time.reshape(1)], 0)
        logits, anticipation = self.model.heads(history[None], times[None])
        return logits[0, :, -1].softmax(0), anticipation[0, :, -1], history[:, -self.keep:], times[-self.keep:]


# ------------------------------------------------------------------------------------------ export + check
@dataclass
class ExportReport:
    """What an export wrote and how it compared with PyTorch."""

    path: Path
    part: str
    inputs: Dict[str, Tuple[int, ...]]
    outputs: List[str]
    max_abs_diff: Dict[str, float] = field(default_factory=dict)
    top1_agreement: Dict[str, float] = field(default_factory=dict)
    dynamic: Dict[str, Dict[int, str]] = field(default_factory=dict)

    def lines(self) -> List[str]:
        shapes = ", ".join(f"{k} {tuple(v)}" for k, v in self.inputs.items())
        out = [f"exported {self.part} to {self.path} ({shapes}; dynamic: {self.dynamic or 'none'})"]
        for key in self.max_abs_diff:
            agree = f", top-1 agreement {self.top1_agreement[key]:.3f}" if key in self.top1_agreement else ""
            out.append(f"  {key}: max abs difference {self.max_abs_diff[key]:.2e}{agree}")
        return out


def _session(path: Path, providers: Optional[Sequence[str]] = None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=list(providers or ["CPUExecutionProvider"]))


def _export(graph: nn.Module, example: Tuple[torch.Tensor, ...], tmp: Path, input_names: List[str],
            output_names: List[str], dynamic: Dict[str, Dict[int, str]]) -> None:
    """Write the graph to ``tmp`` and run the ONNX checker on it."""
    import onnx

    graph.eval()
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        with torch.no_grad():
            torch.onnx.export(graph, example, str(tmp), input_names=input_names, output_names=output_names,
                              dynamic_axes=dynamic or None, opset_version=OPSET, dynamo=False, do_constant_folding=True)
        onnx.checker.check_model(str(tmp))
    except Exception as exc:  # the exporter names the op it cannot convert; keep its first line
        tmp.unlink(missing_ok=True)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(f"cannot export {type(graph).__name__}: {first}") from None


def _compare(graph: nn.Module, session, feeds: Dict[str, np.ndarray], names: List[str], report: ExportReport,
             tag: str, tolerance: float, classify: Sequence[str] = ()) -> None:
    with torch.no_grad():
        expected = graph(*[torch.from_numpy(v) for v in feeds.values()])
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    got = session.run(names, feeds)
    for name, want, have in zip(names, expected, got):
        want = want.detach().cpu().numpy()
        diff = float(np.max(np.abs(want - have))) if want.size else 0.0
        report.max_abs_diff[f"{tag} {name}"] = diff
        if name in classify:
            report.top1_agreement[f"{tag} {name}"] = float(np.mean(want.argmax(-1) == have.argmax(-1)))
        scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
        if not np.isfinite(diff) or diff > tolerance * scale:
            raise ExportError(f"{report.path}: output {name} differs from PyTorch on {tag} inputs by {diff:.3g} "
                              f"(tolerance {tolerance * scale:.3g})")
        if name in classify and report.top1_agreement[f"{tag} {name}"] < 1.0:
            raise ExportError(f"{report.path}: output {name}: top-1 differs from PyTorch on {tag} inputs")


def export_graph(graph: nn.Module, part: str, real: Dict[str, np.ndarray], path, output_names: List[str],
                 dynamic: Optional[Dict[str, Dict[int, str]]] = None, classify: Sequence[str] = (),
                 tolerance: float = 1e-3, random: Optional[Dict[str, np.ndarray]] = None,
                 more: Optional[Dict[str, Dict[str, np.ndarray]]] = None,
                 manifest: Optional[Dict] = None) -> ExportReport:
    """Export ``graph`` (called with the arrays of ``real`` in order), check it, compare it with PyTorch on
    ``real``, on random inputs of the same shapes (``random`` where they need a range of their own) and on
    each named input set of ``more`` (other sizes of a dynamic axis); ``manifest`` goes into its metadata
    (:mod:`.manifest`)."""
    path = Path(path)
    dynamic = dict(dynamic or {})
    names = list(real)
    example = tuple(torch.from_numpy(v) for v in real.values())
    tmp = path.with_name(f".{path.name}.tmp")
    try:  # the model reaches ``path`` only once it agrees with PyTorch: a failed check leaves nothing
        _export(graph, example, tmp, names, output_names, dynamic)
        report = ExportReport(path, part, {k: v.shape for k, v in real.items()}, output_names, dynamic=dynamic)
        session = _session(tmp)
        rng = np.random.default_rng(0)
        random = random or {k: rng.standard_normal(v.shape).astype(v.dtype) for k, v in real.items()}
        _compare(graph, session, real, output_names, report, "real", tolerance, classify)
        _compare(graph, session, random, output_names, report, "random", tolerance, classify)
        for tag, feeds in (more or {}).items():
            _compare(graph, session, feeds, output_names, report, tag, tolerance, classify)
        del session
        if manifest is not None:
            write_manifest(tmp, manifest)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return report


# ------------------------------------------------------------------------------------------ per part
def export_recognizer(model: nn.Module, inputs: torch.Tensor, path, manifest: Optional[Dict] = None) -> ExportReport:
    """``inputs``: one real batch as the model's data preprocessor made it; ``manifest``: what prediction
    needs besides the network (:func:`.manifest.recognizer_manifest`)."""
    graph = RecognizerGraph(model).eval()
    outputs = [f"prob_{level}" for level in graph.levels]
    return export_graph(graph, "recognizer", {"inputs": inputs.float().numpy()}, path, outputs,
                        dynamic={"inputs": {0: "batch"}, **{o: {0: "batch"} for o in outputs}}, classify=outputs,
                        manifest=manifest)


# ------------------------------------------------------------------------------------------ int8
#: the least top-1 agreement with fp32, per level on the check clips, of an int8 model written by default
MIN_INT8_AGREEMENT = 0.95


class _Clips:
    """onnxruntime's calibration reader over preprocessed clips, one at a time."""

    def __init__(self, name: str, clips: Sequence[np.ndarray]) -> None:
        self.name, self.clips = name, iter(clips)

    def get_next(self):
        clip = next(self.clips, None)
        return None if clip is None else {self.name: clip[None].astype(np.float32)}

    def rewind(self) -> None:  # onnxruntime calls it on some versions; one pass is all the calibration needs
        pass


@dataclass
class Int8Report:
    """How the int8 model compared with its fp32 network on the check clips."""

    path: Path
    calibration_clips: int
    check_clips: int
    top1_agreement: Dict[str, float]
    max_prob_diff: Dict[str, float]

    def lines(self) -> List[str]:
        out = [f"quantized to int8 (static, per-channel, {self.calibration_clips} calibration clips): {self.path}"]
        for name in self.top1_agreement:
            out.append(f"  {name}: top-1 agreement with fp32 {self.top1_agreement[name]:.3f} on {self.check_clips} "
                       f"real clips, largest probability difference {self.max_prob_diff[name]:.4f}")
        return out


def _classifier_layers(path: Path) -> List[str]:
    """Every node from the last weighted layer before each output to the output (the classification heads'
    fully connected layers, the softmax, the average over clips): kept in fp32, as int8 deployments keep the last
    layer, because a window's top-1 class near a tie is decided there and probabilities on 8 bits tie; the
    backbone, where the time is spent, is quantized."""
    import onnx

    graph = onnx.load(str(path)).graph
    producer = {out: node for node in graph.node for out in node.output}
    found: List[str] = []
    stack = [o.name for o in graph.output]
    while stack:
        node = producer.get(stack.pop())
        if node is None or node.name in found:
            continue
        found.append(node.name)
        if node.op_type not in ("Gemm", "MatMul", "Conv"):
            stack.extend(node.input)
    return found


def quantize_recognizer(fp32: Path, path, calibration: Sequence[np.ndarray], check: Sequence[np.ndarray],
                        min_agreement: float = MIN_INT8_AGREEMENT, manifest: Optional[Dict] = None) -> Int8Report:
    """Quantize the exported recognizer ``fp32`` to int8 with onnxruntime's own tools (static: activations
    calibrated on ``calibration`` clips; weights per channel; QDQ format, which onnxruntime runs with integer
    kernels on CPUs with VNNI), compare it with ``fp32`` on the ``check`` clips, and write it to ``path`` only
    if every level's top-1 agreement is at least ``min_agreement`` (else :class:`ExportError`, nothing written)."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    path = Path(path)
    if not calibration or not check:
        raise ExportError("int8 needs real clips to calibrate on and to check against: pass --calibrate / --video")
    reference = _session(fp32)
    name = reference.get_inputs()[0].name
    outputs = [o.name for o in reference.get_outputs()]
    work = path.with_name(f".{path.name}.int8")
    work.mkdir(parents=True, exist_ok=True)
    try:
        prepared = work / "prepared.onnx"
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        quantized = work / "int8.onnx"
        quantize_static(str(prepared), str(quantized), _Clips(name, calibration), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax, nodes_to_exclude=_classifier_layers(prepared))
        session = _session(quantized)
        agreement: Dict[str, float] = {}
        largest: Dict[str, float] = {}
        for clip in check:
            want = reference.run(outputs, {name: clip[None].astype(np.float32)})
            have = session.run(outputs, {name: clip[None].astype(np.float32)})
            for out, a, b in zip(outputs, want, have):
                agreement[out] = agreement.get(out, 0.0) + float(np.mean(a.argmax(-1) == b.argmax(-1))) / len(check)
                largest[out] = max(largest.get(out, 0.0), float(np.max(np.abs(a - b))))
        report = Int8Report(path, len(calibration), len(check), agreement, largest)
        low = {out: value for out, value in agreement.items() if value < min_agreement}
        if low:
            shown = ", ".join(f"{out} {value:.3f}" for out, value in low.items())
            raise ExportError(f"{path}: the int8 model agrees with fp32 on the top-1 class of too few clips ({shown}; "
                              f"at least {min_agreement:g} wanted, --min-agreement): not written. Calibrate on more "
                              "of your videos (--calibrate DIR) or use the fp32 model")
        del session
        if manifest is not None:
            manifest = dict(manifest, int8={"calibration_clips": len(calibration), "check_clips": len(check),
                                            "top1_agreement": agreement, "max_prob_diff": largest,
                                            "min_agreement": min_agreement})
            manifest["model_version"] = manifest["model_version"] + " int8"
            write_manifest(quantized, manifest)
        quantized.replace(path)
        return report
    finally:
        for leftover in work.glob("*"):
            leftover.unlink()
        work.rmdir()


def export_backbone(model: nn.Module, frames: np.ndarray, per_window: int, path,
                    manifest: Optional[Dict] = None) -> ExportReport:
    """``frames``: (windows * per_window, H, W, 3) uint8, as extraction hands them to the backbone; ``manifest``:
    :func:`.manifest.backbone_manifest`."""

    graph = WindowBackbone(model, per_window).eval()
    rng = np.random.default_rng(1)
    random = {"frames": rng.integers(0, 256, frames.shape).astype(np.uint8)}
    return export_graph(graph, "backbone", {"frames": frames}, path, ["features"],
                        dynamic={"frames": {0: "frames"}, "features": {0: "windows"}}, random=random,
                        manifest=manifest)


def export_detector(model: nn.Module, features: torch.Tensor, path) -> ExportReport:
    """``features``: (1, C, T) with T a multiple of the deepest stride (the network only). The length is
    dynamic (a video of any length, padded to the stride, its mask an input), checked on a longer, padded
    input too."""
    unit = 2 ** (model.num_levels - 1)
    channels, length = features.shape[1], features.shape[-1]
    if length % unit:
        raise ExportError(f"detector export: the feature length must be a multiple of {unit}, not {length}")
    rng = np.random.default_rng(2)
    longer, valid = length * 2 + unit, length * 2 + max(1, unit // 2)  # a video that ends inside the padding

    def ones(t: int) -> np.ndarray:
        return np.ones((1, 1, t), dtype=np.float32)
    padded_mask = ones(longer)
    padded_mask[..., valid:] = 0.0
    padded = rng.standard_normal((1, channels, longer)).astype(np.float32) * padded_mask
    return export_graph(DetectorGraph(model).eval(), "detector", {"features": features.float().numpy(),
                                                                  "mask": ones(length)}, path,
                        ["logits", "distances"],
                        random={"features": rng.standard_normal((1, channels, length)).astype(np.float32),
                                "mask": ones(length)},
                        more={f"random length {valid} padded to {longer}": {"features": padded, "mask": padded_mask}},
                        dynamic={"features": {2: "time"}, "mask": {2: "time"}, "logits": {2: "positions"},
                                 "distances": {2: "positions"}})


def export_workflow(model: nn.Module, features: torch.Tensor, times: torch.Tensor, path,
                    manifest: Optional[Dict] = None) -> ExportReport:
    """``features`` (C, R) and ``times`` (R,): a real window of ``receptive_field`` steps; the last is the step;
    ``manifest``: :func:`.manifest.workflow_manifest`."""
    graph = WorkflowStep(model).eval()
    real = {"feature": features[:, -1].float().numpy(), "time": np.asarray(times[-1], dtype=np.float32),
            "state": features[:, :-1].float().numpy(), "state_times": times[:-1].float().numpy()}
    rng = np.random.default_rng(2)
    random = {"feature": rng.standard_normal(real["feature"].shape).astype(np.float32),
              "time": np.asarray(float(times[-1]) + 1.0, dtype=np.float32),
              "state": rng.standard_normal(real["state"].shape).astype(np.float32),
              "state_times": (real["state_times"] + 1.0).astype(np.float32)}
    return export_graph(graph, "workflow", real, path, ["phase", "anticipation", "next_state", "next_state_times"],
                        classify=["phase"], random=random,
                        dynamic={"state": {1: "steps"}, "state_times": {0: "steps"},
                                 "next_state": {1: "kept"}, "next_state_times": {0: "kept"}}, manifest=manifest)
