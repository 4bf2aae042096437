"""A small synthetic procedure dataset in NurViD's native layout, with real MP4 files.

Each procedure is a fixed sequence of steps; each step draws a distinct coloured shape moving in its
own direction over a noisy background, so that a small video model can tell steps (and therefore
procedures) apart in minutes on a CPU. Used by ``videokit demo`` and by the tests.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np
import pandas as pd

from ..utils import PathLike

PROCEDURES = ["Hand Hygiene", "Wound Dressing", "IV Infusion"]
STEPS = [  # 4 steps per procedure, 0-based action ids
    ["Wet hands", "Apply soap", "Rub palms", "Dry hands"],
    ["Remove dressing", "Clean wound", "Apply ointment", "Cover wound"],
    ["Check order", "Disinfect skin", "Insert cannula", "Fix tubing"],
]
_COLOURS = [(230, 60, 60), (60, 200, 60), (60, 90, 230), (230, 200, 40), (200, 60, 200), (40, 200, 210),
            (240, 140, 30), (130, 70, 30), (250, 250, 250), (120, 120, 250), (20, 120, 60), (160, 0, 80)]
_DIRECTIONS = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1), (2, 0), (0, 2),
               (-2, 0), (0, -2)]


@dataclass
class DemoSpec:
    """Sizes of the made dataset; defaults give ~24 videos of 20-40 s at 96x96, 10 fps."""

    videos_per_procedure: int = 8
    min_seconds: float = 20.0
    max_seconds: float = 40.0
    fps: int = 10
    size: int = 96
    seed: int = 0


def _draw_step(frame: np.ndarray, action: int, t: float, size: int) -> None:
    colour = _COLOURS[action % len(_COLOURS)]
    dx, dy = _DIRECTIONS[action % len(_DIRECTIONS)]
    cx = int((size / 2 + dx * 12 * t) % size)
    cy = int((size / 2 + dy * 12 * t) % size)
    radius = size // 6
    shape = action % 3
    if shape == 0:
        cv2.circle(frame, (cx, cy), radius, colour, -1)
    elif shape == 1:
        cv2.rectangle(frame, (cx - radius, cy - radius), (cx + radius, cy + radius), colour, -1)
    else:
        pts = np.array([[cx, cy - radius], [cx - radius, cy + radius], [cx + radius, cy + radius]], np.int32)
        cv2.fillPoly(frame, [pts], colour)


def write_video(path: PathLike, duration: float, segments: Sequence[Tuple[int, float, float]],
                fps: int = 10, size: int = 96, seed: int = 0, gop: int = 25) -> int:
    """Write an H.264 MP4 (keyframe every ``gop`` frames, B-frames, like real footage) of ``duration``
    seconds showing each ``(action, start, end)``; returns the frame count."""
    import av

    rng = np.random.default_rng(seed)
    frames = int(round(duration * fps))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.options = {"g": str(gop), "bf": "2", "crf": "20", "preset": "veryfast",
                                        # the C code's output: x264's SIMD paths encoded the same frames
                                        # differently from run to run (and so trained another demo model)
                                        "x264-params": "cpu-independent=1"}
        for i in range(frames):
            t = i / fps
            frame = rng.integers(40, 80, (size, size, 3), dtype=np.uint8)
            for action, start, end in segments:
                if start <= t < end:
                    _draw_step(frame, action, t - start, size)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return frames


def _class_table() -> pd.DataFrame:
    """The workbook's layout: procedures and actions side by side under a title row and a header row."""
    actions = [a for steps in STEPS for a in steps]
    rows: List[list] = [["Procedure", None, None, None, None, None, "Action", None, None, None],
                        ["ID", "Chinese name", "English name", "Abbreviation", "Split", None,
                         "ID", "Chinese name", "English name", "Split"]]
    for i in range(max(len(PROCEDURES), len(actions))):
        left = [i, "", PROCEDURES[i], "".join(w[0] for w in PROCEDURES[i].split()),
                "Many" if i == 0 else None] if i < len(PROCEDURES) else [None] * 5
        right = [i, "", actions[i], "Many" if i == 0 else None] if i < len(actions) else [None] * 4
        rows.append(left + [None] + right)
    return pd.DataFrame(rows)


def make_demo_dataset(root: PathLike, spec: DemoSpec = DemoSpec()) -> Path:
    """Write ``root/videos/*.mp4`` and ``root/annotations/`` (NurViD layout); returns the annotations folder."""
    root = Path(root)
    videos_dir = root / "videos"
    ann_dir = root / "annotations"
    videos_dir.mkdir(parents=True, exist_ok=True)
    (ann_dir / "task1_3").mkdir(parents=True, exist_ok=True)
    (ann_dir / "task2").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(spec.seed)
    records: Dict[str, dict] = {}
    splits: Dict[str, str] = {}
    for procedure, steps in enumerate(STEPS):
        for n in range(spec.videos_per_procedure):
            vid = f"demo_{procedure}_{n:02d}"
            duration = float(rng.uniform(spec.min_seconds, spec.max_seconds))
            order = list(range(len(steps)))
            t = float(rng.uniform(0.5, 2.0))
            annotations = []
            share = (duration - t - 1.0) / len(order)
            for k in order:
                length = share * float(rng.uniform(0.6, 0.9))
                start, end = round(t, 2), round(t + length, 2)
                annotations.append({"actionID": procedure * 4 + k + 1, "segment": [start, end]})
                t += share
            write_video(videos_dir / f"{vid}.mp4", duration,
                        [(a["actionID"] - 1, *a["segment"]) for a in annotations], spec.fps, spec.size,
                        seed=spec.seed * 1000 + procedure * 100 + n)
            records[vid] = {"operationID": procedure + 1, "annotations": annotations,
                            "duration": int(duration), "resolution": f"{spec.size}x{spec.size}",
                            "fps": spec.fps, "subset": None, "url": ""}
            count = spec.videos_per_procedure  # the last quarter is test, the eighth before it val
            n_test = max(1, round(count / 4)) if count >= 3 else 0
            n_val = max(1, round(count / 8)) if count >= 3 else 0
            splits[vid] = ("test" if n >= count - n_test else "val" if n >= count - n_test - n_val else "train")
    (ann_dir / "NurViD_annotations.json").write_text(json.dumps(records, indent=4), encoding="utf-8")
    for split in ("train", "val", "test"):
        lines = [f"/video_path/{vid}.mp4 {records[vid]['operationID']}" for vid in records if splits[vid] == split]
        (ann_dir / "task1_3" / f"{split}.csv").write_text("path-label\n" + "\n".join(lines) + "\n")
        for level in ("procedure", "action"):
            lines = []
            for vid in records:
                if splits[vid] != split:
                    continue
                for k, ann in enumerate(records[vid]["annotations"], start=1):
                    label = ann["actionID"] - 1 if level == "action" else records[vid]["operationID"] - 1
                    lines.append(f"/segment_path/{vid}_{k}.mp4 {label}")
            (ann_dir / "task2" / f"{level}_{split}.csv").write_text("path-label\n" + "\n".join(lines) + "\n")
    _class_table().to_excel(ann_dir / "Procedure&Action_ID.xlsx", header=False, index=False)
    return ann_dir
