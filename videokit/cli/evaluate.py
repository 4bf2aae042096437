"""``videokit evaluate detection GT PRED``: detection mAP at tIoU thresholds (ActivityNet protocol)."""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ..annotations import read_annotations
from ..annotations.formats import READERS
from ..evaluation.detection import OPHNET_TIOU, detection_map
from ..evaluation.results import check_results, ground_truth_rows, read_results
from ..utils import atomic_output
from ..visualization.charts import plot_pr_curves


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("evaluate", help="evaluate predictions (detection mAP)")
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    det = tasks.add_parser("detection", help="temporal detection mAP @ tIoU",
                           description="GT: ActivityNet JSON (OphNet's TAL JSON) or any format videokit reads "
                                       "(--gt-format); PRED: ActivityNet results JSON.")
    det.add_argument("gt", metavar="GT")
    det.add_argument("pred", metavar="PRED")
    det.add_argument("--gt-format", default="anet", choices=sorted(READERS))
    det.add_argument("--level", default=None, help="taxonomy level of the ground truth (default: the finest)")
    det.add_argument("--subset", default=None, help="only videos of this split / subset")
    det.add_argument("--tiou", default=",".join(str(t) for t in OPHNET_TIOU),
                     help="comma-separated thresholds (default 0.3,0.4,0.5,0.6,0.7)")
    det.add_argument("--drop-degenerate", action="store_true",
                     help="drop zero-length and duplicate ground truth first (ActionFormer / TriDet / OpenTAD)")
    det.add_argument("--json", action="store_true", help="print one JSON object")
    det.add_argument("--per-class-csv", default=None, metavar="CSV", help="write AP per class and threshold")
    det.add_argument("--pr-curve", default=None, metavar="PNG", help="plot precision-recall per class")
    det.add_argument("--pr-tiou", type=float, default=0.5, help="threshold of the PR plot (default 0.5)")
    det.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        thresholds = [float(t) for t in args.tiou.split(",") if t.strip()]
    except ValueError:
        raise SystemExit(f"videokit evaluate: --tiou: expected numbers, got {args.tiou!r}") from None
    result, gt, predictions = evaluate_files(args.gt, args.gt_format, args.pred, args.level, args.subset,
                                             thresholds, args.drop_degenerate)
    if args.per_class_csv:
        with atomic_output(args.per_class_csv) as tmp:
            result.per_class_table().to_csv(tmp, float_format="%.6f")
    if args.pr_curve:
        index = int(np.abs(result.tiou - args.pr_tiou).argmin())
        plot_pr_curves(result.curves, index, float(result.tiou[index]), args.pr_curve)
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    print(f"{len(gt)} ground-truth segments, {len(predictions)} predictions, {len(result.ap)} classes")
    print("tIoU  " + "  ".join(f"{t:>6.2f}" for t in result.tiou) + "    avg")
    print("mAP   " + "  ".join(f"{100 * m:6.2f}" for m in result.mAP) + f"  {100 * result.average_mAP:6.2f}")
    return 0


def evaluate_files(gt_path, gt_format: str, pred_path, level=None, subset=None, thresholds=OPHNET_TIOU,
                   drop_degenerate: bool = False):
    """``(DetectionResult, ground-truth rows, prediction rows)`` of a results file against annotations."""
    options = {"level": level} if gt_format in ("anet", "mmaction") else {}
    annotations = read_annotations(gt_path, gt_format, **options)
    level = level if level in annotations.levels else annotations.levels[-1]
    gt = ground_truth_rows(annotations, level, subset)
    predictions = check_results(read_results(pred_path), annotations, pred_path, level, subset)
    unpredicted = sorted({row[0] for row in gt} - {row[0] for row in predictions})
    if unpredicted:
        splits = sorted({annotations.videos[v].split or "none" for v in {row[0] for row in predictions}})
        hint = (f"; the predictions cover the {' / '.join(splits)} split: --subset {splits[0]} evaluates it alone"
                if predictions and subset is None and len(splits) == 1 else "")
        print(f"warning: {len(unpredicted)} of {len({row[0] for row in gt})} ground-truth videos have no prediction "
              f"in {pred_path} (e.g. {unpredicted[0]}): their segments all count as missed{hint}", file=sys.stderr)
    return detection_map(gt, predictions, thresholds, drop_degenerate=drop_degenerate), gt, predictions
