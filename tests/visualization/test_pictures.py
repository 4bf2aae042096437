"""``videokit show`` and ``videokit analyze``: the pictures and tables are written from real and made data."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from mmengine.fileio import dump

from videokit.cli import main

from ..conftest import ROOT

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_png(path) -> bool:
    return path.exists() and path.read_bytes()[:8] == PNG_MAGIC


def test_show_draws_a_real_nurvid_and_a_real_ophnet_video(real_dir, tmp_path, capsys):
    from videokit.annotations import read_annotations

    nurvid = read_annotations(real_dir / "nurvid", "nurvid")
    video_id = next(v.video_id for v in nurvid if v.video_id.startswith("-"))  # YouTube ids may start with '-'
    assert main(["show", str(real_dir / "nurvid"), "--from", "nurvid", f"--video={video_id}",
                 "-o", str(tmp_path / "n.png")]) == 0
    assert is_png(tmp_path / "n.png")
    ophnet = read_annotations(real_dir / "ophnet", "ophnet")
    busy = max(ophnet, key=lambda v: len(v.segments))  # phases and operations: three rows
    assert main(["show", str(real_dir / "ophnet"), "--from", "ophnet", "--video", busy.video_id,
                 "-o", str(tmp_path / "o.png")]) == 0
    assert is_png(tmp_path / "o.png")
    assert main(["show", str(real_dir / "ophnet"), "--from", "ophnet", "--video", "nope",
                 "-o", str(tmp_path / "x.png")]) == 1
    assert "video nope: id: no such video" in capsys.readouterr().err and not (tmp_path / "x.png").exists()


def made_dump(path, levels=2):
    """A test dump like tools/test.py --dump writes for a MultiLevelHead model (2 procedures x 2 steps)."""
    rng = np.random.default_rng(0)
    samples = []
    for i in range(40):
        step = i % 4
        scores = np.full(4, 0.1)
        scores[step if i % 5 else (step + 1) % 4] = 0.7  # every fifth sample is wrong
        proc = np.array([0.9, 0.1]) if step < 2 else np.array([0.1, 0.9])
        samples.append({"gt_label": torch.tensor([step // 2, step]), "pred_score": torch.tensor(scores),
                        "level_scores": [torch.tensor(proc), torch.tensor(scores)], "video_id": f"v{i}",
                        "noise": rng.random()})
    dump(samples, str(path))


def test_analyze_recognition_from_a_test_dump(tmp_path, capsys):
    made_dump(tmp_path / "dump.pkl")
    taxonomy = tmp_path / "taxonomy.csv"
    taxonomy.write_text("level,id,name,abbrev,group,parents,names\nprocedure,0,P0,,,,\nprocedure,1,P1,,,,\n"
                        "step,0,a,,,0,\nstep,1,b,,,0,\nstep,2,c,,,1,\nstep,3,d,,,1,\n")
    assert main(["analyze", "recognition", str(tmp_path / "dump.pkl"), "--taxonomy", str(taxonomy),
                 "-o", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    assert is_png(out / "confusion_step.png") and is_png(out / "per_class_accuracy_step.png")
    accuracy = pd.read_csv(out / "per_class_accuracy_step.csv")
    assert list(accuracy.name) == ["a", "b", "c", "d"] and np.allclose(accuracy.accuracy, 0.8)
    matrix = pd.read_csv(out / "confusion_step.csv", index_col="true")
    assert matrix.loc["a", "a"] == 8 and matrix.loc["a", "b"] == 2 and int(matrix.values.sum()) == 40
    assert "top1 0.800" in capsys.readouterr().out
    assert main(["analyze", "recognition", str(tmp_path / "dump.pkl"), "--taxonomy", str(taxonomy),
                 "--level", "procedure", "-o", str(out)]) == 0
    assert pd.read_csv(out / "per_class_accuracy_procedure.csv").accuracy.tolist() == [1.0, 1.0]


def test_analyze_detection_per_class_ap(tmp_path):
    gt = {"version": "1.3", "database": {
        "v1": {"subset": "validation", "duration": 30.0, "annotations": [
            {"label": "cut", "segment": [1.0, 5.0]}, {"label": "suture", "segment": [10.0, 20.0]}]}}}
    pred = {"results": {"v1": [{"label": "cut", "segment": [1.0, 5.0], "score": 0.9},
                               {"label": "suture", "segment": [0.0, 2.0], "score": 0.8}]}}
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "pred.json").write_text(json.dumps(pred))
    assert main(["analyze", "detection", str(tmp_path / "gt.json"), str(tmp_path / "pred.json"),
                 "-o", str(tmp_path / "out")]) == 0
    table = pd.read_csv(tmp_path / "out" / "per_class_ap.csv").set_index("class")
    assert table.loc["cut", "mean"] == 1.0 and table.loc["suture", "mean"] == 0.0
    assert is_png(tmp_path / "out" / "per_class_ap.png") and is_png(tmp_path / "out" / "pr_curves.png")


def test_analyze_lengths_and_the_tools_scripts(real_dir, tmp_path):
    assert main(["analyze", "lengths", str(real_dir / "ophnet"), "--from", "ophnet",
                 "-o", str(tmp_path / "len.png")]) == 0
    assert is_png(tmp_path / "len.png")
    for script in ("analyze_recognition", "analyze_detection", "segment_lengths", "show_timeline"):
        done = subprocess.run([sys.executable, str(ROOT / "tools" / "analysis" / f"{script}.py"), "--help"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("bad", ["[]", "not a pickle"])
def test_analyze_recognition_rejects_a_bad_dump(tmp_path, bad):
    path = tmp_path / "bad.pkl"
    if bad == "[]":
        dump([], str(path))
    else:
        path.write_text(bad)
    taxonomy = tmp_path / "t.csv"
    taxonomy.write_text("level,id,name\nstep,0,a\n")
    with pytest.raises(SystemExit, match="bad.pkl"):
        main(["analyze", "recognition", str(path), "--taxonomy", str(taxonomy), "-o", str(tmp_path / "o")])
    assert not (tmp_path / "o").exists()


def test_analyze_recognition_refuses_a_taxonomy_the_model_was_not_trained_on(tmp_path, capsys):
    made_dump(tmp_path / "dump.pkl")
    taxonomy = tmp_path / "other.csv"  # three steps where the model scores four: its names would mislabel
    taxonomy.write_text("level,id,name,abbrev,group,parents,names\nprocedure,0,P0,,,,\nprocedure,1,P1,,,,\n"
                        "step,0,a,,,0,\nstep,1,b,,,0,\nstep,2,c,,,1,\n")
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "recognition", str(tmp_path / "dump.pkl"), "--taxonomy", str(taxonomy),
              "-o", str(tmp_path / "out")])
    assert "scores 4 step classes, the taxonomy" in str(exc.value) and "names 3" in str(exc.value)
    assert not (tmp_path / "out" / "confusion_step.csv").exists()
