"""The output side of ``videokit predict``: from a video and trained models to files on disk.

:func:`predict_to_files` (offline: timeline JSON + PNG) and :func:`~.online.stream_to_files` (online: timeline,
anticipation CSV + PNG; in :mod:`.online`, which imports no torch) are what the CLI verb and the demo call; the
CLI only parses and prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

from ..annotations import VideoAnnotation, write_annotations
from ..annotations.formats.subtitles import document
from ..utils import PathLike, atomic_write_text
from ..visualization import plot_timeline
from .online import OnlineFiles, output_paths, steps_seen, stream_to_files  # noqa: F401  (online: online.py)
from .predict import PredictOptions, predict_video


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
