"""Inter-annotator agreement on two made annotators, every number computed by hand; and the CLI's report."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from videokit.annotations import AnnotationSet, Segment, Taxonomy, VideoAnnotation, write_annotations
from videokit.cli import main
from videokit.evaluation.agreement import cohen_kappa, compare_level

TAXONOMY = {"dataset": "made", "levels": [
    {"name": "procedure", "classes": [{"id": 0, "name": "p"}]},
    {"name": "phase", "classes": [{"id": 0, "name": "a", "parents": [0]}, {"id": 1, "name": "b", "parents": [0]},
                                  {"id": 2, "name": "c", "parents": [0]}]}]}


def annotator(segments):
    video = VideoAnnotation("v", "v.mp4", 30.0, 25.0, "test", [0],
                            [Segment("phase", label, start, end) for start, end, label in segments])
    return AnnotationSet(Taxonomy.from_dict(TAXONOMY), {"v": video}, "made")


# A: a [0, 10), b [10, 20), c [20, 30); B shifted a by 1 s and swapped b and c
A = annotator([(0.0, 10.0, 0), (10.0, 20.0, 1), (20.0, 30.0, 2)])
B = annotator([(1.0, 11.0, 0), (11.0, 20.0, 2), (20.0, 30.0, 1)])


def test_agreement_by_hand():
    result = compare_level(A, B, "phase", thresholds=(0.1, 0.25, 0.5), fps=1.0)
    # only a matches a (tIoU 9/11): TP 1 of 3 and 3 segments -> F1 = 2 * 1 / 6 at every threshold
    assert result.f1 == pytest.approx({0.1: 1 / 3, 0.25: 1 / 3, 0.5: 1 / 3})
    assert result.precision[0.5] == pytest.approx(1 / 3) and result.recall[0.5] == pytest.approx(1 / 3)
    assert result.boundary_mean == pytest.approx(1.0) and result.boundary_p90 == pytest.approx(1.0)
    # 31 samples (t = 0..30): they agree at t = 1..9 (a) and t = 30 (none): po = 10/31;
    # A: a 10, b 10, c 10, none 1; B: a 10, b 10, c 9, none 2 -> pe = 292/961 -> kappa = 18/669
    assert result.kappa == pytest.approx(18 / 669)
    per_class = result.per_class.set_index("class")
    assert per_class["f1@0.25"].to_dict() == {"a": 1.0, "b": 0.0, "c": 0.0}
    rows = result.disagreements.to_dict("records")
    assert rows[0] == {"video": "v", "start": 10.0, "end": 30.0, "seconds": 20.0, "a_said": "b / c",
                       "b_said": "a / b / c"}
    assert rows[1] == {"video": "v", "start": 0.0, "end": 1.0, "seconds": 1.0, "a_said": "a", "b_said": "-"}
    assert len(rows) == 2


def test_kappa_extremes():
    assert cohen_kappa(pd.Series([0, 1, 2]).values, pd.Series([0, 1, 2]).values) == 1.0
    assert cohen_kappa(pd.Series([0, 0, 1, 1]).values, pd.Series([1, 1, 0, 0]).values) == pytest.approx(-1.0)


def test_compare_verb_writes_the_report(tmp_path, capsys):
    write_annotations(A, tmp_path / "a.json", "canonical")
    write_annotations(B, tmp_path / "b.json", "canonical")
    assert main(["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-o", str(tmp_path / "report")]) == 0
    printed = capsys.readouterr().out
    assert "phase: 1 videos, 3 / 3 segments; F1@0.1 0.333" in printed and "kappa 0.027" in printed
    report = json.loads((tmp_path / "report" / "agreement.json").read_text())
    assert [lvl["level"] for lvl in report["levels"]] == ["phase"]
    assert (tmp_path / "report" / "v.png").stat().st_size > 1000
    disagreements = pd.read_csv(tmp_path / "report" / "disagreements_phase.csv")
    assert disagreements.seconds.tolist() == [20.0, 1.0]
    # B from an annotation tool: its classes are numbered its own way, and are matched to A's by name
    write_annotations(B, tmp_path / "b_via.json", "via")
    assert main(["compare", str(tmp_path / "a.json"), str(tmp_path / "b_via.json"), "--b-from", "via",
                 "-o", str(tmp_path / "report2")]) == 0
    assert "F1@0.1 0.333" in capsys.readouterr().out


def test_compare_a_tool_file_that_counts_frames_at_an_unstated_rate(tmp_path, capsys):
    """A Label Studio export states no frame rate: compare asks for one, takes --tool-fps, or probes the video."""
    from ..videos import make_video

    write_annotations(A, tmp_path / "a.json", "canonical")
    write_annotations(B, tmp_path / "b.json", "labelstudio")
    tasks = json.loads((tmp_path / "b.json").read_text())
    for task in tasks:  # as Label Studio exports it: no videokit side fields, no rate
        task["data"] = {"video": "/data/upload/3/v.mp4"}
    (tmp_path / "b.json").write_text(json.dumps(tasks))
    command = ["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--b-from", "labelstudio"]
    assert main(command + ["-o", str(tmp_path / "r1")]) == 1
    assert "b.json:task 0: framerate: the file does not state the video's frame rate" in capsys.readouterr().err
    assert main(command + ["--tool-fps", "25", "-o", str(tmp_path / "r2")]) == 0
    assert "F1@0.1 0.333" in capsys.readouterr().out
    (tmp_path / "videos").mkdir()
    make_video(tmp_path / "videos" / "v.mp4", num_frames=10, fps=25)
    assert main(command + ["--videos", str(tmp_path / "videos"), "-o", str(tmp_path / "r3")]) == 0
    assert "F1@0.1 0.333" in capsys.readouterr().out
