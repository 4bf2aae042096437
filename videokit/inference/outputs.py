"""The output side of ``videokit predict``: from a video and trained models to files on disk.

:func:`predict_to_files` (offline: timeline JSON + PNG) and :func:`stream_to_files` (online: timeline,
anticipation CSV + PNG) are what the CLI verb and the demo both call; the CLI only parses and prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Optional

import numpy as np
import pandas as pd

from ..annotations import VideoAnnotation, write_annotations
from ..annotations.formats.subtitles import document
from ..annotations.online_targets import time_to_next_start
from ..utils import PathLike, atomic_output, atomic_write_text
from ..video import FrameSource
from ..visualization import plot_anticipation, plot_timeline
from .online import online_timeline, stream
from .predict import PredictOptions, predict_video


def output_paths(out: PathLike, *suffixes: str) -> Dict[str, Path]:
    """``OUT<suffix>`` for each suffix (``.json``, ``.png``, ``_anticipation.csv`` ...)."""
    out = Path(out)
    return {suffix: out.with_name(out.name + suffix) for suffix in suffixes}


@dataclass
class PredictFiles:
    """What :func:`predict_to_files` wrote, with the prediction itself."""

    prediction: object
    taxonomy: object
    files: Dict[str, Path] = field(default_factory=dict)


def predict_to_files(video: PathLike, recognizer, out: PathLike, detector=None, options=None,
                     ground_truth: Optional[VideoAnnotation] = None, progress: bool = False,
                     subtitles: bool = False) -> PredictFiles:
    """Run :func:`~videokit.inference.predict_video` and write ``OUT.json`` (canonical) and ``OUT.png``
    (the timeline, ``ground_truth`` beneath); with ``subtitles``, ``OUT.vtt`` too (any player shows it)."""

    prediction = predict_video(str(video), recognizer, detector, options or PredictOptions(), progress=progress)
    paths = output_paths(out, ".json", ".png")
    write_annotations(prediction.annotations, paths[".json"], "canonical", indent=1)
    plot_timeline(prediction.video, recognizer.taxonomy, paths[".png"], ground_truth=ground_truth)
    if subtitles:

        paths.update(output_paths(out, ".vtt"))
        atomic_write_text(paths[".vtt"], document(prediction.annotations, prediction.video, "vtt"))
    return PredictFiles(prediction, recognizer.taxonomy, paths)


@dataclass
class OnlineFiles:
    """What :func:`stream_to_files` wrote, with the stream's result and its timeline."""

    result: object
    annotations: object
    video_id: str
    files: Dict[str, Path] = field(default_factory=dict)

    @property
    def stats(self) -> Dict:
        return self.annotations.videos[self.video_id].attrs["online"]


def stream_to_files(source: str, backbone, spec, model, cfg, taxonomy, out: Optional[PathLike] = None,
                    device: str = "cpu", follow: bool = False, idle_timeout: float = 10.0,
                    ground_truth: Optional[VideoAnnotation] = None,
                    on_step: Optional[Callable] = None) -> OnlineFiles:
    """Stream ``source`` (a file, a growing file with ``follow``, or a camera index) through the causal
    workflow ``model``; write ``OUT.json``, ``OUT.png``, ``OUT_anticipation.csv`` and ``OUT_anticipation.png``."""


    dataset = cfg.test_dataloader.dataset
    level = dataset.get("level") or taxonomy.level_names[-1]
    names = taxonomy.class_names(level)
    frames = FrameSource(source, follow=follow, idle_timeout=idle_timeout)
    result = stream(frames, backbone, spec, model, float(dataset.get("fps", 1.0)), device, on_step)
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


def steps_seen(result) -> int:
    return len(np.atleast_1d(result.times))
