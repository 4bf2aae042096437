"""``videokit analyze``: the usual analysis pictures, each with its table.

    analyze recognition DUMP --taxonomy T [--level L] -o DIR   confusion matrix, per-class accuracy
    analyze detection GT PRED [--gt-format F] -o DIR            per-class AP bars, PR curves
    analyze lengths SRC --from F -o PNG                         segment-length histograms per level

DUMP is a ``tools/test.py --dump`` file; PRED an ActivityNet results JSON (the detection metric's
``results_file``)."""
from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from ..annotations.formats import READERS
from ..utils import atomic_output
from ._common import add_source_arguments, read_source


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("analyze", help="analysis pictures: confusion, per-class bars, segment lengths",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    rec = kinds.add_parser("recognition", help="confusion matrix and per-class accuracy from a test dump")
    rec.add_argument("dump", metavar="DUMP")
    rec.add_argument("--taxonomy", required=True, help="class names: taxonomy CSV or an annotation file")
    rec.add_argument("--taxonomy-format", default="canonical", choices=sorted(READERS))
    rec.add_argument("--levels", default=None,
                     help="comma-separated levels the model scores, coarse to fine (default: the taxonomy's)")
    rec.add_argument("--level", default=None, help="level to analyse (default: the finest)")
    rec.add_argument("-o", "--out", required=True, help="output folder")
    rec.set_defaults(run=run_recognition)
    det = kinds.add_parser("detection", help="per-class AP bars and precision-recall curves")
    det.add_argument("gt", metavar="GT")
    det.add_argument("pred", metavar="PRED")
    det.add_argument("--gt-format", default="anet", choices=sorted(READERS))
    det.add_argument("--level", default=None)
    det.add_argument("--subset", default=None)
    det.add_argument("--tiou", default="0.3,0.4,0.5,0.6,0.7")
    det.add_argument("-o", "--out", required=True, help="output folder")
    det.set_defaults(run=run_detection)
    lengths = kinds.add_parser("lengths", help="segment-length histograms and class frequencies per level")
    add_source_arguments(lengths)
    lengths.add_argument("-o", "--out", required=True, help="PNG to write")
    lengths.set_defaults(run=run_lengths)


def _write_table(table: pd.DataFrame, path: Path) -> None:
    with atomic_output(path) as tmp:
        table.to_csv(tmp, index=False)


def run_recognition(args: argparse.Namespace) -> int:
    from mmengine.fileio import load

    from ..evaluation.dump import dump_scores, per_class_accuracy
    from ..evaluation.recognition import confusion
    from ..inference.recognize import load_taxonomy
    from ..visualization import plot_bars, plot_confusion

    taxonomy = load_taxonomy(None, args.taxonomy, args.taxonomy_format)
    levels = args.levels.split(",") if args.levels else taxonomy.level_names
    try:
        samples = load(args.dump)
        level, scores, labels = dump_scores(samples, levels, args.level)
    except (ValueError, KeyError, OSError, pickle.UnpicklingError, EOFError) as exc:
        raise SystemExit(f"error: {args.dump}: not a readable tools/test.py --dump file: {exc}") from None
    names = taxonomy.class_names(level)
    num_classes = scores.shape[1]
    if num_classes != len(names):  # the dump's model was not trained on this taxonomy: its names would mislabel
        raise SystemExit(f"error: {args.dump}: the model scores {num_classes} {level} classes, the taxonomy "
                         f"{args.taxonomy} names {len(names)}; pass --taxonomy the model was trained with (its "
                         "config's annotations)")
    out = Path(args.out)
    matrix = confusion(scores, labels, num_classes)
    _write_table(pd.DataFrame(matrix, columns=names).assign(true=names)[["true", *names]],
                 out / f"confusion_{level}.csv")
    plot_confusion(matrix, names, out / f"confusion_{level}.png", title=f"{level}: confusion (rows: true, normalised)")
    accuracy = per_class_accuracy(scores, labels, num_classes)
    table = pd.DataFrame({"class": list(accuracy), "name": [names[c] for c in accuracy],
                          "samples": [int((labels == c).sum()) for c in accuracy], "accuracy": list(accuracy.values())})
    _write_table(table, out / f"per_class_accuracy_{level}.csv")
    plot_bars(table.accuracy.to_numpy(), list(table.name), out / f"per_class_accuracy_{level}.png",
              f"{level}: top-1 accuracy per class ({len(labels)} samples)", "accuracy")
    print(f"{level}: {len(labels)} samples, top1 {float((scores.argmax(1) == labels).mean()):.3f}, "
          f"mean class accuracy {np.mean(list(accuracy.values())):.3f}; wrote {out}/confusion_{level}.png, "
          f"per_class_accuracy_{level}.png and their CSVs")
    return 0


def run_detection(args: argparse.Namespace) -> int:
    from ..visualization import plot_bars, plot_pr_curves
    from .evaluate import evaluate_files

    tiou = [float(t) for t in args.tiou.split(",") if t.strip()]
    result, gt, _ = evaluate_files(args.gt, args.gt_format, args.pred, args.level, args.subset, tiou)
    table = result.per_class_table().reset_index()
    out = Path(args.out)
    _write_table(table, out / "per_class_ap.csv")
    plot_bars(table["mean"].to_numpy(), list(table["class"]), out / "per_class_ap.png",
              f"AP per class (mean over tIoU {args.tiou}), {len(gt)} ground-truth segments", "AP")
    middle = int(np.abs(result.tiou - 0.5).argmin())
    plot_pr_curves(result.curves, middle, float(result.tiou[middle]), out / "pr_curves.png")
    print(f"average mAP {result.average_mAP:.4f}; wrote {out}/per_class_ap.png, pr_curves.png and per_class_ap.csv")
    return 0


def run_lengths(args: argparse.Namespace) -> int:
    from ..annotations import stats

    annotations = read_source(args)
    stats.plot(annotations, args.out)
    print(stats.lengths(annotations).to_string(index=False))
    print(f"wrote {args.out}")
    return 0
