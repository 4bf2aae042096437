"""The annotators' verbs end to end, as a user types them."""
from __future__ import annotations

import json
import subprocess
import sys

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
        for target, name in (("taxonomy", "taxonomy.csv"), ("splits", "splits.csv")):
            out = tmp_path / f"{dataset}-{name}"
            assert main(["convert", str(real_dir / dataset), "--from", dataset, "--to", target, "-o", str(out)]) == 0
            assert out.read_text() == (ROOT / "annotations" / dataset / name).read_text()
