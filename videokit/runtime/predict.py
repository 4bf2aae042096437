"""One video through a model file: the windows' frames from one decoding pass, the clips made as the manifest
says (:class:`~.clips.ClipPipeline`) beside the network, the network in onnxruntime, and the timeline assembled
as ``videokit predict`` assembles it (:func:`videokit.inference.assemble.timeline_from_scores`)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..annotations import AnnotationSet, Taxonomy, VideoAnnotation, write_annotations
from ..inference.assemble import (
    STALL_S,
    Prediction,
    PredictOptions,
    require_scores,
    stalled,
    timeline_from_scores,
    window_grid,
)
from ..utils import PathLike
from ..utils.prefetch import Stalled, prefetched
from ..video import open_video
from ..video.windows import decode_windows
from ..visualization import plot_timeline
from .clips import ClipPipeline
from .model_file import ModelFile


def options_for(model: ModelFile, **given) -> PredictOptions:
    """Prediction options: the model file's window and stride unless ``given`` says otherwise."""
    given.setdefault("window", float(model.manifest["window"]))
    given.setdefault("stride", float(model.manifest["stride"]))
    return PredictOptions(**given)


def _batches(path: str, model: ModelFile, grid: np.ndarray, batch_size: int
             ) -> Iterator[Tuple[List[int], Optional[np.ndarray], int]]:
    """``(window numbers, their network input, windows passed)`` ``batch_size`` windows at a time; a window whose
    frames cannot be decoded is left out (``None`` input when none of a batch's can)."""
    pipeline = ClipPipeline(model.manifest)
    reader = open_video(path, cache=False)
    try:
        windows = [pipeline.frame_indices(start, end, reader) for start, end in grid]
        numbers: List[int] = []
        clips: List[np.ndarray] = []
        seen = 0
        for k, frames in decode_windows(reader, windows, damaged=True):
            seen += 1
            if frames is not None:
                numbers.append(k)
                clips.append(pipeline.transform(frames))
            if seen == batch_size:
                yield numbers, pipeline.normalise(clips) if clips else None, seen
                numbers, clips, seen = [], [], 0
        if seen:
            yield numbers, pipeline.normalise(clips) if clips else None, seen
    finally:
        reader.close()


def predict_with_model_file(path: PathLike, model: ModelFile, options: Optional[PredictOptions] = None,
                            progress: Optional[Callable[[int], None]] = None) -> Prediction:
    """``path``'s labels and segments by ``model`` (the same timeline as ``videokit predict`` with the full install
    and the same network); ``progress(n)`` is told of each batch."""
    options = options or options_for(model)
    started = time.perf_counter()
    path = str(path)
    reader = open_video(path, cache=False)
    duration, fps = float(reader.duration), float(reader.fps)
    reader.close()
    grid = window_grid(duration, options.window, options.stride)
    scores: Dict[str, np.ndarray] = {}
    try:
        for numbers, batch, seen in prefetched(_batches(path, model, grid, options.batch_size), stall=STALL_S):
            if batch is not None:
                for level, probs in model(batch).items():
                    rows = scores.setdefault(level, np.full((len(grid), probs.shape[1]), np.nan))
                    rows[numbers] = np.asarray(probs, dtype=np.float64)
            if progress:
                progress(seen)
    except Stalled as exc:
        raise stalled(path, exc) from None
    require_scores(path, scores, len(grid))
    video = timeline_from_scores(Path(path).stem, path, duration, fps, grid, scores, model.taxonomy, model.levels,
                                 options)
    video.attrs["predicted_by"]["model_version"] = model.version
    taxonomy = model.taxonomy
    annotations = AnnotationSet(Taxonomy(taxonomy.dataset, taxonomy.levels), {video.video_id: video})
    return Prediction(annotations, duration, time.perf_counter() - started, scores)


def write_prediction(prediction: Prediction, taxonomy: Taxonomy, out: PathLike,
                     ground_truth: Optional[VideoAnnotation] = None) -> Dict[str, Path]:
    """``OUT.json`` (canonical) and ``OUT.png`` (the timeline, ``ground_truth`` beneath), as ``videokit predict``
    writes them."""
    out = Path(out)
    files = {".json": out.with_name(out.name + ".json"), ".png": out.with_name(out.name + ".png")}
    write_annotations(prediction.annotations, files[".json"], "canonical", indent=1)
    plot_timeline(prediction.video, taxonomy, files[".png"], ground_truth=ground_truth)
    return files
