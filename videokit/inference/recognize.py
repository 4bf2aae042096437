"""Sliding-window recognition: class scores of every window of a video, through the config's own
test pipeline, so each window is seen exactly as ``tools/test.py`` sees a trimmed segment.

The pipeline is run in two halves around its ``VideoDecode``: the first (``VideoInit``,
``SampleTimeRangeFrames``) picks every window's frames, the frames of all windows are decoded in one pass
(:func:`videokit.video.windows.decode_windows`), and the second half (resize, crop, format, pack) runs on each
window's frames. A thread prepares the next batches while the model scores the current one. The scores are the
per-window pipeline's (``one_pass=False`` runs it, for comparison)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..annotations import AnnotationSet, Taxonomy, read_annotations
from ..annotations.formats.tables import read_taxonomy
from ..bundled import resolve_data
from ..utils.prefetch import prefetched
from ..video import DEFAULT_BACKEND, BrokenVideoError, open_video
from ..video.windows import decode_windows
from .assemble import STALL_S, window_grid
from .network import load_model
from .runtime import OnnxRecognizer


@dataclass
class TrainedRecognizer:
    """A trained recognizer ready for sliding windows: model, config, the taxonomy levels its head
    scores (coarse to fine) and the taxonomy that names the classes."""

    model: torch.nn.Module
    cfg: object
    levels: List[str]
    taxonomy: Taxonomy
    device: str = "cpu"
    onnx: Optional[object] = None  # an OnnxRecognizer: the network runs in onnxruntime

    @classmethod
    def from_files(cls, config: str, checkpoint: Optional[str], taxonomy: Optional[str] = None,
                   taxonomy_format: str = "canonical", device: str = "cpu",
                   onnx: Optional[str] = None) -> "TrainedRecognizer":
        """Load ``config`` + ``checkpoint``; class names come from ``taxonomy`` (a taxonomy CSV or any
        annotation source), else the head's ``taxonomy_file``, else the config's test annotations. With
        ``onnx`` (a model ``videokit export`` wrote) the network runs in onnxruntime; the config still gives
        the test pipeline and the data preprocessor."""

        model, cfg = load_model(config, checkpoint, device)
        return cls.from_model(model, cfg, config, taxonomy, taxonomy_format, device, onnx)

    @classmethod
    def from_model(cls, model, cfg, config: str, taxonomy: Optional[str] = None, taxonomy_format: str = "canonical",
                   device: str = "cpu", onnx: Optional[str] = None) -> "TrainedRecognizer":
        """:meth:`from_files` on a loaded model and its config (``config`` names it in errors)."""
        tax = load_taxonomy(cfg, taxonomy, taxonomy_format)
        head = getattr(model, "cls_head", None)
        if head is not None and hasattr(head, "levels"):
            levels = list(head.levels)
        else:
            levels = [cfg.test_dataloader.dataset.get("level") or tax.level_names[0]]
        missing = [lvl for lvl in levels if lvl not in tax.level_names]
        if missing:
            raise ValueError(f"{config}: the model scores level {missing[0]!r}, which the taxonomy "
                             f"({tax.level_names}) does not name; pass --taxonomy")
        pipeline = cfg.test_dataloader.dataset.pipeline
        if not any(t.get("type") == "SampleTimeRangeFrames" for t in pipeline):
            raise ValueError(f"{config}: test_dataloader.dataset.pipeline has no SampleTimeRangeFrames, so it "
                             "cannot read a window of a video; use videokit's VideoInit/SampleTimeRangeFrames/"
                             "VideoDecode")
        runtime = None
        if onnx:
            runtime = OnnxRecognizer(onnx, device)
            if runtime.levels != levels and not (len(levels) == 1 and runtime.levels == ["label"]):
                raise ValueError(f"{onnx}: scores the levels {runtime.levels}, the config {levels}")
        return cls(model, cfg, levels, tax, device, runtime)

    def test_pipeline(self) -> Callable[[Dict], Dict]:
        from mmaction.registry import TRANSFORMS
        from mmengine.dataset import Compose

        return Compose([TRANSFORMS.build(t) for t in self.cfg.test_dataloader.dataset.pipeline])


def load_taxonomy(cfg, source: Optional[str] = None, fmt: str = "canonical") -> Taxonomy:
    """The taxonomy naming a model's classes (see :meth:`TrainedRecognizer.from_files`)."""
    if source:
        if str(source).endswith(".csv"):
            return read_taxonomy(source)
        return read_annotations(source, fmt).taxonomy
    head = cfg.model.get("cls_head") or {}
    if head.get("taxonomy_file"):
        return read_taxonomy(resolve_data(head["taxonomy_file"]))
    dataset = cfg.test_dataloader.dataset
    if dataset.get("ann_file"):
        fmt = dataset.get("ann_format", "canonical")
        annotations: AnnotationSet = read_annotations(resolve_data(dataset.ann_file), fmt)
        return annotations.taxonomy
    raise ValueError("no taxonomy: pass --taxonomy (a taxonomy CSV or an annotation file)")


@torch.no_grad()
def window_scores(recognizer: TrainedRecognizer, path: str, starts: Sequence[float], ends: Sequence[float],
                  batch_size: int = 8, progress: Optional[Callable[[int], None]] = None,
                  one_pass: bool = True) -> Dict[str, np.ndarray]:
    """Probabilities per level, ``{level: (windows, classes)}``, of the windows ``[starts[i], ends[i]]``
    seconds of ``path``; a window whose frames cannot be decoded (a damaged stretch) has a row of NaN.
    ``progress(n)`` is told of each batch. ``one_pass``: decode every window's frames in one pass, the batches
    prepared beside the model (else each window is decoded on its own, in turn)."""
    from mmengine.dataset import pseudo_collate

    windows = [dict(filename=path, start=float(s), end=float(e), label=-1) for s, e in zip(starts, ends)]
    halves = split_pipeline(recognizer) if one_pass else None
    if halves is None:
        batches: Iterable[Tuple[List[int], List[Dict], int]] = per_window_batches(
            windows, recognizer.test_pipeline(), batch_size)
    else:
        batches = prefetched(one_pass_batches(windows, *halves, batch_size), stall=STALL_S)
    head = getattr(recognizer.model, "cls_head", None)
    rows: Dict[str, Dict[int, np.ndarray]] = {level: {} for level in recognizer.levels}
    for numbers, batch, seen in batches:
        if progress:
            progress(seen)
        if not batch:
            continue
        if recognizer.onnx is not None:  # the exported network: preprocessed clips in, probabilities out
            inputs = recognizer.model.data_preprocessor(pseudo_collate(batch), False)["inputs"]
            for k, probs in enumerate(recognizer.onnx(inputs.cpu().numpy()).values()):
                rows[recognizer.levels[k]].update(zip(numbers, np.asarray(probs, dtype=np.float64)))
            continue
        samples = recognizer.model.test_step(pseudo_collate(batch))
        for number, sample in zip(numbers, samples):
            if "level_scores" in sample:  # MultiLevelHead: probabilities of every level
                for level, scores in zip(recognizer.levels, sample.level_scores):
                    rows[level][number] = np.asarray(scores, dtype=np.float64)
            else:
                scores = sample.pred_score.detach().cpu().double()
                if getattr(head, "average_clips", None) != "prob":
                    scores = scores.softmax(-1)
                rows[recognizer.levels[0]][number] = scores.numpy()
    return {level: _stacked(found, len(windows)) for level, found in rows.items() if found}


def _stacked(found: Dict[int, np.ndarray], count: int) -> np.ndarray:
    """``(count, classes)`` rows in window order, NaN for a window that has none (its frames were unreadable)."""
    width = len(next(iter(found.values())))
    out = np.full((count, width), np.nan)
    for number, row in found.items():
        out[number] = row
    return out


def per_window_batches(windows: List[Dict], pipeline: Callable, batch_size: int
                       ) -> Iterator[Tuple[List[int], List[Dict], int]]:
    """Each window through the whole pipeline on its own (its frames decoded for it alone), as
    :func:`one_pass_batches` hands them; a window that cannot be decoded is left out of its batch."""
    for b in range(0, len(windows), batch_size):
        numbers, batch = [], []
        for number in range(b, min(b + batch_size, len(windows))):
            try:
                batch.append(pipeline(dict(windows[number])))
                numbers.append(number)
            except BrokenVideoError:
                continue
        yield numbers, batch, min(b + batch_size, len(windows)) - b


def split_pipeline(recognizer: TrainedRecognizer) -> Optional[Tuple[Callable, Callable, Optional[str]]]:
    """The test pipeline's halves around its ``VideoDecode``: (picks the frames, transforms the decoded frames,
    the decoder's backend); ``None`` where the pipeline decodes otherwise (it is then run whole per window)."""
    from mmaction.registry import TRANSFORMS
    from mmengine.dataset import Compose

    steps = list(recognizer.cfg.test_dataloader.dataset.pipeline)
    at = [i for i, t in enumerate(steps) if t.get("type") == "VideoDecode"]
    if len(at) != 1:
        return None
    backend = steps[at[0]].get("backend")
    return (Compose([TRANSFORMS.build(t) for t in steps[:at[0]]]),
            Compose([TRANSFORMS.build(t) for t in steps[at[0] + 1:]]), backend)


def one_pass_batches(windows: List[Dict], pick: Callable, transform: Callable, backend: Optional[str],
                     batch_size: int) -> Iterator[Tuple[List[int], List[Dict], int]]:
    """``(window numbers, their results, windows passed)`` through the pipeline, ``batch_size`` windows at a
    time, their frames decoded in one pass (a window whose frames cannot be decoded is left out); what
    ``VideoDecode`` leaves (``imgs``, ``original_shape``, ``img_shape``) set as it sets them."""
    picked = [pick(dict(w)) for w in windows]
    if not picked:
        return
    reader = open_video(picked[0]["filename"], backend or picked[0].get("video_backend", DEFAULT_BACKEND))
    numbers: List[int] = []
    batch: List[Dict] = []
    seen = 0
    for k, frames in decode_windows(reader, [r["frame_inds"] for r in picked], damaged=True):
        results, picked[k] = picked[k], None  # the window's frames are the batch's now
        seen += 1
        if frames is not None:
            results["imgs"] = list(frames)
            results["original_shape"] = results["img_shape"] = frames.shape[1:3]
            batch.append(transform(results))
            numbers.append(k)
        if seen == batch_size:
            yield numbers, batch, seen
            numbers, batch, seen = [], [], 0
    if seen:
        yield numbers, batch, seen


def preprocessed_clips(recognizer: TrainedRecognizer, path: str, window: float, stride: float,
                       limit: Optional[int] = None) -> List[np.ndarray]:
    """The windows of ``path`` as the network sees them (the test pipeline, then the data preprocessor), one
    array per window; at most ``limit`` windows, evenly spread over the video (calibration and checks)."""
    from mmengine.dataset import pseudo_collate

    reader = open_video(path, cache=False)
    duration = float(reader.duration)
    reader.close()
    grid = window_grid(duration, window, stride)
    if limit and len(grid) > limit:
        grid = grid[np.unique(np.linspace(0, len(grid) - 1, limit).round().astype(int))]
    windows = [dict(filename=path, start=float(s), end=float(e), label=-1) for s, e in grid]
    halves = split_pipeline(recognizer)
    if halves is None:
        pipeline = recognizer.test_pipeline()
        batches: Iterable[Tuple[List[int], List[Dict], int]] = per_window_batches(windows, pipeline, 8)
    else:
        batches = one_pass_batches(windows, *halves, batch_size=8)
    clips: List[np.ndarray] = []
    for _, batch, _ in batches:
        if not batch:
            continue
        inputs = recognizer.model.data_preprocessor(pseudo_collate(batch), False)["inputs"]
        clips.extend(inputs.cpu().float().numpy())
    return clips
