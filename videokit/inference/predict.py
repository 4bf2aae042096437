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
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import numpy as np
import torch

from ..annotations import AnnotationSet, Taxonomy
from ..features import FeatureFolder, FeatureSpec, axis
from ..features.extraction import video_features
from ..models.detection.heads import LevelOutput
from ..utils.prefetch import Stalled
from ..video import open_video
from .assemble import Prediction, PredictOptions, require_scores, stalled, timeline_from_scores, window_grid
from .network import load_model
from .presets import apply_preset
from .recognize import TrainedRecognizer, window_scores
from .runtime import OnnxDetector
from .segments import ScoredSegment, detections_to_timeline


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
        try:
            scores = window_scores(recognizer, path, grid[:, 0], grid[:, 1], options.batch_size, bar.update,
                                   one_pass=options.one_pass)
        except Stalled as exc:
            raise stalled(path, exc) from None
        require_scores(path, scores, len(grid))
        detected: List[ScoredSegment] = []
        if detector is not None:
            detected = _detect(detector, recognizer, path, options, bar.update, duration)
    video = timeline_from_scores(Path(path).stem, str(path), duration, fps, grid, scores, recognizer.taxonomy,
                                 recognizer.levels, options, detected, detector.level if detector else None)
    wall = time.perf_counter() - started
    taxonomy = recognizer.taxonomy
    annotations = AnnotationSet(Taxonomy(taxonomy.dataset, taxonomy.levels), {video.video_id: video})
    return Prediction(annotations, duration, wall, scores)


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


