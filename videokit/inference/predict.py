"""``videokit predict``'s engine: one video in, its labels and time-localized segments out, as a
one-video :class:`AnnotationSet` (canonical JSON, so a prediction converts and evaluates like any
annotation).

Top-level label(s): the recognizer's window scores averaged over the video. Segments at every finer
level the recognizer scores: sliding-window recognition, smoothed and merged into runs
(:func:`scores_to_segments`). With a detector, its level's segments come from the detector instead,
run on features computed exactly as its training features were (the features folder's sidecar).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import torch

from ..annotations import AnnotationSet, Segment, Taxonomy, VideoAnnotation
from ..annotations.timeline import link_by_time
from ..features import FeatureFolder, FeatureSpec, axis
from ..features.extraction import video_features
from ..models.detection.heads import LevelOutput
from ..video import open_video
from .network import load_model
from .presets import apply_preset
from .recognize import TrainedRecognizer, window_scores
from .runtime import OnnxDetector
from .segments import ScoredSegment, detections_to_timeline, scores_to_segments


@dataclass
class TrainedDetector:
    """A trained :class:`DenseTemporalDetector`, the level it localizes and how its features were cut."""

    model: torch.nn.Module
    level: str
    spec: FeatureSpec
    onnx: Optional[object] = None  # an OnnxDetector: the network runs in onnxruntime

    @classmethod
    def from_files(cls, config: str, checkpoint: Optional[str], features_like: Optional[str] = None,
                   device: str = "cpu", size: Optional[int] = None, preset: str = "evaluation",
                   onnx: Optional[str] = None) -> "TrainedDetector":
        """Load the detector; the window spec comes from ``features_like`` (one ``<video>.json`` sidecar
        of ``tools/extract_features.py``) or from the first sidecar in the config's ``feature_dir``;
        ``preset`` picks the post-processing (:mod:`videokit.inference.presets`). With ``onnx`` (a network
        ``videokit export --part detector`` wrote) the network runs in onnxruntime and the config gives the
        rest (levels, post-processing)."""

        model, cfg = load_model(config, checkpoint, device)
        apply_preset(model, preset)
        runtime = None
        if onnx:

            runtime = OnnxDetector(onnx, model.num_levels, device)
        return cls(model, cfg.test_dataloader.dataset.get("level") or "",
                   feature_spec(cfg, config, features_like, size), runtime)


def feature_spec(cfg, config: str, features_like: Optional[str] = None, size: Optional[int] = None) -> FeatureSpec:
    """How the features a model was trained on were cut: from ``features_like`` (one sidecar) or the first
    sidecar in the config's ``feature_dir``."""

    dataset = cfg.test_dataloader.dataset
    if features_like:
        sidecar = Path(features_like)
        meta = FeatureFolder(sidecar.parent).meta(sidecar.stem)
    else:
        sidecar = Path(dataset.get("feature_dir") or ".")
        meta = FeatureFolder(sidecar).first_meta()
    if meta is None:
        raise ValueError(f"{config}: no features sidecar in feature_dir {dataset.get('feature_dir')!r}; "
                         "pass --features-like FEATURES/<video>.json to say how features were extracted")
    if meta.get("fixed_length"):
        raise ValueError(f"{sidecar}: features resampled to a fixed length cannot be cut from one video; "
                         "the model must be trained on sliding-window features")
    try:
        return FeatureSpec.from_sidecar(meta, size)
    except ValueError as exc:
        raise ValueError(f"{sidecar}: {exc} (--feature-size)") from None


@dataclass
class PredictOptions:
    """Sliding-window and segment settings of :func:`predict_video`."""

    window: float = 2.0  # seconds per recognition window
    stride: float = 1.0  # seconds between windows
    smooth: int = 3  # windows in the moving average of scores
    min_length: float = 1.0  # seconds; shorter runs join a neighbour
    threshold: float = 0.3  # windows whose best (smoothed) score is lower are background
    detection_threshold: float = 0.3  # detections below this score are left off the timeline
    topk: int = 3  # top-level classes listed with their scores
    hierarchy: bool = True  # steps only from the predicted top-level class's children
    batch_size: int = 8
    one_pass: bool = True  # every window's frames from one decoding pass (False: each window decoded on its own)


@dataclass
class Prediction:
    """What :func:`predict_video` returns: the one-video annotations and how long it took."""

    annotations: AnnotationSet
    video_seconds: float
    wall_seconds: float
    window_scores: Dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def video(self) -> VideoAnnotation:
        return next(iter(self.annotations))

    @property
    def real_time_factor(self) -> float:
        """Seconds of video per second of computation (> 1: faster than real time)."""
        return self.video_seconds / max(self.wall_seconds, 1e-9)


def window_grid(duration: float, window: float, stride: float) -> np.ndarray:
    """``(n, 2)`` ``[start, end]`` seconds of windows covering ``[0, duration]`` (last one flush with the end)."""
    if duration <= window:
        return np.array([[0.0, duration]])
    starts = np.arange(0.0, duration - window + 1e-9, stride)
    if starts[-1] + window < duration - 1e-6:
        starts = np.append(starts, duration - window)
    return np.stack([starts, starts + window], axis=1)


def predict_video(path: str, recognizer: TrainedRecognizer, detector: Optional[TrainedDetector] = None,
                  options: Optional[PredictOptions] = None, progress: bool = True) -> Prediction:
    """Run ``recognizer`` (and ``detector``) over ``path``; see the module docstring."""
    from tqdm import tqdm

    options = options or PredictOptions()
    started = time.perf_counter()
    reader = open_video(path, cache=False)
    duration, fps, num_frames = float(reader.duration), float(reader.fps), int(reader.num_frames)
    reader.close()
    grid = window_grid(duration, options.window, options.stride)
    total = len(grid) + (detector.spec.num_windows(num_frames, fps) if detector else 0)
    with tqdm(total=total, desc=f"predict {Path(path).name}", unit="window", disable=not progress) as bar:
        scores = window_scores(recognizer, path, grid[:, 0], grid[:, 1], options.batch_size, bar.update,
                               one_pass=options.one_pass)
        detected: List[ScoredSegment] = []
        if detector is not None:
            detected = _detect(detector, recognizer, path, options, bar.update, duration)
    taxonomy = recognizer.taxonomy
    video = VideoAnnotation(Path(path).stem, str(path), round(duration, 3), round(fps, 3))
    top = taxonomy.level_names[0]
    if top in scores:
        mean = scores[top].mean(0)
        order = np.argsort(-mean)[: options.topk]
        video.labels = [int(order[0])]
        video.attrs["scores"] = {taxonomy.level(top).class_name(int(k)): round(float(mean[k]), 4) for k in order}
    for level in recognizer.levels:
        if level == top or (detector is not None and level == detector.level):
            continue
        level_scores = scores[level]
        if options.hierarchy and video.labels and taxonomy.parent_level(level) == top:
            level_scores = restrict_to_children(level_scores, taxonomy, level, video.labels[0])
        _add(video, level, scores_to_segments(grid[:, 0], grid[:, 1], level_scores, options.smooth,
                                              options.min_length, options.threshold))
    if detector is not None:
        _add(video, detector.level, detected)
    link_by_time(video, taxonomy.level_names)  # the timeline's rule, as every reader links parents
    video.attrs["predicted_by"] = {"window": options.window, "stride": options.stride,
                                   "levels": recognizer.levels, "detector_level": detector.level if detector else None}
    wall = time.perf_counter() - started
    annotations = AnnotationSet(Taxonomy(taxonomy.dataset, taxonomy.levels), {video.video_id: video})
    return Prediction(annotations, duration, wall, scores)


def restrict_to_children(scores: np.ndarray, taxonomy: Taxonomy, level: str, parent: int) -> np.ndarray:
    """Zero the scores of classes whose taxonomy parent is not ``parent``, so steps never contradict the
    video's predicted procedure (no renormalisation: the background threshold still sees the model's
    confidence; unchanged when the taxonomy names no parents). The rule is the taxonomy's."""
    allowed = taxonomy.children_of(level, parent)
    allowed = [c for c in allowed if c < scores.shape[1]]
    if not allowed:
        return scores
    masked = np.zeros_like(scores)
    masked[:, allowed] = scores[:, allowed]
    return masked


def _detect(detector: TrainedDetector, recognizer: TrainedRecognizer, path: str, options: PredictOptions, progress,
            duration: float) -> List[ScoredSegment]:
    from mmengine.structures import BaseDataElement

    result = video_features(recognizer.model, path, detector.spec, recognizer.device, options.batch_size, progress)
    time0, step = axis(result["times"])  # the detector's positions back to seconds, as in training
    sample = BaseDataElement(metainfo=dict(video_id=Path(path).stem, time0=time0, time_step=step),
                             gt_segments_sec=torch.zeros((0, 2), dtype=torch.float64),
                             gt_labels=torch.zeros(0, dtype=torch.long))
    with torch.no_grad():
        if detector.onnx is not None:  # the exported network, then the model's own post-processing
            levels = [LevelOutput(*(torch.from_numpy(np.ascontiguousarray(a)) for a in level[:3]), level[3])
                      for level in detector.onnx(result["features"].T)]
            out = detector.model.predict(levels, [sample])[0]
        else:
            features = torch.from_numpy(result["features"]).float().t().contiguous().to(recognizer.device)
            out = detector.model([features], [sample], mode="predict")[0]
    return detections_to_timeline(out["segments"].numpy(), out["scores"].numpy(), out["labels"].numpy(),
                                  options.detection_threshold, options.min_length, duration)


def _add(video: VideoAnnotation, level: str, segments: List[ScoredSegment]) -> None:
    for seg in segments:
        video.segments.append(Segment(level, seg.label, round(seg.start, 3), round(seg.end, 3),
                                      attrs={"score": round(seg.score, 4)}))


