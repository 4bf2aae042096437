"""Streaming (online) workflow inference: frames arrive one by one (a file, a file still being written,
or a camera through OpenCV); at every step (default 1 fps) the causal model gives the current phase and
the time until each phase starts, from frames already seen only.

Steps are cut exactly as :class:`~videokit.datasets.WorkflowFeatureDataset` cuts them for training, by the
feature spec's one schedule (:meth:`~videokit.features.FeatureSpec.step_time`, ``latest_window``): step ``k``
at ``t_k = end of the first window + k / fps`` takes the latest window that ended by ``t_k``; the causal
model then reads the last ``receptive_field`` step features. Frames come from
:class:`videokit.video.FrameSource` (a file, a growing file or a camera). The models are PyTorch's (torch is
imported where they run) or exported ones in onnxruntime (``exported``: no torch, as the runtime needs).
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Deque, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from ..annotations import AnnotationSet, Segment, Taxonomy, VideoAnnotation, write_annotations
from ..annotations.online_targets import time_to_next_start
from ..features import FeatureSpec
from ..features.frames import prepare_frames
from ..utils import PathLike, atomic_output
from ..video import FrameSource, tsn_indices
from ..visualization import plot_anticipation, plot_timeline
from .segments import scores_to_segments


@dataclass
class OnlineResult:
    """Per step: time (s), phase probabilities (T, K), anticipation (T, K) seconds, latency (s)."""

    times: np.ndarray
    phase_scores: np.ndarray
    anticipation: np.ndarray
    latencies: np.ndarray
    fps: float
    frames: int
    wall_seconds: float = 0.0
    extras: Dict = field(default_factory=dict)

    @property
    def video_seconds(self) -> float:
        return self.frames / self.fps


def stream(frames: FrameSource, backbone, spec: FeatureSpec, model, step_fps: float = 1.0,
           device: str = "cpu", on_step: Optional[Callable[[int, float, np.ndarray, np.ndarray, float], None]] = None
           ) -> OnlineResult:
    """Run the causal ``model`` over ``frames`` as they arrive; ``on_step(k, t, phase_probs,
    anticipation, latency)`` is called at every step (see the module docstring). ``backbone``: frames of windows
    -> their features (an exported backbone, or a PyTorch model in
    :class:`~videokit.features.window_features.WindowFeatures`)."""
    fps = frames.fps
    window, stride = spec.in_frames(fps)
    buffer: Deque[Tuple[int, np.ndarray]] = deque(maxlen=window + stride)
    window_cache: Dict[int, np.ndarray] = {}
    history: List[np.ndarray] = []
    times: List[float] = []
    probs, antic, latencies = [], [], []
    started = time.perf_counter()
    count = 0
    for count, frame in enumerate(frames, start=1):
        arrived = time.perf_counter()
        buffer.append((count - 1, prepare_frames(frame[None], spec.size)[0]))
        seen = count / fps  # frames 0..count-1 are seen: time up to the end of the last one
        while True:
            k = len(times)
            t = float(spec.step_time(k, fps, step_fps))
            if t > seen + 1e-9:
                break
            start = int(spec.latest_window(t, fps)) * stride  # the latest window that ended by t
            if start not in window_cache:
                window_cache.clear()  # only the newest window is ever needed again
                window_cache[start] = _window_feature(buffer, start, window, spec, backbone)
            history.append(window_cache[start])
            times.append(t)
            if not getattr(model, "exported", False):
                import torch

                x = torch.from_numpy(np.stack(history[-model.receptive_field:], axis=1)).float().to(device)
                phase, anticipation = model.step(x, torch.tensor(times[-model.receptive_field:], device=device))
                phase, anticipation = phase.cpu().numpy(), anticipation.cpu().numpy()
                del history[:-model.receptive_field]
            else:  # an exported step (onnxruntime) that keeps its own state
                phase, anticipation = model(history[-1], t)
                del history[:-1]
            latency = time.perf_counter() - arrived
            probs.append(np.asarray(phase))
            antic.append(np.asarray(anticipation))
            latencies.append(latency)
            if on_step:
                on_step(k, t, probs[-1], antic[-1], latency)
    num_classes = getattr(model, "num_classes", 0)
    return OnlineResult(np.asarray(times), np.asarray(probs).reshape(-1, num_classes),
                        np.asarray(antic).reshape(-1, num_classes), np.asarray(latencies), fps, count,
                        time.perf_counter() - started)


def _window_feature(buffer, start: int, window: int, spec: FeatureSpec, backbone) -> np.ndarray:
    frames = dict(buffer)
    wanted = tsn_indices(start, start + window - 1, spec.frames_per_window, test_mode=True)
    batch = np.stack([frames[int(i)] for i in wanted])
    return backbone(batch)[0]


def online_timeline(result: OnlineResult, video_id: str, path: str, level: str, taxonomy) -> "object":
    """The streamed phase predictions as a one-video :class:`AnnotationSet` (runs of the per-step arg-max,
    each step covering the second before it), with latency statistics in the video's attrs."""

    video = VideoAnnotation(video_id, str(path), round(result.video_seconds, 3), round(result.fps, 3))
    if len(result.times):
        step = float(result.times[1] - result.times[0]) if len(result.times) > 1 else 1.0
        for seg in scores_to_segments(result.times - step, result.times, result.phase_scores, smooth=1):
            video.segments.append(Segment(level, seg.label, round(seg.start, 3), round(seg.end, 3),
                                          attrs={"score": round(seg.score, 4)}))
    latency = result.latencies * 1000 if len(result.latencies) else np.zeros(1)
    video.attrs["online"] = {"steps": int(len(result.times)), "latency_ms_mean": round(float(latency.mean()), 2),
                             "latency_ms_p95": round(float(np.percentile(latency, 95)), 2),
                             "latency_ms_max": round(float(latency.max()), 2)}
    return AnnotationSet(Taxonomy(taxonomy.dataset, taxonomy.levels), {video_id: video})


def output_paths(out: PathLike, *suffixes: str) -> Dict[str, Path]:
    """``OUT<suffix>`` for each suffix (``.json``, ``.png``, ``_anticipation.csv`` ...)."""
    out = Path(out)
    return {suffix: out.with_name(out.name + suffix) for suffix in suffixes}


@dataclass
class OnlineFiles:
    """What :func:`stream_to_files` wrote, with the stream's result and its timeline."""

    result: OnlineResult
    annotations: AnnotationSet
    video_id: str
    files: Dict[str, Path] = field(default_factory=dict)

    @property
    def stats(self) -> Dict:
        return self.annotations.videos[self.video_id].attrs["online"]


def stream_to_files(source: str, backbone, spec: FeatureSpec, model, level: str, taxonomy: Taxonomy,
                    step_fps: float = 1.0, out: Optional[PathLike] = None, device: str = "cpu", follow: bool = False,
                    idle_timeout: float = 10.0, ground_truth: Optional[VideoAnnotation] = None,
                    on_step: Optional[Callable] = None) -> OnlineFiles:
    """Stream ``source`` (a file, a growing file with ``follow``, or a camera index) through the causal
    workflow ``model`` (its classes: ``level`` of ``taxonomy``); write ``OUT.json``, ``OUT.png``,
    ``OUT_anticipation.csv`` and ``OUT_anticipation.png``."""
    names = taxonomy.class_names(level)
    frames = FrameSource(source, follow=follow, idle_timeout=idle_timeout)
    result = stream(frames, backbone, spec, model, float(step_fps), device, on_step)
    video_id = Path(source).stem if not source.isdigit() else f"camera{source}"
    annotations = online_timeline(result, video_id, source, level, taxonomy)
    paths = output_paths(out or f"{video_id}_online", ".json", ".png", "_anticipation.csv", "_anticipation.png")
    write_annotations(annotations, paths[".json"], "canonical", indent=1)
    plot_timeline(annotations.videos[video_id], taxonomy, paths[".png"], ground_truth=ground_truth,
                  levels=[name for name in taxonomy.level_names if name == level])
    truth = None
    if ground_truth is not None:
        truth = time_to_next_start(ground_truth, level, len(names), result.times, model.horizon)
    table = pd.DataFrame(result.anticipation, columns=names[: result.anticipation.shape[1]])
    table.insert(0, "time", result.times)
    with atomic_output(paths["_anticipation.csv"]) as tmp:
        table.to_csv(tmp, index=False, float_format="%.3f")
    plot_anticipation(result.times, result.anticipation, model.horizon, names, paths["_anticipation.png"],
                      truth=truth, level_index=taxonomy.level_names.index(level))
    return OnlineFiles(result, annotations, video_id, paths)


def steps_seen(result: OnlineResult) -> int:
    return len(np.atleast_1d(result.times))
