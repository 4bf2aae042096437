"""Exported models run by onnxruntime, behind the same calls the PyTorch path makes: window scores of a
recognizer, window features of a backbone, a detector's per-level outputs on a video's features, and online
steps of the workflow model (its state kept here).
CPU provider by default; CUDA's when onnxruntime has it and ``device`` asks for it."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..utils import PathLike


def providers(device: str = "cpu") -> List[str]:
    import onnxruntime as ort

    available = ort.get_available_providers()
    if str(device).startswith("cuda") and "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def session(path: PathLike, device: str = "cpu", threads: Optional[int] = None):
    import onnxruntime as ort

    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such ONNX model (videokit export CONFIG CKPT --to onnx -o {path})")
    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=providers(device))


class OnnxRecognizer:
    """Preprocessed clips -> probabilities per level (``prob_<level>`` outputs of an exported recognizer)."""

    def __init__(self, path: PathLike, device: str = "cpu") -> None:
        self.session = session(path, device)
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.levels = [name[len("prob_"):] for name in self.outputs]

    def __call__(self, inputs: np.ndarray) -> Dict[str, np.ndarray]:
        values = self.session.run(self.outputs, {"inputs": np.ascontiguousarray(inputs, dtype=np.float32)})
        return dict(zip(self.levels, values))


class OnnxBackbone:
    """Frames of windows (uint8) -> window features, as :func:`videokit.features.window_features.window_features`."""

    exported = True  # the online streamer runs it as it is (no torch)

    def __init__(self, path: PathLike, device: str = "cpu", loaded=None) -> None:
        self.session = loaded or session(path, device)  # ``loaded``: a session already open on ``path``
        self.channels = self.session.get_outputs()[0].shape[-1]  # the features' width (an int once exported)

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        return self.session.run(["features"], {"frames": np.ascontiguousarray(frames, dtype=np.uint8)})[0]


class OnnxDetector:
    """A video's features (C, T) -> the detector network's outputs per pyramid level, as
    ``DenseTemporalDetector.outputs`` gives them (logits (1, K, T_l), distances (1, 2, T_l), valid (1, T_l),
    stride), so the model's own post-processing turns them into segments. ``num_levels``: the config's."""

    def __init__(self, path: PathLike, num_levels: int, device: str = "cpu") -> None:
        self.session = session(path, device)
        self.num_levels = num_levels
        inputs = {i.name: i.shape for i in self.session.get_inputs()}
        if set(inputs) != {"features", "mask"}:
            raise ValueError(f"{path}: not a detector network of this videokit (inputs {sorted(inputs)}, expected "
                             "features and mask); export it again with videokit export --part detector")
        self.channels = inputs["features"][1]

    def __call__(self, features: np.ndarray) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray, int]]:
        channels, length = features.shape
        if isinstance(self.channels, int) and channels != self.channels:
            raise ValueError(f"the detector takes {self.channels}-channel features, not {channels}")
        unit = 2 ** (self.num_levels - 1)
        padded = -(-length // unit) * unit  # the network's length: the next multiple of the deepest stride
        x = np.zeros((1, channels, padded), dtype=np.float32)
        x[0, :, :length] = features
        mask = np.zeros((1, 1, padded), dtype=np.float32)
        mask[..., :length] = 1.0
        logits, distances = self.session.run(["logits", "distances"], {"features": x, "mask": mask})
        levels, start = [], 0
        for level in range(self.num_levels):
            size = padded >> level
            valid = mask[0, 0].reshape(size, -1).max(1) > 0  # the mask max-pooled as the pyramid pools it
            levels.append((logits[..., start:start + size], distances[..., start:start + size], valid[None],
                           2 ** level))
            start += size
        if start != logits.shape[-1]:
            raise ValueError(f"the detector network gave {logits.shape[-1]} positions, {self.num_levels} levels of "
                             f"{padded} make {start}: is it the config's detector?")
        return levels


class OnnxWorkflow:
    """The causal workflow model one step at a time; the state (the last steps' features and times) lives
    here between calls, so each step costs one small graph run whatever the history."""

    exported = True

    def __init__(self, path: PathLike, device: str = "cpu", horizon: Optional[float] = None, loaded=None) -> None:
        self.session = loaded or session(path, device)  # ``loaded``: a session already open on ``path``
        self.horizon = horizon  # seconds the anticipation is clipped at (the model's config says)
        inputs = {i.name: i for i in self.session.get_inputs()}
        self.channels = int(inputs["feature"].shape[0])
        self.num_classes = int(self.session.get_outputs()[0].shape[0])
        self.reset()

    def reset(self) -> None:
        self.state = np.zeros((self.channels, 0), dtype=np.float32)
        self.state_times = np.zeros(0, dtype=np.float32)

    def __call__(self, feature: np.ndarray, time: float) -> Tuple[np.ndarray, np.ndarray]:
        phase, anticipation, self.state, self.state_times = self.session.run(
            None, {"feature": np.asarray(feature, dtype=np.float32), "time": np.asarray(time, dtype=np.float32),
                   "state": self.state, "state_times": self.state_times})
        return phase, anticipation
