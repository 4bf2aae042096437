"""``videokit predict VIDEO``: a trained model on one video -> ``OUT.json`` (canonical annotations with
scores) and ``OUT.png`` (the timeline, ground truth beneath with ``--gt``); prints the real-time factor."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..annotations import AnnotationError, read_annotations, write_annotations
from ..annotations.formats import READERS


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("predict", help="run a trained model on a video: labels, segments, timeline PNG",
                            description=__doc__)
    parser.add_argument("video", metavar="VIDEO")
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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from ..inference import Detector, PredictOptions, Recognizer, predict_video
    from ..visualization import plot_timeline

    if not Path(args.video).is_file():
        raise SystemExit(f"error: {args.video}: no such video file")
    if bool(args.detector_config) != bool(args.detector_checkpoint):
        raise SystemExit("error: --detector-config and --detector-checkpoint go together")
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    ground_truth = None
    if args.gt:
        gt_set = read_annotations(args.gt, args.gt_format)
        gt_id = args.gt_video or Path(args.video).stem
        if gt_id not in gt_set.videos:
            raise AnnotationError(args.gt, f"video {gt_id}", "id", "no such video in the ground truth")
        ground_truth = gt_set.videos[gt_id]
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
    prediction = predict_video(args.video, recognizer, detector, options, progress=not args.no_progress)
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
