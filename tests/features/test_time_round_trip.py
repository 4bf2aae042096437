"""The time round trip users lack: for every feature layout a user brings, "perfect" features built on the
REAL ground truth (NurViD actions, OphNet phases, OphNet operations) give the ground truth back through
the feature contract and ``videokit evaluate detection``; the same features read with the offset off by
half a window do not.

The features are built from each layout's own definition (which frames a position sees), written out
here independently of videokit: position ``k`` carries class ``c`` (a one-hot; several where segments
overlap) when its centre falls inside a segment of ``c``. They are decoded as a detector's output is:
runs of a class in feature positions, then seconds through the spec's times, the dataset's axis and the
detector's :func:`~videokit.features.spec.to_seconds`.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np
import pytest

from videokit.annotations import read_annotations, trimmed_segments, write_annotations
from videokit.cli.evaluate import evaluate_files
from videokit.features import FeatureFolder, FeatureSpec, axis, sidecar, to_seconds, to_units

OPHNET_FPS = 30.0
# OphNet publishes no frame rates; its videos and its VideoMAEv2 features are at 30 fps.
STORED = 1e-4  # sidecars store centre times to 0.1 ms


def windows(window: int, stride: int, fps=None) -> Callable:
    """A snippet layout by its definition: frames [k*stride, k*stride + window) at ``fps`` (None: the
    video's own rate), seen at their middle."""
    def centres(duration: float, video_fps: float) -> Tuple[np.ndarray, float]:
        rate = fps or video_fps
        frames = int(duration * rate)
        starts = np.arange(0, max(frames - window, 0) + 1, stride)
        return (starts + window / 2.0) / rate, stride / rate
    return centres


def cells(n: int) -> Callable:
    """Features resampled to ``n`` positions: position i is the i-th of n equal parts of the video."""
    def centres(duration: float, video_fps: float) -> Tuple[np.ndarray, float]:
        return (np.arange(n) + 0.5) * duration / n, duration / n
    return centres


# layout: (its definition, the FeatureSpec a user states for it, how the times reach the dataset)
LAYOUTS = {
    "videokit windows 16/8 (configs' extraction)": (windows(16, 8), FeatureSpec(window=16, stride=8), "sidecar"),
    "OphNet VideoMAEv2 16/16 @30 fps": (windows(16, 16, 30), FeatureSpec(fps=30, stride=16, window=16), "external"),
    "ActionFormer THUMOS I3D 16/4 @30 fps": (windows(16, 4, 30), FeatureSpec(fps=30, stride=4, window=16), "external"),
    "NurViD BMN 100 per video": (cells(100), FeatureSpec(fixed_length=100), "external"),
    "one feature per second": (windows(1, 1, 1), FeatureSpec(fps=1, stride=1, window=1), "external"),
}
TASKS = {"NurViD action": ("nurvid", "action"), "OphNet phase": ("ophnet", "phase"),
         "OphNet operation": ("ophnet", "operation")}


@pytest.fixture(scope="module")
def ground_truth(real_dir, tmp_path_factory):
    """Per task: the annotations, the level, and its ActivityNet file (what ``evaluate detection`` reads)."""
    folder = tmp_path_factory.mktemp("gt")
    out = {}
    for task, (dataset, level) in TASKS.items():
        annotations = read_annotations(real_dir / dataset, dataset)
        path = folder / f"{dataset}_{level}.json"
        write_annotations(annotations, path, "anet", level=level)
        out[task] = (annotations, level, path)
    return out


def spec_times(spec: FeatureSpec, how: str, length: int, duration: float, video_fps: float) -> np.ndarray:
    """The centre times the dataset sees: a sidecar written as extraction writes it, or an external
    folder's times from the stated spec (``FeatureFolder.meta``)."""
    if how == "sidecar":
        num_frames = int(duration * video_fps)
        window, stride = spec.in_frames(video_fps)
        times = spec.centres(spec.window_starts(num_frames, video_fps), num_frames, video_fps)
        return np.asarray(sidecar(spec, video_fps, num_frames, window, stride, times)["times"])  # as stored
    fps = spec.fps or 1.0
    window, stride = spec.in_frames(fps)
    return np.asarray(sidecar(spec, fps, 0, window, stride, spec.times(length, spec.fps, duration))["times"])


def resolvable(seg: np.ndarray, labels: np.ndarray, stride: float) -> np.ndarray:
    """Segments a layout can carry at tIoU 0.5 whatever the decoder: at least 3 strides long (one-position
    boundaries are off by up to half a stride each) and at least a stride from the next segment of their
    class (closer, no position sees the gap and the two are one run)."""
    keep = seg[:, 1] - seg[:, 0] >= 3 * stride
    for c in np.unique(labels):
        index = np.flatnonzero(labels == c)
        order = index[np.argsort(seg[index, 0], kind="stable")]
        for a, b in zip(order[:-1], order[1:]):
            if seg[b, 0] - seg[a, 1] < stride:
                keep[a] = keep[b] = False
    return keep


def round_trip(ground_truth, task: str, layout: str, spec: FeatureSpec, tmp_path: Path) -> Dict[str, float]:
    """Build, decode, evaluate; returns the numbers the checks use."""
    annotations, level, gt_file = ground_truth[task]
    define, _, how = LAYOUTS[layout]
    names = annotations.taxonomy.class_names(level)
    by_video: Dict[str, List] = {}
    for item in trimmed_segments(annotations, level):
        by_video.setdefault(item.video.video_id, []).append((item.segment.start, item.segment.end, item.label))
    results, kept_results, kept_gt, errors, total, carried = {}, {}, {}, [], 0, 0
    for video_id, segments in by_video.items():
        video = annotations.videos[video_id]
        duration = max([video.duration or 0.0] + [e for _, e, _ in segments])
        fps = video.fps or OPHNET_FPS
        centres, stride = define(duration, fps)
        if not len(centres):
            continue
        seg = np.asarray([(s, e) for s, e, _ in segments], dtype=np.float64)
        labels = np.asarray([c for _, _, c in segments])
        # the perfect features: class c at position k when k's centre lies in a segment of c
        inside = (centres[None, :] >= seg[:, :1]) & (centres[None, :] < seg[:, 1:])  # (segments, T)
        classes = np.unique(labels)
        onehot = np.zeros((len(centres), len(classes)), dtype=bool)
        for j, c in enumerate(classes):
            onehot[:, j] = inside[labels == c].any(0)
        # the dataset's axis from the spec's times, the detector's decoding back to seconds
        time0, step = axis(spec_times(spec, how, len(centres), duration, fps))
        found = []
        for j, c in enumerate(classes):
            padded = np.r_[False, onehot[:, j], False].astype(np.int8)
            starts, ends = np.flatnonzero(np.diff(padded) == 1), np.flatnonzero(np.diff(padded) == -1) - 1
            for a, b in zip(starts, ends):
                s_, e_ = to_seconds(np.array([a - 0.5, b + 0.5]), time0, step)
                found.append((int(c), float(s_), float(e_)))
                # every decoded boundary lands within half a stride of a true boundary of its class (but
                # at the first / last position: no window is centred in the video's first and last
                # half window, so a boundary there is known only to lie before / after that position)
                mine = seg[labels == c]
                # (in strides, less the 0.1 ms to which sidecars store times)
                if a > 0:
                    errors.append(max(np.abs(mine[:, 0] - s_).min() - STORED, 0.0) / stride)
                if b < len(centres) - 1:
                    errors.append(max(np.abs(mine[:, 1] - e_).min() - STORED, 0.0) / stride)
        results[video_id] = [{"label": names[c], "segment": [s_, e_], "score": 1.0} for c, s_, e_ in found]
        # mAP over what the layout can carry: resolvable ground truth, and the runs that render it
        keep = resolvable(seg, labels, stride)
        total += len(seg)
        carried += int(keep.sum())
        kept_gt[video_id] = {"subset": video.split, "annotations": [
            {"label": names[c], "label_id": int(c), "segment": [float(a), float(b)]}
            for (a, b), c in zip(seg[keep], labels[keep])]}
        kept_results[video_id] = [r for r, (c, s_, e_) in zip(results[video_id], found)
                                  if any(k and lc == c and a < e_ and b > s_
                                         for k, lc, (a, b) in zip(keep, labels, seg))]
    stem = tmp_path / f"{task}_{layout}".replace(" ", "_").replace("/", "-")
    everything, carried_file, carried_gt = (stem.with_suffix(f".{n}.json") for n in ("all", "carried", "gt"))
    everything.write_text(json.dumps({"results": results}))
    carried_file.write_text(json.dumps({"results": kept_results}))
    carried_gt.write_text(json.dumps({"database": kept_gt}))
    full, _, _ = evaluate_files(gt_file, "anet", everything, level, thresholds=[0.5], drop_degenerate=True)
    result, _, _ = evaluate_files(carried_gt, "anet", carried_file, level, thresholds=[0.5], drop_degenerate=True)
    errors = np.asarray(errors)
    return {"mAP@0.5": round(float(result.mAP[0]), 4), "mAP@0.5 all ground truth": round(float(full.mAP[0]), 4),
            "classes": len(full.ap), "within_half_stride": round(float(np.mean(errors <= 0.5 + 1e-9)), 4),
            "worst_in_strides": round(float(errors.max()), 3), "carried": round(carried / total, 4),
            "segments": total}


def check(numbers: Dict[str, float]) -> None:
    assert numbers["within_half_stride"] == 1.0, numbers
    assert numbers["mAP@0.5"] >= 0.99, numbers


@pytest.mark.slow
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("task", list(TASKS))
def test_every_layout_gives_the_ground_truth_back(ground_truth, task, layout, tmp_path):
    numbers = round_trip(ground_truth, task, layout, LAYOUTS[layout][1], tmp_path)
    print(f"{task} x {layout}: {numbers}")
    check(numbers)


@pytest.mark.slow
@pytest.mark.parametrize("layout", [name for name, (_, spec, _) in LAYOUTS.items() if not spec.fixed_length])
def test_half_a_window_off_fails(ground_truth, layout, tmp_path):
    """The check can fail: the same features read with the offset off by half a window."""
    _, spec, _ = LAYOUTS[layout]
    off = replace(spec, offset=spec.window / 2.0 / (spec.fps or 30.0))
    numbers = round_trip(ground_truth, "OphNet phase", layout, off, tmp_path)
    print(f"half a window off, OphNet phase x {layout}: {numbers}")
    with pytest.raises(AssertionError):
        check(numbers)


def test_external_folders_and_the_dataset_use_the_same_times(tmp_path):
    """What the test above calls directly is what a features folder and the detection dataset do."""
    spec = FeatureSpec(fps=30, stride=16, window=16)
    np.save(tmp_path / "v.npy", np.zeros((7, 3), dtype=np.float32))
    meta = FeatureFolder(tmp_path, spec.to_dict()).meta("v")
    assert np.allclose(meta["times"], (np.arange(7) * 16 + 8) / 30.0, atol=1e-4)
    assert np.allclose(to_units(meta["times"], meta["times"]), np.arange(7), atol=1e-3)  # 0.1 ms storage
    bmn = FeatureFolder(tmp_path, dict(fixed_length=7)).meta("v", duration=70.0)
    assert np.allclose(bmn["times"], np.arange(7) * 10 + 5)
    with pytest.raises(ValueError, match="unknown key"):
        FeatureFolder(tmp_path, dict(fps=30, strides=16))
