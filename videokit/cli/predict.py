"""``videokit predict VIDEO``: a trained model on one video -> ``OUT.json`` (canonical annotations with
scores) and ``OUT.png`` (the timeline, ground truth beneath with ``--gt``); prints the real-time factor.

``--online --workflow-config CFG --workflow-checkpoint CKPT``: stream VIDEO (a file, a growing file with
``--follow``, or a camera index) through the causal workflow model, one prediction per step from the
frames seen so far, latency printed per step; writes the same timeline plus ``OUT_anticipation.csv`` and
``OUT_anticipation.png`` (time until each phase starts). ``--online --model BACKBONE.onnx --workflow-model
STEP.onnx`` alone streams the two model files ``videokit export`` wrote, without the training stack."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..annotations.formats import READERS


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("predict", help="run a trained model on a video: labels, segments, timeline PNG",
                            description=__doc__)
    parser.add_argument("video", metavar="VIDEO", help="a video file (or, with --online, a camera index)")
    add_model_arguments(parser)
    parser.add_argument("-o", "--out", default=None, help="output stem: writes OUT.json and OUT.png "
                                                          "(default: <video name>_timeline)")
    parser.add_argument("--gt", default=None, help="ground truth to draw beneath (any annotation source)")
    parser.add_argument("--gt-format", default="canonical", choices=sorted(READERS))
    parser.add_argument("--gt-video", default=None, help="video id in --gt (default: VIDEO's file name stem)")
    add_prediction_options(parser)
    parser.add_argument("--no-progress", action="store_true")
    add_deployment_arguments(parser, online=True)
    parser.add_argument("--subtitles", action="store_true",
                        help="also write OUT.vtt: the timeline as subtitles (\"Procedure › Step\"), for any video "
                             "player")
    online = parser.add_argument_group("online (streaming) workflow prediction")
    online.add_argument("--online", action="store_true", help="stream VIDEO through a causal workflow model")
    online.add_argument("--workflow-config", default=None, help="CausalWorkflowModel config")
    online.add_argument("--workflow-checkpoint", default=None)
    online.add_argument("--follow", action="store_true", help="VIDEO is still being written: wait for more frames")
    online.add_argument("--idle-timeout", type=float, default=10.0,
                        help="with --follow: stop after this many seconds without a new frame (default 10)")
    online.add_argument("--quiet", action="store_true", help="do not print a line per step")
    parser.set_defaults(run=run)


def add_model_arguments(parser: argparse.ArgumentParser, positional: bool = False) -> None:
    """The recognizer (and optional detector) a prediction runs: ``predict`` and ``serve labelstudio``."""
    if positional:
        parser.add_argument("config", metavar="CONFIG", nargs="?", default=None,
                            help="recognizer config (its test pipeline reads the windows); not needed with --model "
                                 "given a model file `videokit export` wrote")
        parser.add_argument("checkpoint", metavar="CHECKPOINT", nargs="?", default=None,
                            help="local recognizer checkpoint ('none': random init)")
    else:
        parser.add_argument("--config", default=None,
                            help="recognizer config (its test pipeline reads the windows); not needed with --model "
                                 "given a model file `videokit export` wrote")
        parser.add_argument("--checkpoint", default=None, help="local recognizer checkpoint ('none': random init)")
    parser.add_argument("--detector-config", default=None, help="DenseTemporalDetector config (optional)")
    parser.add_argument("--detector-checkpoint", default=None)
    parser.add_argument("--features-like", default=None, metavar="JSON",
                        help="a features sidecar (<video>.json) saying how the detector's features were cut "
                             "(default: the first one in the detector config's feature_dir)")
    parser.add_argument("--feature-size", type=int, default=None,
                        help="frame size of the detector's features when their sidecar does not record it")
    parser.add_argument("--taxonomy", default=None,
                        help="class names: a taxonomy CSV or an annotation file (default: from the config)")
    parser.add_argument("--taxonomy-format", default="canonical", choices=sorted(READERS))


def add_prediction_options(parser: argparse.ArgumentParser) -> None:
    """How windows become a timeline (:class:`videokit.inference.PredictOptions`)."""
    parser.add_argument("--window", type=float, default=None,
                        help="recognition window, seconds (default 2, or the model file's)")
    parser.add_argument("--stride", type=float, default=None,
                        help="seconds between windows (default 1, or the model file's)")
    parser.add_argument("--smooth", type=int, default=3, help="windows in the score moving average (default 3)")
    parser.add_argument("--min-length", type=float, default=1.0, help="shortest segment kept, seconds (default 1)")
    parser.add_argument("--threshold", type=float, default=0.3,
                        help="windows whose best (smoothed) class score is lower are background (default 0.3)")
    parser.add_argument("--detection-threshold", type=float, default=0.3,
                        help="detections scoring lower stay off the timeline (default 0.3)")
    parser.add_argument("--no-hierarchy", action="store_true",
                        help="let steps take any class, not only children of the predicted top-level class")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")


def add_deployment_arguments(parser: argparse.ArgumentParser, online: bool = False) -> None:
    deploy = parser.add_argument_group("deployment")
    deploy.add_argument("--backend", choices=["pytorch", "onnxruntime"], default="pytorch",
                        help="onnxruntime: run the network exported by `videokit export` (--model"
                             + ("; with --online, --model is the backbone and --workflow-model the workflow step)"
                                if online else ")"))
    deploy.add_argument("--model", default=None, metavar="ONNX",
                        help="the exported recognizer / backbone; alone (no --config), a model file runs without "
                             "the training stack (torch, mmengine, mmaction2 are not imported)")
    if online:
        deploy.add_argument("--workflow-model", default=None, metavar="ONNX",
                            help="the exported workflow step (--online)")
    deploy.add_argument("--detector-model", default=None, metavar="ONNX",
                        help="the exported detector network (videokit export --part detector); its post-processing "
                             "stays the config's (--preset)")
    deploy.add_argument("--preset", choices=["evaluation", "deployment"], default="evaluation",
                        help="detector post-processing: evaluation (many low-score segments, what mAP wants) or "
                             "deployment (a score threshold, a few per class, hard NMS); docs/prediction.md")


def load_models(args: argparse.Namespace, device: str):
    """``(recognizer, detector or None, options)`` from the arguments above; a bad combination ends the command."""
    from ..inference import PredictOptions, TrainedDetector, TrainedRecognizer

    if bool(args.detector_config) != bool(args.detector_checkpoint):
        raise SystemExit("error: --detector-config and --detector-checkpoint go together")
    if args.backend == "onnxruntime" and not args.model:
        raise SystemExit("error: --backend onnxruntime needs --model (videokit export CONFIG CKPT --to onnx -o MODEL)")
    if args.detector_model and not (args.backend == "onnxruntime" and args.detector_config):
        raise SystemExit("error: --detector-model goes with --backend onnxruntime and --detector-config")
    try:
        recognizer = TrainedRecognizer.from_files(args.config, args.checkpoint, args.taxonomy, args.taxonomy_format,
                                                  device, onnx=args.model if args.backend == "onnxruntime" else None)
        detector = None
        if args.detector_config:
            detector = TrainedDetector.from_files(args.detector_config, args.detector_checkpoint,
                                                  args.features_like, device, args.feature_size, preset=args.preset,
                                                  onnx=args.detector_model)
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"error: {exc}") from None
    options = PredictOptions(window=2.0 if args.window is None else args.window,
                             stride=1.0 if args.stride is None else args.stride, smooth=args.smooth,
                             min_length=args.min_length,
                             threshold=args.threshold, detection_threshold=args.detection_threshold,
                             batch_size=args.batch_size, hierarchy=not args.no_hierarchy)
    return recognizer, detector, options


def _ground_truth(args: argparse.Namespace, video_id: str):
    from ..inference.assemble import read_ground_truth

    return read_ground_truth(args.gt, args.gt_format, args.gt_video or video_id)


def model_file_alone(args: argparse.Namespace) -> bool:
    """A model file without a config: the runtime path (no torch). Without either, one error saying what to pass."""
    if args.config and args.checkpoint is None:
        raise SystemExit("error: --config goes with --checkpoint (a local checkpoint, or 'none')")
    if not args.config and not args.model:
        raise SystemExit("error: pass --config CONFIG --checkpoint CKPT, or --model M.onnx (a model file "
                         "`videokit export` wrote)")
    if args.config:
        return False
    given = [flag for flag, value in (("--detector-config", args.detector_config),
                                      ("--detector-model", args.detector_model)) if value]
    if given:
        raise SystemExit(f"error: {', '.join(given)} needs --config: a model file holds the recognizer only")
    return True


def open_model_file(args: argparse.Namespace):
    """``(model file, prediction options)`` from ``--model`` and the prediction options (the model file's window
    and stride unless given); a file that cannot run is one error line."""
    from ..runtime import ModelFile, ModelFileError
    from ..runtime.predict import options_for

    try:
        model = ModelFile(args.model, args.device or "cpu")
    except ModelFileError as exc:
        raise SystemExit(f"error: {exc}") from None
    given = {name: getattr(args, name) for name in ("window", "stride") if getattr(args, name) is not None}
    return model, options_for(model, smooth=args.smooth, min_length=args.min_length, threshold=args.threshold,
                              batch_size=args.batch_size, hierarchy=not args.no_hierarchy, **given)


def run_model_file(args: argparse.Namespace) -> int:
    """``videokit predict VIDEO --model M.onnx``: the model file alone, onnxruntime and PyAV, no training stack."""
    from ..runtime import ModelFileError, predict_with_model_file
    from ..runtime.predict import write_prediction
    from ..video import BrokenVideoError

    model, options = open_model_file(args)
    ground_truth = _ground_truth(args, Path(args.video).stem)
    try:
        prediction = predict_with_model_file(args.video, model, options)
    except (BrokenVideoError, ModelFileError) as exc:
        raise SystemExit(f"error: {exc}") from None
    files = write_prediction(prediction, model.taxonomy, args.out or f"{Path(args.video).stem}_timeline",
                             ground_truth)
    _summary(prediction, model.taxonomy, files, f"{model.version} in onnxruntime")
    return 0


def _summary(prediction, taxonomy, files, where: str) -> None:
    video = prediction.video
    lost = video.attrs.get("unreadable")
    if lost:
        seconds = ", ".join(f"{start:g}-{end:g} s" for start, end in lost)
        print(f"warning: {video.path}: {seconds} could not be decoded (a damaged stretch): no prediction there "
              f"(attrs.unreadable in {files['.json']})", file=sys.stderr)
    for name, score in (video.attrs.get("scores") or {}).items():
        print(f"{taxonomy.level_names[0]}: {name} {score:.3f}")
    for level in taxonomy.level_names[1:]:
        count = len(video.segments_at(level))
        if count:
            print(f"{level}: {count} segments")
    print(f"wrote {files['.json']} and {files['.png']}")
    print(f"real-time factor {prediction.real_time_factor:.2f}x ({prediction.video_seconds:.1f} s of video in "
          f"{prediction.wall_seconds:.1f} s on {where})")


def run(args: argparse.Namespace) -> int:
    if args.online:
        return run_online(args)
    if not Path(args.video).is_file():
        raise SystemExit(f"error: {args.video}: no such video file")
    if model_file_alone(args):
        return run_model_file(args)
    import torch

    from ..inference.outputs import predict_to_files
    from ..video import BrokenVideoError

    if bool(args.detector_config) != bool(args.detector_checkpoint):
        raise SystemExit("error: --detector-config and --detector-checkpoint go together")
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    ground_truth = _ground_truth(args, Path(args.video).stem)
    recognizer, detector, options = load_models(args, device)
    try:
        written = predict_to_files(args.video, recognizer, args.out or f"{Path(args.video).stem}_timeline",
                                   detector, options, ground_truth, progress=not args.no_progress,
                                   subtitles=args.subtitles)
    except BrokenVideoError as exc:
        raise SystemExit(f"error: {exc}") from None
    _summary(written.prediction, recognizer.taxonomy, written.files, device)
    return 0


def run_online(args: argparse.Namespace) -> int:
    if not args.video.isdigit() and not Path(args.video).is_file() and not args.follow:
        raise SystemExit(f"error: {args.video}: no such video file")
    if args.model and args.workflow_model and not (args.config or args.workflow_config):
        models, device = _online_model_files(args), args.device or "cpu"
        return _stream(args, models.backbone, models.spec, models.workflow, models.level, models.taxonomy,
                       models.step_fps, device, where=f"{device}, onnxruntime")
    import torch

    from ..inference.network import load_model
    from ..inference.predict import feature_spec
    from ..inference.recognize import load_taxonomy

    if not (args.workflow_config and args.workflow_checkpoint):
        raise SystemExit("error: --online needs --workflow-config and --workflow-checkpoint, or the model files "
                         "--model BACKBONE.onnx --workflow-model STEP.onnx alone")
    if not args.config or args.checkpoint is None:
        raise SystemExit("error: --online needs --config and --checkpoint (the backbone the workflow model's "
                         "features came from)")
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        backbone, _ = load_model(args.config, args.checkpoint, device)
        model, cfg = load_model(args.workflow_config, args.workflow_checkpoint, device)
        if args.backend == "onnxruntime":
            if not (args.model and args.workflow_model):
                raise ValueError("--online --backend onnxruntime needs --model (the backbone) and --workflow-model")
            from ..inference.runtime import OnnxBackbone, OnnxWorkflow

            backbone = OnnxBackbone(args.model, device)
            model = OnnxWorkflow(args.workflow_model, device, horizon=model.horizon)
        spec = feature_spec(cfg, args.workflow_config, args.features_like, args.feature_size)
        taxonomy = load_taxonomy(cfg, args.taxonomy, args.taxonomy_format)
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"error: {exc}") from None
    if args.backend != "onnxruntime":
        from ..features.window_features import WindowFeatures

        backbone = WindowFeatures(backbone, spec.frames_per_window, device)
    dataset = cfg.test_dataloader.dataset
    level = dataset.get("level") or taxonomy.level_names[-1]
    return _stream(args, backbone, spec, model, level, taxonomy, float(dataset.get("fps", 1.0)), device)


def _online_model_files(args: argparse.Namespace):
    """The exported backbone and workflow step alone: no config, no checkpoint, no torch."""
    from ..runtime import ModelFileError, open_online

    try:
        return open_online(args.model, args.workflow_model, args.device or "cpu")
    except ModelFileError as exc:
        raise SystemExit(f"error: {exc}") from None


def _stream(args: argparse.Namespace, backbone, spec, model, level: str, taxonomy, step_fps: float,
            device: str, where: str = "") -> int:
    """Stream VIDEO through ``backbone`` and the workflow ``model``, a line per step, then the files and a summary
    (``where``: what ran it, in that line; default the device)."""
    from ..inference.online import steps_seen, stream_to_files

    names = taxonomy.class_names(level)
    video_id = Path(args.video).stem if not args.video.isdigit() else f"camera{args.video}"
    ground_truth = _ground_truth(args, video_id)

    def report(k, t, phase, anticipation, latency):
        if args.quiet:
            return
        best = int(phase.argmax())
        upcoming = [(float(anticipation[c]), c) for c in range(len(anticipation)) if c != best]
        soon, nxt = min(upcoming) if upcoming else (float("nan"), best)
        coming = (f"next: {names[nxt] if nxt < len(names) else nxt} in {soon:5.1f} s" if soon < 0.9 * model.horizon
                  else f"next: nothing within {model.horizon:g} s")
        print(f"[online] t={t:7.1f} s  {level}: {names[best] if best < len(names) else best} ({phase[best]:.2f})  "
              f"{coming}  latency {1000 * latency:6.1f} ms", flush=True)

    try:
        written = stream_to_files(args.video, backbone, spec, model, level, taxonomy, step_fps, args.out,
                                  device, args.follow, args.idle_timeout, ground_truth, report)
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"error: {exc}") from None
    result, stats = written.result, written.stats
    print("wrote " + ", ".join(str(p) for p in written.files.values()))
    print(f"online: {stats['steps']} steps, latency per step mean {stats['latency_ms_mean']:.1f} ms, "
          f"p95 {stats['latency_ms_p95']:.1f} ms, max {stats['latency_ms_max']:.1f} ms; real-time factor "
          f"{result.video_seconds / max(result.wall_seconds, 1e-9):.2f}x ({result.video_seconds:.1f} s of video in "
          f"{result.wall_seconds:.1f} s on {where or device})")
    return 0 if steps_seen(result) else 1
