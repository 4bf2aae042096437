"""``videokit export CONFIG CKPT --to onnx -o model.onnx``: a trained model to ONNX, checked at once against
PyTorch on random and real inputs (max abs difference and top-1 agreement printed; a disagreement is an error)."""
from __future__ import annotations

import argparse
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

    from ..deploy.onnx import ExportError, export_backbone, export_detector, export_recognizer, export_workflow
    from ..inference.network import load_model

    for name in ("video", "features"):  # before the model loads: a wrong path is one line, at once
        given = getattr(args, name)
        if given and not Path(given).is_file():
            raise SystemExit(f"error: {given}: no such file (--{name})")
    try:
        model, cfg = load_model(args.config, args.checkpoint, "cpu")
        part = _part(model, args.part)
        if part in ("recognizer", "backbone") and not (args.video and Path(args.video).is_file()):
            raise ValueError(f"a {part} export is checked on a real video: pass --video")
        if part in ("detector", "workflow") and not (args.features and Path(args.features).is_file()):
            raise ValueError(f"a {part} export is checked on real features: pass --features FILE.npy ((T, C))")
        if part == "recognizer":
            report = export_recognizer(model, real_clip(model, cfg, args.video, args.start), args.out)
        elif part == "backbone":
            report = export_backbone(model, real_frames(args.video, args.frames_per_window, args.size, args.start),
                                     args.frames_per_window, args.out)
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
                                         args.out)
    except (ExportError, ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"error: {exc}") from None
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
