"""``videokit predict VIDEO``: a trained model on one video -> ``OUT.json`` (canonical annotations with
scores) and ``OUT.png`` (the timeline, ground truth beneath with ``--gt``); prints the real-time factor.

``--online --workflow-config CFG --workflow-checkpoint CKPT``: stream VIDEO (a file, a growing file with
``--follow``, or a camera index) through the causal workflow model, one prediction per step from the
frames seen so far, latency printed per step; writes the same timeline plus ``OUT_anticipation.csv`` and
``OUT_anticipation.png`` (time until each phase starts)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..annotations import AnnotationError, read_annotations, write_annotations
from ..annotations.formats import READERS


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("predict", help="run a trained model on a video: labels, segments, timeline PNG",
                            description=__doc__)
    parser.add_argument("video", metavar="VIDEO", help="a video file (or, with --online, a camera index)")
    parser.add_argument("--config", required=True, help="recognizer config (its test pipeline reads the windows)")
    parser.add_argument("--checkpoint", required=True, help="local recognizer checkpoint ('none': random init)")
    parser.add_argument("--detector-config", default=None, help="TemporalActionDetector config (optional)")
    parser.add_argument("--detector-checkpoint", default=None)
    parser.add_argument("--features-like", default=None, metavar="JSON",
                        help="a features sidecar (<video>.json) saying how the detector's features were cut "
                             "(default: the first one in the detector config's feature_dir)")
    parser.add_argument("--feature-size", type=int, default=None,
                        help="frame size of the detector's features when their sidecar does not record it")
    parser.add_argument("--taxonomy", default=None,
                        help="class names: a taxonomy CSV or an annotation file (default: from the config)")
    parser.add_argument("--taxonomy-format", default="canonical", choices=sorted(READERS))
    parser.add_argument("-o", "--out", default=None, help="output stem: writes OUT.json and OUT.png "
                                                          "(default: <video name>_timeline)")
    parser.add_argument("--gt", default=None, help="ground truth to draw beneath (any annotation source)")
    parser.add_argument("--gt-format", default="canonical", choices=sorted(READERS))
    parser.add_argument("--gt-video", default=None, help="video id in --gt (default: VIDEO's file name stem)")
    parser.add_argument("--window", type=float, default=2.0, help="recognition window, seconds (default 2)")
    parser.add_argument("--stride", type=float, default=1.0, help="seconds between windows (default 1)")
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
    parser.add_argument("--no-progress", action="store_true")
    online = parser.add_argument_group("online (streaming) workflow prediction")
    online.add_argument("--online", action="store_true", help="stream VIDEO through a causal workflow model")
    online.add_argument("--workflow-config", default=None, help="CausalWorkflowModel config")
    online.add_argument("--workflow-checkpoint", default=None)
    online.add_argument("--follow", action="store_true", help="VIDEO is still being written: wait for more frames")
    online.add_argument("--idle-timeout", type=float, default=10.0,
                        help="with --follow: stop after this many seconds without a new frame (default 10)")
    online.add_argument("--quiet", action="store_true", help="do not print a line per step")
    parser.set_defaults(run=run)


def read_ground_truth(args: argparse.Namespace):
    """The ``--gt`` record of this video (``--gt-video``, else the file name stem), or None."""
    if not args.gt:
        return None
    gt_set = read_annotations(args.gt, args.gt_format)
    gt_id = args.gt_video or Path(args.video).stem
    if gt_id not in gt_set.videos:
        raise AnnotationError(args.gt, f"video {gt_id}", "id", "no such video in the ground truth")
    return gt_set.videos[gt_id]


def run(args: argparse.Namespace) -> int:
    import torch

    from ..inference import Detector, PredictOptions, Recognizer, predict_video
    from ..video import BrokenVideoError
    from ..visualization import plot_timeline

    if args.online:
        return run_online(args)
    if not Path(args.video).is_file():
        raise SystemExit(f"error: {args.video}: no such video file")
    if bool(args.detector_config) != bool(args.detector_checkpoint):
        raise SystemExit("error: --detector-config and --detector-checkpoint go together")
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    ground_truth = read_ground_truth(args)
    try:
        recognizer = Recognizer.from_files(args.config, args.checkpoint, args.taxonomy, args.taxonomy_format, device)
        detector = None
        if args.detector_config:
            detector = Detector.from_files(args.detector_config, args.detector_checkpoint, args.features_like,
                                           device, args.feature_size)
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"error: {exc}") from None
    options = PredictOptions(window=args.window, stride=args.stride, smooth=args.smooth, min_length=args.min_length,
                             threshold=args.threshold, detection_threshold=args.detection_threshold,
                             batch_size=args.batch_size, hierarchy=not args.no_hierarchy)
    try:
        prediction = predict_video(args.video, recognizer, detector, options, progress=not args.no_progress)
    except BrokenVideoError as exc:
        raise SystemExit(f"error: {exc}") from None
    out = Path(args.out or f"{Path(args.video).stem}_timeline")
    json_path, png_path = out.with_name(out.name + ".json"), out.with_name(out.name + ".png")
    video = prediction.video
    write_annotations(prediction.annotations, json_path, "canonical", indent=1)
    plot_timeline(video, recognizer.taxonomy, png_path, ground_truth=ground_truth)
    for name, score in (video.attrs.get("scores") or {}).items():
        print(f"{recognizer.taxonomy.level_names[0]}: {name} {score:.3f}")
    for level in recognizer.taxonomy.level_names[1:]:
        count = len(video.segments_at(level))
        if count:
            print(f"{level}: {count} segments")
    print(f"wrote {json_path} and {png_path}")
    print(f"real-time factor {prediction.real_time_factor:.2f}x ({prediction.video_seconds:.1f} s of video in "
          f"{prediction.wall_seconds:.1f} s on {device})")
    return 0


def run_online(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from ..inference.model import load_model
    from ..inference.online import FrameSource, online_timeline, stream
    from ..inference.predict import feature_spec
    from ..inference.recognize import load_taxonomy
    from ..utils import atomic_output
    from ..visualization import plot_anticipation, plot_timeline

    if not (args.workflow_config and args.workflow_checkpoint):
        raise SystemExit("error: --online needs --workflow-config and --workflow-checkpoint")
    if not args.video.isdigit() and not Path(args.video).is_file() and not args.follow:
        raise SystemExit(f"error: {args.video}: no such video file")
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        backbone, _ = load_model(args.config, args.checkpoint, device)
        model, cfg = load_model(args.workflow_config, args.workflow_checkpoint, device)
        spec = feature_spec(cfg, args.workflow_config, args.features_like, args.feature_size)
        taxonomy = load_taxonomy(cfg, args.taxonomy, args.taxonomy_format)
        frames = FrameSource(args.video, follow=args.follow, idle_timeout=args.idle_timeout)
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"error: {exc}") from None
    dataset = cfg.test_dataloader.dataset
    level = dataset.get("level") or taxonomy.level_names[-1]
    names = taxonomy.level(level).names()
    ground_truth = read_ground_truth(args)

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

    result = stream(frames, backbone, spec, model, float(dataset.get("fps", 1.0)), device, report)
    video_id = Path(args.video).stem if not args.video.isdigit() else f"camera{args.video}"
    annotations = online_timeline(result, video_id, args.video, level, taxonomy)
    out = Path(args.out or f"{video_id}_online")
    json_path, png_path = out.with_name(out.name + ".json"), out.with_name(out.name + ".png")
    csv_path, curves_path = out.with_name(out.name + "_anticipation.csv"), out.with_name(out.name + "_anticipation.png")
    write_annotations(annotations, json_path, "canonical", indent=1)
    plot_timeline(annotations.videos[video_id], taxonomy, png_path, ground_truth=ground_truth,
                  levels=[lvl for lvl in taxonomy.level_names if lvl == level])
    truth = None
    if ground_truth is not None:
        from ..annotations.timeline import time_to_next_start

        truth = time_to_next_start(ground_truth, level, len(names), result.times, model.horizon)
    import pandas as pd

    table = pd.DataFrame(result.anticipation, columns=names[: result.anticipation.shape[1]])
    table.insert(0, "time", result.times)
    with atomic_output(csv_path) as tmp:
        table.to_csv(tmp, index=False, float_format="%.3f")
    plot_anticipation(result.times, result.anticipation, model.horizon, names, curves_path, truth=truth,
                      level_index=taxonomy.level_names.index(level))
    stats = annotations.videos[video_id].attrs["online"]
    print(f"wrote {json_path}, {png_path}, {csv_path} and {curves_path}")
    print(f"online: {stats['steps']} steps, latency per step mean {stats['latency_ms_mean']:.1f} ms, "
          f"p95 {stats['latency_ms_p95']:.1f} ms, max {stats['latency_ms_max']:.1f} ms; real-time factor "
          f"{result.video_seconds / max(result.wall_seconds, 1e-9):.2f}x ({result.video_seconds:.1f} s of video in "
          f"{result.wall_seconds:.1f} s on {device})")
    return 0 if len(np.atleast_1d(result.times)) else 1
