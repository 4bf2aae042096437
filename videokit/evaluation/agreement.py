"""Agreement between two annotators of the same videos, level by level (``videokit compare A B``).

Per level, with A as the reference (the numbers are symmetric except where named):
- segment F1 @ tIoU: one-to-one matching of same-class segments within each video, greedily by tIoU (highest
  first), TP / FP / FN pooled over videos, one F1 per threshold;
- boundary offsets of the segments matched at the lowest threshold: mean and 90th percentile of
  ``|start_A - start_B|`` and ``|end_A - end_B|`` together, in seconds;
- frame-level Cohen's kappa: both timelines sampled at ``fps`` (1 by default) from 0 to the later end, "no
  segment" a category of its own, pooled over videos; the label at each sample is the timeline's rule
  (:func:`videokit.annotations.timeline.labels_at`, the one the frame-label format writes);
- per class: segments in A and in B, matched at the middle threshold, F1;
- disagreements: every run of frames where the two say different things (video, start, end, seconds, what
  A said, what B said), largest first;
- edits: what B changed of A segment by segment (relabel, move, delete, add, split, merge; :mod:`.edits`).
Classes are matched by name, and only those B's segments use count (a file read from a tool without
``--taxonomy`` knows only the classes it uses); the result names those whose ids differ.
Numpy and pandas only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ..annotations import AnnotationError, AnnotationSet, trimmed_segments
from ..annotations.timeline import BACKGROUND, labels_at, sample_times, tiou
from .edits import SegmentEdit, edit_counts, segment_edits

NONE = BACKGROUND


def _by_video(annotations: AnnotationSet, level: str) -> Dict[str, List[Tuple[float, float, int]]]:
    out: Dict[str, List[Tuple[float, float, int]]] = {}
    for item in trimmed_segments(annotations, level):
        out.setdefault(item.video.video_id, []).append((float(item.segment.start), float(item.segment.end), item.label))
    return out


def match(a: List[Tuple[float, float, int]], b: List[Tuple[float, float, int]]) -> List[Tuple[int, int, float]]:
    """One-to-one same-class matches ``(index in a, index in b, tIoU)``, greedily by tIoU (ties: input order)."""
    if not a or not b:
        return []
    sa, sb = np.array([x[:2] for x in a]), np.array([x[:2] for x in b])
    iou = tiou(sa[:, None], sb[None])
    iou[np.array([x[2] for x in a])[:, None] != np.array([x[2] for x in b])[None, :]] = 0.0
    pairs = [(iou[i, j], i, j) for i, j in zip(*np.nonzero(iou > 0))]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_a, used_b, out = set(), set(), []
    for value, i, j in pairs:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((int(i), int(j), float(value)))
    return out


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two label sequences (1.0 when both are one and the same category throughout)."""
    if len(a) == 0:
        return float("nan")
    categories, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    ca, cb = codes[: len(a)], codes[len(a):]
    observed = float(np.mean(ca == cb))
    pa = np.bincount(ca, minlength=len(categories)) / len(a)
    pb = np.bincount(cb, minlength=len(categories)) / len(b)
    expected = float(np.sum(pa * pb))
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


@dataclass
class LevelAgreement:
    level: str
    thresholds: Tuple[float, ...]
    f1: Dict[float, float]
    precision: Dict[float, float]
    recall: Dict[float, float]
    boundary_mean: float
    boundary_p90: float
    kappa: float
    segments_a: int
    segments_b: int
    videos: int
    per_class: pd.DataFrame = field(repr=False)
    disagreements: pd.DataFrame = field(repr=False)
    classes: Optional[ClassAlignment] = field(default=None, repr=False)
    edits: List[SegmentEdit] = field(default_factory=list, repr=False)

    def to_dict(self) -> Dict:
        return {"level": self.level, "videos": self.videos, "segments_a": self.segments_a,
                "segments_b": self.segments_b,
                "f1": {f"{t:g}": v for t, v in self.f1.items()},
                "precision": {f"{t:g}": v for t, v in self.precision.items()},
                "recall": {f"{t:g}": v for t, v in self.recall.items()},
                "boundary_offset_mean_s": self.boundary_mean, "boundary_offset_p90_s": self.boundary_p90,
                "frame_kappa": self.kappa,
                "classes_matched_by_name": self.classes.by_name if self.classes else [],
                "classes_only_in_b": self.classes.only_other if self.classes else [],
                "edits": edit_counts(self.edits)}


@dataclass
class ClassAlignment:
    """``other``'s classes of one level in ``reference``'s ids: only the classes ``other``'s segments use count;
    one the reference does not know gets an id after the reference's own (its segments then match nothing)."""

    mapping: Dict[int, int]
    names: List[str]  # the reference's level-unique names, extended by the classes only ``other`` has
    by_name: List[Dict]  # the used classes whose ids differ between the two files: {name, a_id, b_id}
    only_other: List[str]  # names of used classes the reference does not have


def align_classes(reference: AnnotationSet, other: AnnotationSet, level: str) -> ClassAlignment:
    """Match ``other``'s used classes of ``level`` to ``reference``'s by name (files from annotation tools number
    classes their own way, and a file read without ``--taxonomy`` knows only the classes it uses)."""
    ids = reference.taxonomy.class_ids(level)
    names = list(reference.taxonomy.class_names(level))
    used = sorted({s.label for v in other for s in v.segments if s.level == level} |
                  ({label for v in other for label in v.labels} if level == other.levels[0] else set()))
    other_names = other.taxonomy.class_names(level)
    other_classes = other.taxonomy.level(level).classes
    mapping: Dict[int, int] = {}
    by_name, only_other = [], []
    for cid in used:
        name = other_names[cid] if 0 <= cid < len(other_names) else str(cid)
        original = other_classes[cid].name if cid in other_classes else name
        target = ids.get(name, ids.get(original))
        if target is None:
            target = max(len(names), max(ids.values(), default=-1) + 1)
            names += [str(k) for k in range(len(names), target)] + [name]
            ids[name] = target
            only_other.append(name)
        elif target != cid:
            by_name.append({"name": names[target], "a_id": target, "b_id": cid})
        mapping[cid] = target
    return ClassAlignment(mapping, names, by_name, only_other)


def compare_level(a: AnnotationSet, b: AnnotationSet, level: str, thresholds: Sequence[float] = (0.1, 0.25, 0.5),
                  fps: float = 1.0, tolerance: Optional[float] = None) -> LevelAgreement:
    """Agreement of ``b`` with ``a`` on ``level`` over the videos both annotate."""
    thresholds = tuple(sorted(float(t) for t in thresholds))
    alignment = align_classes(a, b, level)
    seg_a = _by_video(a, level)
    seg_b = {v: [(s, e, alignment.mapping[c]) for s, e, c in segs] for v, segs in _by_video(b, level).items()}
    videos = sorted(set(a.videos) & set(b.videos))
    names = alignment.names
    tp = {t: 0 for t in thresholds}
    offsets: List[float] = []
    frames_a, frames_b, runs = [], [], []
    per_class: Dict[int, List[int]] = {}
    middle = thresholds[len(thresholds) // 2]
    n_a = n_b = 0
    for video in videos:
        va, vb = seg_a.get(video, []), seg_b.get(video, [])
        n_a, n_b = n_a + len(va), n_b + len(vb)
        matches = match(va, vb)
        for t in thresholds:
            tp[t] += sum(1 for _, _, value in matches if value >= t)
        for i, j, value in matches:
            if value >= thresholds[0]:
                offsets += [abs(va[i][0] - vb[j][0]), abs(va[i][1] - vb[j][1])]
        for s, e, c in va:
            per_class.setdefault(c, [0, 0, 0])[0] += 1
        for s, e, c in vb:
            per_class.setdefault(c, [0, 0, 0])[1] += 1
        for i, j, value in matches:
            if value >= middle:
                per_class[va[i][2]][2] += 1
        end = max([e for _, e, _ in va + vb] + [0.0])
        times = sample_times(end, fps)
        la, lb = labels_at(va, times), labels_at(vb, times)
        frames_a.append(la)
        frames_b.append(lb)
        differ = np.r_[False, la != lb, False].astype(np.int8)
        starts, stops = np.flatnonzero(np.diff(differ) == 1), np.flatnonzero(np.diff(differ) == -1)
        for s, e in zip(starts, stops):
            said_a = sorted({int(x) for x in la[s:e]})
            said_b = sorted({int(x) for x in lb[s:e]})
            runs.append({"video": video, "start": round(s / fps, 3), "end": round(e / fps, 3),
                         "seconds": round((e - s) / fps, 3),
                         "a_said": " / ".join("-" if x == NONE else names[x] for x in said_a),
                         "b_said": " / ".join("-" if x == NONE else names[x] for x in said_b)})
    f1, precision, recall = {}, {}, {}
    for t in thresholds:
        precision[t] = tp[t] / n_b if n_b else 0.0
        recall[t] = tp[t] / n_a if n_a else 0.0
        f1[t] = 2 * tp[t] / (n_a + n_b) if n_a + n_b else 1.0
    table = pd.DataFrame([{"class_id": c, "class": names[c] if 0 <= c < len(names) else str(c), "segments_a": v[0],
                           "segments_b": v[1], f"matched@{middle:g}": v[2],
                           f"f1@{middle:g}": 2 * v[2] / (v[0] + v[1]) if v[0] + v[1] else 1.0}
                          for c, v in sorted(per_class.items())])
    disagreements = pd.DataFrame(runs, columns=["video", "start", "end", "seconds", "a_said", "b_said"])
    if len(disagreements):
        disagreements = disagreements.sort_values(["seconds", "video", "start"], ascending=[False, True, True],
                                                  kind="stable").reset_index(drop=True)
    kappa = cohen_kappa(np.concatenate(frames_a), np.concatenate(frames_b)) if frames_a else float("nan")
    offsets_arr = np.asarray(offsets)
    edits = [edit for video in videos
             for edit in segment_edits(seg_a.get(video, []), seg_b.get(video, []),
                                       _tolerance(a, b, video, tolerance), video, names)]
    return LevelAgreement(level, thresholds, f1, precision, recall,
                          float(offsets_arr.mean()) if len(offsets_arr) else float("nan"),
                          float(np.percentile(offsets_arr, 90)) if len(offsets_arr) else float("nan"),
                          kappa, n_a, n_b, len(videos), table, disagreements, alignment, edits)


def _tolerance(a: AnnotationSet, b: AnnotationSet, video: str, tolerance: Optional[float]) -> float:
    """How far two times may differ and still be one: ``tolerance``, else one frame of the video (a
    frame-based tool keeps times to a frame), else 0.04 s."""
    if tolerance is not None:
        return float(tolerance)
    rates = [float(s.videos[video].fps) for s in (a, b) if s.videos[video].fps]
    return (1.0 / min(rates) if rates else 0.04) + 1e-3


def compare(a: AnnotationSet, b: AnnotationSet, levels: Optional[Sequence[str]] = None,
            thresholds: Sequence[float] = (0.1, 0.25, 0.5), fps: float = 1.0,
            tolerance: Optional[float] = None) -> List[LevelAgreement]:
    """:func:`compare_level` for every level both annotate (or ``levels``)."""
    if levels is None:
        levels = [lvl for lvl in a.levels if lvl in b.levels and (a.count_segments(lvl) or
                                                                   lvl != a.levels[0])]
    missing = [lvl for lvl in levels if lvl not in a.levels or lvl not in b.levels]
    if missing:
        raise AnnotationError(b.source, None, "level", f"not a level of both files (A: {a.levels}, B: {b.levels})",
                              missing[0])
    return [compare_level(a, b, lvl, thresholds, fps, tolerance) for lvl in levels]
