"""``videokit demo``: make the synthetic dataset, then run each stage of the data path on it.

Stages so far: annotations (validate, convert to every target, stats). Each later stage (training,
detection, timelines) adds itself here; the last line always reads
``demo top1=<acc|n/a> mAP=<avg mAP|n/a> seconds=<wall time>``.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, Optional, Union

from ..annotations import read_annotations, stats, validate, write_annotations
from .synthetic import DemoSpec, make_demo_dataset


def _say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def run_demo(out: Union[str, Path] = "demo_output", spec: Optional[DemoSpec] = None) -> Dict[str, object]:
    """Run the demo into ``out``; returns its metrics (``top1``, ``mAP``, ``seconds``)."""
    started = time.perf_counter()
    out = Path(out)
    spec = spec or DemoSpec()
    _say(f"making {spec.videos_per_procedure * 3} synthetic procedure videos in {out}/videos")
    ann_dir = make_demo_dataset(out, spec)
    annotations = read_annotations(ann_dir, "nurvid")
    report = validate(annotations)
    _say(f"validated {ann_dir}: {len(annotations)} videos, {annotations.count_segments('action')} steps, "
         f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    if not report.ok:
        raise SystemExit("\n".join(str(f) for f in report.errors))
    converted = out / "converted"
    write_annotations(annotations, converted / "demo.canonical.json", "canonical")
    write_annotations(annotations, converted / "action_detection.json", "anet", level="action")
    for split in ("train", "val", "test"):
        for level in ("procedure", "action"):
            write_annotations(annotations, converted / f"{level}_segments_{split}.txt", "mmaction",
                              style="segments", level=level, subset=split)
        write_annotations(annotations, converted / f"videos_{split}.txt", "mmaction", style="video", subset=split)
    write_annotations(annotations, converted / "action_frames_1fps.npz", "frames", level="action", fps=1.0)
    stats.plot(annotations, out / "stats.png")
    counts = stats.counts(annotations)
    _say("segments per level and split:\n" + counts.to_string(index=False))
    _say(f"wrote {converted}/ and {out / 'stats.png'}")
    result: Dict[str, object] = {"top1": None, "mAP": None, "seconds": time.perf_counter() - started}
    return result


def format_result(result: Dict[str, object]) -> str:
    def show(value: object) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    return f"demo top1={show(result['top1'])} mAP={show(result['mAP'])} seconds={result['seconds']:.1f}"
