"""``videokit demo``: make the synthetic dataset, then run each stage of the data path on it.

Stages so far: annotations (validate, convert to every target, stats); a multi-level recognizer
trained through tools/train.py and tested on held-out videos; features extracted with it and an
conv detector (videokit.models.detection) trained and tested on them (mAP @ tIoU 0.3:0.1:0.7); ``videokit predict``
on a held-out video (timeline JSON + PNG); a causal workflow model (online step recognition + anticipation)
on the same features, and ``videokit predict --online`` streaming a held-out video. The last line reads
``demo top1=<acc|n/a> mAP=<avg mAP|n/a> wMAE=<s|n/a> baseline_wMAE=<s|n/a> eMAE=<s|n/a> seconds=<wall time>``.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Dict, Iterator, Optional, Union

from ..annotations import read_annotations, stats, validate, write_annotations
from ..configs import resolve
from ..engine.extract import main as extract_main
from ..engine.test import main as test_main
from ..features.window_features import WindowFeatures
from ..inference import TrainedDetector, TrainedRecognizer
from ..inference.network import load_model
from ..inference.online import stream_to_files
from ..inference.outputs import predict_to_files
from ..inference.predict import feature_spec
from ..inference.recognize import load_taxonomy
from .synthetic import DemoSpec, make_demo_dataset


def _say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


class _CurrentStdout:
    """A stream that writes wherever ``sys.stdout`` points now: loggers created inside one stage's log keep
    writing to the next stage's (or the console) instead of a closed file ("--- Logging error ---")."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def _follow_current_stdout() -> None:
    """Point every logger's console handler (mmengine's included) at :class:`_CurrentStdout`."""
    from mmengine.logging import MMLogger

    loggers = list(logging.Logger.manager.loggerDict.values()) + list(MMLogger._instance_dict.values())
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if type(handler) is logging.StreamHandler and not isinstance(handler.stream, _CurrentStdout):
                handler.stream = _CurrentStdout()


@contextmanager
def _quiet(log: Path) -> Iterator[None]:
    """Send everything a stage prints (mmengine's config dump, hook tables, per-iteration logs, tqdm)
    to ``log`` instead of the console; the demo prints its own one-line summaries."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a") as handle, redirect_stdout(handle), redirect_stderr(handle):
        try:
            yield
        finally:
            _follow_current_stdout()


_EPOCH = re.compile(r"Epoch\(train\)\s*\[(\d+)\]")


def _follow_training(process: subprocess.Popen, log: Path, epochs: int, name: str) -> None:
    """A progress bar of the epochs a training subprocess has logged, until it exits."""
    from tqdm import tqdm

    done = 0
    with tqdm(total=epochs, desc=f"[demo] training {name}", unit="epoch", leave=False) as bar:
        while process.poll() is None:
            time.sleep(0.5)
            seen = [int(m) for m in _EPOCH.findall(log.read_text(errors="replace"))] if log.exists() else []
            latest = max(seen, default=0)
            if latest - 1 > done:  # epoch k is logged while it runs: k - 1 are complete
                bar.update(latest - 1 - done)
                done = latest - 1
        bar.update(epochs - done)


def run_demo(out: Union[str, Path] = "demo_output", spec: Optional[DemoSpec] = None, train: bool = True,
             epochs: Optional[int] = None) -> Dict[str, object]:
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
    write_annotations(annotations, converted / "action_frames_1fps.npz", "frames", level="action", label_fps=1.0)
    write_annotations(annotations, converted / "taxonomy.csv", "taxonomy")
    stats.plot(annotations, out / "stats.png")
    counts = stats.counts(annotations)
    _say("segments per level and split:\n" + counts.to_string(index=False))
    _say(f"wrote {converted}/ and {out / 'stats.png'}")
    result: Dict[str, object] = {"top1": None, "mAP": None}
    if train:
        result.update(train_and_test(out, epochs=epochs))
        result.update(detect(out, Path(result["checkpoint"])))
        result.update(timeline(out, Path(result["checkpoint"])))
        result.update(workflow(out, Path(result["checkpoint"])))
    result["seconds"] = time.perf_counter() - started
    return result


def stock(name: str) -> Path:
    """A stock config of the demo (shipped in the package: the demo runs from an installed copy too)."""

    return Path(resolve(f"demo/{name}"))


def train_and_test(out: Path, config: Optional[Path] = None, epochs: Optional[int] = None) -> Dict[str, object]:
    """Train the demo recognizer through tools/train.py (a separate process, as a user would), then
    test its last checkpoint on the held-out videos."""
    config = config or stock("multilevel_r18_1x1x4_demo")
    work_dir = out / "work_dir"
    options = [f"train_cfg.max_epochs={epochs}", f"param_scheduler.0.T_max={epochs}"] if epochs else []
    checkpoint, metrics = _train_then_test(out, config, work_dir, options)
    return {"top1": metrics.get("acc/top1"), "metrics": metrics, "checkpoint": checkpoint}


def detect(out: Path, recognizer_checkpoint: Path) -> Dict[str, object]:
    """The detection stage: features from the trained recognizer, then the conv detector (a
    DenseTemporalDetector composition)."""

    config = stock("multilevel_r18_1x1x4_demo")
    log = out / "features" / "extract.log"
    _say(f"extracting features with the trained recognizer (tools/extract_features.py; log: {log})")
    with _quiet(log):
        code = extract_main([str(config), str(recognizer_checkpoint), "--annotations",
                             str(out / "converted" / "demo.canonical.json"),
                  "--video-root", str(out / "videos"), "--out", str(out / "features"), "--window", "8", "--stride", "4",
                  "--frames-per-window", "4", "--size", "64"])
    if code:
        raise SystemExit(f"demo: feature extraction failed; see {log}")
    detector = stock("conv_r18_step-detection")
    results = out / "detection_results.json"
    checkpoint, metrics = _train_then_test(out, detector, out / "work_dir_detection", [],
                                           [f"test_evaluator.results_file={results}"])
    _say(f"detection results (ActivityNet format): {results}")
    return {"mAP": metrics.get("detection/average_mAP"), "detection_metrics": metrics,
            "detector_checkpoint": checkpoint}


def workflow(out: Path, recognizer_checkpoint: Path) -> Dict[str, object]:
    """The online workflow stage: the causal TCN (current step + time until each step starts, horizon 15 s)
    trained through tools/train.py on the extracted features and tested against the training-mean
    baseline; then a held-out video is streamed through it, as ``videokit predict --online`` does."""

    config = stock("causal_tcn_demo")
    checkpoint, metrics = _train_then_test(out, config, out / "work_dir_workflow", [])
    wmae, baseline = metrics.get("anticipation/wMAE@15"), metrics.get("anticipation/baseline_wMAE@15")
    emae, baseline_emae = metrics.get("anticipation/eMAE@15"), metrics.get("anticipation/baseline_eMAE@15")
    _say(f"anticipation wMAE {wmae:.2f} s vs {baseline:.2f} s for the training-mean baseline, eMAE (imminent: "
         f"< 1.5 s to go) {emae:.2f} s vs {baseline_emae:.2f} s; online step accuracy "
         f"{metrics.get('online/accuracy', float('nan')):.3f} over every step, "
         f"{metrics.get('online/accuracy_labelled', float('nan')):.3f} over the steps inside a segment")
    annotations = read_annotations(out / "converted" / "demo.canonical.json", "canonical")
    video = next(iter(annotations.subset("test")))
    log = out / "online.log"
    with _quiet(log):
        backbone, _ = load_model(str(stock("multilevel_r18_1x1x4_demo")),
                                 str(recognizer_checkpoint), "cpu")
        model, cfg = load_model(str(config), checkpoint, "cpu")
        dataset = cfg.test_dataloader.dataset
        spec = feature_spec(cfg, str(config))
        written = stream_to_files(str(out / "videos" / video.path), WindowFeatures(backbone, spec.frames_per_window),
                                  spec, model, dataset.get("level", "action"), load_taxonomy(cfg),
                                  float(dataset.get("fps", 1.0)), out / "online", ground_truth=video)
    stats = written.stats
    _say(f"streamed held-out {video.video_id} through it: {stats['steps']} steps, latency per step mean "
         f"{stats['latency_ms_mean']:.0f} ms; {out / 'online_anticipation.png'} (log: {log})")
    return {"wMAE": wmae, "baseline_wMAE": baseline, "eMAE": emae, "workflow_metrics": metrics}


def timeline(out: Path, recognizer_checkpoint: Path, detector_checkpoint: Optional[Path] = None) -> Dict[str, object]:
    """The timeline stage: ``videokit predict`` on the first held-out video, ground truth beneath (steps
    from sliding-window recognition; pass ``detector_checkpoint`` to take them from the detector)."""

    annotations = read_annotations(out / "converted" / "demo.canonical.json", "canonical")
    video = next(iter(annotations.subset("test")))
    log = out / "timeline.log"
    with _quiet(log):
        recognizer = TrainedRecognizer.from_files(str(stock("multilevel_r18_1x1x4_demo")),
                                                  str(recognizer_checkpoint), device="cpu")
        detector = None
        if detector_checkpoint:
            detector = TrainedDetector.from_files(str(stock("conv_r18_step-detection")),
                                                  str(detector_checkpoint), device="cpu")
        written = predict_to_files(out / "videos" / video.path, recognizer, out / "timeline", detector,
                                   ground_truth=video)
    prediction = written.prediction
    _say(f"predicted held-out {video.video_id} ({prediction.real_time_factor:.0f}x real time): "
         f"{written.files['.png']} (log: {log})")
    return {"timeline": out / "timeline.png"}


def _train_then_test(out: Path, config: Path, work_dir: Path, options, test_options=()):
    """Train ``config`` through tools/train.py (a separate process, as a user would), then test its last
    checkpoint in this process; returns (checkpoint, test metrics)."""
    env = dict(os.environ, VIDEOKIT_DEMO_ROOT=str(out.resolve()), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "videokit.engine.train", str(config), "--work-dir", str(work_dir)]
    if options:
        command += ["--cfg-options", *options]
    from mmengine.config import Config

    epochs = next((int(o.split("=")[1]) for o in options if o.startswith("train_cfg.max_epochs=")), None)
    os.environ["VIDEOKIT_DEMO_ROOT"] = str(out.resolve())
    with _quiet(work_dir / "config.log"):  # mmengine announces each environment variable it reads
        epochs = epochs or Config.fromfile(str(config)).train_cfg.max_epochs
    log = work_dir / "train_stdout.log"
    _say(f"training {config.name} for {epochs} epochs through tools/train.py (log: {log})")
    started = time.perf_counter()
    work_dir.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as handle:
        process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
        _follow_training(process, log, epochs, config.stem)
    if process.returncode != 0:
        raise SystemExit(f"demo training failed (exit {process.returncode}); see {log}")
    _say(f"trained in {time.perf_counter() - started:.0f} s")
    checkpoint = (work_dir / "last_checkpoint").read_text().strip()

    argv = [str(config), checkpoint, "--work-dir", str(work_dir / "test")]
    if test_options:
        argv += ["--cfg-options", *test_options]
    with _quiet(work_dir / "test_stdout.log"):
        metrics = test_main(argv)
    shown = {k: v for k, v in metrics.items() if "/" in k and k.count("/") == 1 and not k.startswith("online/f1/")}
    _say("test metrics: " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                      for k, v in shown.items()) + f" (log: {work_dir / 'test_stdout.log'})")
    return checkpoint, metrics


def format_result(result: Dict[str, object]) -> str:
    def show(value: object) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    return (f"demo top1={show(result['top1'])} mAP={show(result['mAP'])} wMAE={show(result.get('wMAE'))} "
            f"baseline_wMAE={show(result.get('baseline_wMAE'))} eMAE={show(result.get('eMAE'))} "
            f"seconds={result['seconds']:.1f}")
