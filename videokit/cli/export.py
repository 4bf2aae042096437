"""``videokit export CONFIG CKPT --to onnx -o model.onnx``: a trained model to ONNX, checked at once against
PyTorch on random and real inputs (max abs difference and top-1 agreement printed; a disagreement is an error).

A recognizer's file is a videokit model file: its metadata holds what prediction needs without the config
(taxonomy, window sampling, transforms, normalisation, model version; ``videokit predict VIDEO --model M.onnx``).
``--quantize int8`` writes it in int8 (static quantization calibrated on clips of your videos, checked against
fp32 on real clips; refused below ``--min-agreement``)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

PARTS = ("auto", "recognizer", "backbone", "detector", "workflow")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="export a trained model to ONNX, checked against PyTorch",
                            description="Parts: recognizer (preprocessed clips -> probabilities per level), backbone "
                                        "(frames of windows -> window features, as extraction computes them), detector "
                                        "(features -> dense outputs; post-processing stays outside), workflow (one "
                                        "online step, its state as inputs and outputs). Real inputs: --video for "
                                        "recognizers and backbones, --features (a (T, C) .npy) for the others.")
    parser.add_argument("config")
    parser.add_argument("checkpoint", help="a local checkpoint, or 'none' for random init")
    parser.add_argument("--to", choices=["onnx"], default="onnx")
    parser.add_argument("-o", "--out", required=True)
    parser.add_argument("--part", choices=PARTS, default="auto", help="what to export (default: from the model)")
    parser.add_argument("--video", default=None, help="a real video: the check's real input (recognizer, backbone)")
    parser.add_argument("--start", type=float, default=0.0, help="where in --video the real clip starts (s)")
    parser.add_argument("--features", default=None, help="a real (T, C) feature file (detector, workflow)")
    parser.add_argument("--frames-per-window", type=int, default=8, help="backbone: frames per window")
    parser.add_argument("--size", type=int, default=224, help="backbone: frame size")
    parser.add_argument("--length", type=int, default=None, help="detector: feature positions of the export")
    parser.add_argument("--features-like", default=None, metavar="JSON",
                        help="workflow: a features sidecar saying how its features were cut (default: the one beside "
                             "--features, else the config's feature_dir); recorded in the model file")
    parser.add_argument("--feature-size", type=int, default=None,
                        help="workflow: frame size of the features when their sidecar does not record it")
    model_file = parser.add_argument_group("recognizer: the model file (what prediction needs without the config)")
    model_file.add_argument("--window", type=float, default=2.0, help="prediction window, seconds (default 2)")
    model_file.add_argument("--stride", type=float, default=1.0, help="seconds between windows (default 1)")
    model_file.add_argument("--taxonomy", default=None,
                            help="class names: a taxonomy CSV or an annotation file (default: from the config)")
    model_file.add_argument("--taxonomy-format", default="canonical")
    model_file.add_argument("--quantize", choices=["int8"], default=None,
                            help="int8: static quantization with onnxruntime's tools (2-3x faster on CPUs with "
                                 "VNNI), checked against fp32")
    model_file.add_argument("--calibrate", default=None, metavar="VIDEO_OR_DIR",
                            help="videos whose windows calibrate the int8 activations (default: --video)")
    model_file.add_argument("--calibration-clips", type=int, default=64,
                            help="at most this many windows calibrate, and as many check (default 64)")
    model_file.add_argument("--min-agreement", type=float, default=None,
                            help="least top-1 agreement of int8 with fp32 per level on the check clips (default "
                                 "0.95); below it nothing is written")
    parser.set_defaults(run=run)


def _part(model, requested: str) -> str:
    if requested != "auto":
        return requested
    kind = type(model).__name__
    if hasattr(model, "cls_head"):
        return "recognizer"
    if hasattr(model, "outputs") and hasattr(getattr(model, "head", None), "decode"):
        return "detector"
    if hasattr(model, "step") and hasattr(model, "receptive_field"):
        return "workflow"
    raise ValueError(f"cannot tell what part of a {kind} to export: pass --part")


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from ..deploy.manifest import backbone_manifest
    from ..deploy.onnx import ExportError, export_backbone, export_detector, export_workflow
    from ..inference.network import load_model
    from ..video import BrokenVideoError

    for name in ("video", "features"):  # before the model loads: a wrong path is one line, at once
        given = getattr(args, name)
        if given and not Path(given).is_file():
            raise SystemExit(f"error: {given}: no such file (--{name})")
    if args.calibrate and not Path(args.calibrate).exists():
        raise SystemExit(f"error: {args.calibrate}: no such video or folder (--calibrate)")
    try:
        model, cfg = load_model(args.config, args.checkpoint, "cpu")
        part = _part(model, args.part)
        if part in ("recognizer", "backbone") and not (args.video and Path(args.video).is_file()):
            raise ValueError(f"a {part} export is checked on a real video: pass --video")
        if part in ("detector", "workflow") and not (args.features and Path(args.features).is_file()):
            raise ValueError(f"a {part} export is checked on real features: pass --features FILE.npy ((T, C))")
        if part == "recognizer":
            return _export_recognizer(args, model, cfg)
        elif part == "backbone":
            report = export_backbone(model, real_frames(args.video, args.frames_per_window, args.size, args.start),
                                     args.frames_per_window, args.out,
                                     backbone_manifest(args.checkpoint, args.frames_per_window, args.size))
        else:
            features = torch.from_numpy(np.load(args.features).astype(np.float32)).t()  # (C, T)
            if part == "detector":
                unit = 2 ** (model.num_levels - 1)
                length = args.length or max(unit, (features.shape[1] // unit) * unit)
                padded = torch.zeros((features.shape[0], length))
                padded[:, :min(length, features.shape[1])] = features[:, :length]
                report = export_detector(model, padded[None], args.out)
            else:
                steps = model.receptive_field
                if features.shape[1] < steps:
                    raise ValueError(f"{args.features}: {features.shape[1]} steps; the workflow check needs {steps}")
                report = export_workflow(model, features[:, :steps], torch.arange(steps, dtype=torch.float32) + 1.0,
                                         args.out, _workflow_manifest(args, model, cfg))
    except (ExportError, ValueError, FileNotFoundError, BrokenVideoError) as exc:
        raise SystemExit(f"error: {exc}") from None
    for line in report.lines():
        print(line)
    return 0


def _workflow_manifest(args: argparse.Namespace, model, cfg):
    """What a workflow step's model file carries: its classes, and how its features were cut (the sidecar beside
    ``--features``, else ``--features-like``, else the config's feature folder)."""
    from ..deploy.manifest import workflow_manifest
    from ..inference.predict import feature_spec
    from ..inference.recognize import load_taxonomy

    beside = Path(args.features).with_suffix(".json")
    try:
        spec = feature_spec(cfg, args.config, args.features_like or (str(beside) if beside.is_file() else None),
                            args.feature_size)
    except ValueError as exc:  # the network exports; the file cannot stream alone (predict says so)
        print(f"warning: {exc}: the model file records no feature spec, and `predict --online` will need "
              "--workflow-config with it", file=sys.stderr)
        spec = None
    dataset = cfg.test_dataloader.dataset
    taxonomy = load_taxonomy(cfg, args.taxonomy, args.taxonomy_format)
    level = dataset.get("level") or taxonomy.level_names[-1]
    return workflow_manifest(model, taxonomy, level, spec, float(dataset.get("fps", 1.0)), args.checkpoint)


def _export_recognizer(args: argparse.Namespace, model, cfg) -> int:
    """The recognizer as a model file (fp32, or int8 checked against the fp32 export)."""
    from ..deploy.manifest import recognizer_manifest
    from ..deploy.onnx import MIN_INT8_AGREEMENT, ExportError, export_recognizer, quantize_recognizer
    from ..inference.recognize import TrainedRecognizer, preprocessed_clips
    from ..video import BrokenVideoError, find_videos

    if args.calibrate and not args.quantize:
        raise ValueError("--calibrate goes with --quantize int8")
    recognizer = TrainedRecognizer.from_model(model, cfg, args.config, args.taxonomy, args.taxonomy_format)
    manifest = recognizer_manifest(cfg, model, recognizer.taxonomy, recognizer.levels, args.checkpoint,
                                   args.window, args.stride)
    clip = real_clip(model, cfg, args.video, args.start)
    out = Path(args.out)
    if not args.quantize:
        report = export_recognizer(model, clip, out, manifest)
        for line in report.lines():
            print(line)
        return 0
    fp32 = out.with_name(f".{out.name}.fp32.onnx")
    try:
        for line in export_recognizer(model, clip, fp32, manifest).lines():
            print(line)
        sources = [str(p) for p in find_videos(args.calibrate)] if args.calibrate and Path(args.calibrate).is_dir() \
            else [args.calibrate or args.video]
        if not sources:
            raise ValueError(f"--calibrate {args.calibrate}: no videos in it")
        per_video = max(1, args.calibration_clips // len(sources))
        calibration = []
        for source in sources:  # in a folder, a video that cannot be read is left out, with a warning
            try:
                calibration += preprocessed_clips(recognizer, source, args.window, args.stride, per_video)
            except BrokenVideoError as exc:
                if len(sources) == 1:
                    raise
                print(f"warning: {exc}; left out of the calibration", file=sys.stderr)
        if not calibration:
            raise ValueError(f"--calibrate {args.calibrate}: no readable video in it")
        check = preprocessed_clips(recognizer, args.video, args.window, args.stride, args.calibration_clips)
        report = quantize_recognizer(fp32, out, calibration, check,
                                     MIN_INT8_AGREEMENT if args.min_agreement is None else args.min_agreement,
                                     manifest)
    except ExportError as exc:
        raise SystemExit(f"error: {exc}") from None
    finally:
        fp32.unlink(missing_ok=True)
    for line in report.lines():
        print(line)
    return 0


def real_clip(model, cfg, video: str, start: float = 0.0):
    """One real clip of ``video`` through the config's test pipeline and the model's data preprocessor."""
    from mmengine.dataset import pseudo_collate

    from ..inference.recognize import TrainedRecognizer

    recognizer = TrainedRecognizer(model, cfg, ["label"], None)
    pipeline = recognizer.test_pipeline()
    sample = pipeline(dict(filename=str(video), start=float(start), end=float(start) + 2.0, label=-1))
    return model.data_preprocessor(pseudo_collate([sample]), False)["inputs"]


def real_frames(video: str, per_window: int, size: int, start: float = 0.0):
    """Two windows of real frames of ``video``, resized as extraction resizes them."""
    import numpy as np

    from ..features.window_features import prepare_frames
    from ..video import open_video, read_frames

    reader = open_video(str(video), cache=False)
    try:
        first = int(start * reader.fps)
        indices = np.clip(np.arange(first, first + 2 * per_window), 0, reader.num_frames - 1)
        return prepare_frames(read_frames(str(video), indices, reader=reader), size)
    finally:
        reader.close()
