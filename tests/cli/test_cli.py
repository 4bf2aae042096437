"""The annotators' verbs end to end, as a user types them."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from videokit.cli import main

from ..conftest import DATA, ROOT

TINY = DATA / "tiny" / "tiny.canonical.json"


def test_convert_real_ophnet_to_activitynet(real_dir, tmp_path, capsys):
    out = tmp_path / "phase.json"
    assert main(["convert", str(real_dir / "ophnet"), "--from", "ophnet", "--to", "anet", "--level", "phase",
                 "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert sum(len(v["annotations"]) for v in data["database"].values()) == 14674
    assert "wrote" in capsys.readouterr().err


def test_convert_subset_and_style(real_dir, tmp_path):
    out = tmp_path / "train.txt"
    assert main(["convert", str(real_dir / "nurvid"), "--from", "nurvid", "--to", "mmaction", "--style", "clips",
                 "--level", "procedure", "--subset", "train", "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 3906  # rows of task2/procedure_train.csv


def test_validate_real_files_pass_with_warning_counts(real_dir, capsys):
    assert main(["validate", str(real_dir / "nurvid"), "--from", "nurvid"]) == 0
    out = capsys.readouterr().out
    assert "validation passed" in out
    assert "beyond-duration     23" in out
    assert main(["validate", str(real_dir / "ophnet" / "OphNet2024_loca_all.csv"), "--from", "ophnet"]) == 0


def test_validate_exit_status_on_errors(capsys):
    bad = DATA / "malformed" / "ophnet_end_before_start.csv"
    assert main(["validate", str(bad), "--from", "ophnet"]) == 1
    out = capsys.readouterr().out
    assert "error: " in out and "ophnet_end_before_start.csv:line 3: end: before start" in out
    assert "validation FAILED" in out


def test_stats_prints_tables_and_plot(tmp_path, capsys):
    plot = tmp_path / "stats.png"
    assert main(["stats", str(TINY), "--from", "canonical", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "== counts" in out and "== lengths" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tools_script_is_the_same_verb(tmp_path):
    out = tmp_path / "t.csv"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "annotations" / "convert.py"), str(TINY),
                             "--from", "canonical", "--to", "taxonomy", "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("level,id,name")


def test_committed_annotation_tables_are_current(real_dir, tmp_path):
    """annotations/ holds what `bash annotations/regenerate.sh` writes from the real files."""
    for dataset in ("nurvid", "ophnet"):
        for target, name in (("taxonomy", "taxonomy.csv"), ("splits", "splits.csv"), ("canonical", "annotations.json")):
            out = tmp_path / f"{dataset}-{name}"
            assert main(["convert", str(real_dir / dataset), "--from", dataset, "--to", target, "-o", str(out)]) == 0
            assert out.read_bytes() == (ROOT / "annotations" / dataset / name).read_bytes(), (dataset, name)


def test_convert_names_what_was_not_carried_or_guessed_grouped_by_kind(tmp_path, capsys):
    """The reader's warnings that mean something was lost or guessed are printed by kind with a count and the first
    example; the rest are counted by kind and left to `videokit validate`."""
    from videokit.annotations import read_annotations, write_annotations

    from ..conftest import REAL

    if not REAL.is_dir():
        pytest.skip("real annotations not found")
    assert main(["convert", str(REAL / "ophnet"), "--from", "ophnet", "--to", "canonical", "-o",
                 str(tmp_path / "o.json")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "409 other warning(s) (409 overlap): `videokit validate` lists them", err[-3:]
    # a JSON-MIN export keeps no region meta: one grouped line names the side fields it lost
    annotations = read_annotations(REAL / "ophnet", "ophnet")
    write_annotations(annotations.subset("test"), tmp_path / "tasks.json", "labelstudio", tool_fps=25.0)
    import json

    tasks = json.loads((tmp_path / "tasks.json").read_text())[:3]
    rows = [dict(task["data"], id=n) for n, task in enumerate(tasks)]  # JSON-MIN: the data, then one list a control
    for row, task in zip(rows, tasks):
        for region in (task.get("annotations") or task.get("predictions") or [{}])[0].get("result", []):
            row.setdefault(region["from_name"], []).append({"ranges": region["value"]["ranges"],
                                                            "timelinelabels": region["value"]["timelinelabels"]})
    (tmp_path / "min.json").write_text(json.dumps(rows))
    main(["convert", str(tmp_path / "min.json"), "--from", "labelstudio", "--to", "canonical", "-o",
          str(tmp_path / "m.json"), "--tool-fps", "25"])
    err = capsys.readouterr().err
    assert "x fields-not-exported (side fields the export form does not keep), first: " in err, err


def test_a_label_studio_file_of_object_tracks_says_they_are_not_read(capsys):
    from ..conftest import SHARED

    sample = SHARED / "interop_samples" / "labelstudio" / "ls-ml-backend_test_videorectangle.json"
    if not sample.exists():
        pytest.skip("interop samples not found")
    assert main(["convert", str(sample), "--from", "labelstudio", "--to", "canonical", "-o", "/dev/null"]) == 1
    assert "videorectangle, which videokit does not read" in capsys.readouterr().err


def test_evaluating_against_videos_without_predictions_says_so_and_names_the_subset(tmp_path, capsys):
    results = {"results": {"v1": [{"label": "phaco", "score": 0.9, "segment": [10.0, 20.0]}]}}
    (tmp_path / "r.json").write_text(json.dumps(results))
    assert main(["evaluate", "detection", str(TINY), str(tmp_path / "r.json"), "--gt-format", "canonical",
                 "--level", "phase"]) == 0
    err = capsys.readouterr().err
    assert "1 of 2 ground-truth videos have no prediction" in err and "--subset train" in err, err


def test_train_and_test_help_name_their_verb(capsys):
    for verb in ("train", "test"):
        with pytest.raises(SystemExit) as exc:
            main([verb, "--help"])
        printed = capsys.readouterr().out
        assert exc.value.code == 0 and printed.startswith(f"usage: videokit {verb} "), printed[:80]


def test_a_missing_metadata_table_points_to_probe(tmp_path, capsys):
    assert main(["convert", str(TINY), "--from", "canonical", "--to", "anet", "--meta", str(tmp_path / "meta.csv"),
                 "-o", str(tmp_path / "x.json")]) == 1
    assert "videokit probe VIDEO_DIR -o meta.csv" in capsys.readouterr().err
