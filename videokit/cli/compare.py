"""``videokit compare A B``: how far two annotators agree, level by level (segment F1 @ tIoU, boundary
offsets, frame-level Cohen's kappa, per-class agreement, the disagreements largest first, the edits that turn A
into B, a timeline PNG)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..annotations import read_annotations
from ..annotations.formats import FORMATS, READERS
from ._common import frame_rates, load_taxonomy_file, print_summary


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("compare", help="inter-annotator agreement of two annotation files",
                            description="A is the reference: precision is B's segments matched, recall A's. Writes "
                                        "OUT/agreement.json, OUT/per_class_<level>.csv, OUT/disagreements_<level>.csv "
                                        "(largest first), OUT/edits_<level>.csv (what B changed of A: relabel, move, "
                                        "delete, add, split, merge) and OUT/<video>.png (the video they disagree on "
                                        "most, or --video), and prints one line per level.")
    parser.add_argument("a", metavar="A")
    parser.add_argument("b", metavar="B")
    parser.add_argument("--from", dest="a_format", default="canonical", choices=sorted(READERS), help="format of A")
    parser.add_argument("--b-from", dest="b_format", default=None, choices=sorted(READERS),
                        help="format of B (default: A's)")
    parser.add_argument("--level", action="append", default=None, help="level to compare (repeat; default: all)")
    parser.add_argument("--tiou", default="0.1,0.25,0.5", help="segment F1 thresholds (default 0.1,0.25,0.5)")
    parser.add_argument("--kappa-fps", "--fps", dest="fps", type=float, default=1.0,
                        help="frame rate of the kappa's frames (default 1; --fps: the older spelling)")
    parser.add_argument("--tolerance", type=float, default=None, metavar="S",
                        help="edits: how far two times may be apart and still be one (default: one frame of the video, "
                             "else 0.04 s)")
    tools = parser.add_argument_group("an input from an annotation tool (elan, labelstudio, cvat, via)")
    tools.add_argument("--taxonomy", default=None, help="the taxonomy its values map to (default: values by name)")
    tools.add_argument("--tiers", default=None, metavar="LEVEL=TIER,...", help="ELAN: which tier is which level")
    tools.add_argument("--completed-by", dest="completed_by", default=None, metavar="ID",
                       help="Label Studio: read A as this annotator's work (a user id or e-mail, the export's "
                            "completed_by / annotator)")
    tools.add_argument("--b-completed-by", dest="b_completed_by", default=None, metavar="ID",
                       help="Label Studio: read B as this annotator's work (two people's work in one export)")
    tools.add_argument("--videos", default=None, metavar="DIR",
                       help="CVAT / Label Studio: count frames at each video's rate, probed from its file here")
    tools.add_argument("--tool-fps", type=float, default=None,
                       help="CVAT / Label Studio: the frame rate of videos whose rate neither the file nor "
                            "--videos gives")
    parser.add_argument("--video", default=None, help="the video to draw (default: the most disagreement)")
    parser.add_argument("-o", "--out", required=True, help="report folder")
    parser.set_defaults(run=run)


def _read(path: str, fmt: str, taxonomy, args: argparse.Namespace, annotator=None):
    """One side, with the options its format's reader takes (the others are left out by the reader's table)."""
    rates = frame_rates(args.videos) if args.videos and FORMATS[fmt].frame_based else None
    annotations = read_annotations(path, fmt, annotator=annotator, taxonomy=taxonomy, tiers=args.tiers,
                                   tool_fps=args.tool_fps, video_fps=rates)
    print_summary(annotations)
    return annotations


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..evaluation.agreement import compare
    from ..evaluation.edits import edit_counts
    from ..utils import atomic_output, atomic_write_text
    from ..visualization import plot_timeline

    try:
        thresholds = [float(t) for t in args.tiou.split(",") if t.strip()]
    except ValueError:
        raise SystemExit(f"videokit compare: --tiou: expected numbers, got {args.tiou!r}") from None
    taxonomy = load_taxonomy_file(args.taxonomy) if args.taxonomy else None
    a = _read(args.a, args.a_format, taxonomy, args, args.completed_by)
    b = _read(args.b, args.b_format or args.a_format, taxonomy, args, args.b_completed_by)
    results = compare(a, b, args.level, thresholds, args.fps, args.tolerance)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "agreement.json", json.dumps({"a": args.a, "b": args.b, "fps": args.fps,
                                                          "levels": [r.to_dict() for r in results]}, indent=1))
    worst = None
    for result in results:
        with atomic_output(out / f"per_class_{result.level}.csv") as tmp:
            result.per_class.to_csv(tmp, index=False, float_format="%.4f")
        with atomic_output(out / f"disagreements_{result.level}.csv") as tmp:
            result.disagreements.to_csv(tmp, index=False)
        with atomic_output(out / f"edits_{result.level}.csv") as tmp:
            pd.DataFrame([e.to_row() for e in result.edits], columns=["video", "edit", "a", "b"]).to_csv(tmp,
                                                                                                         index=False)
        if worst is None and len(result.disagreements):
            worst = result.disagreements.groupby("video")["seconds"].sum().idxmax()
        f1 = "  ".join(f"F1@{t:g} {result.f1[t]:.3f}" for t in result.thresholds)
        print(f"{result.level}: {result.videos} videos, {result.segments_a} / {result.segments_b} segments; {f1}; "
              f"boundary offset mean {result.boundary_mean:.2f} s, p90 {result.boundary_p90:.2f} s; "
              f"kappa {result.kappa:.3f}; {len(result.disagreements)} disagreements")
        counts = ", ".join(f"{n} {kind}" for kind, n in edit_counts(result.edits).items() if n)
        print(f"  edits: {counts or 'none'}" + (f"; {len(result.classes.by_name)} classes matched by name"
                                                 if result.classes and result.classes.by_name else "")
              + (f"; classes only in B: {', '.join(result.classes.only_other[:5])}"
                 if result.classes and result.classes.only_other else ""))
    video = args.video or worst
    if video is not None and video in a.videos and video in b.videos:
        plot_timeline(b.videos[video], b.taxonomy, out / f"{video}.png", ground_truth=a.videos[video],
                      title=f"{video}: A and B", names=("B", "A"))
    print(f"report in {out}")
    return 0
