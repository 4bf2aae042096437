"""Every file of the malformed corpus gets exactly one clear error and leaves nothing written."""
from __future__ import annotations

import csv
import re

import pytest

from videokit.annotations.formats import WRITERS
from videokit.cli import main

from ..conftest import DATA

CORPUS = DATA / "malformed"
CASES = list(csv.DictReader(open(CORPUS / "MANIFEST.csv", encoding="utf-8")))


def test_corpus_is_complete():
    listed = {case["file"] for case in CASES}
    present = {p.name for p in CORPUS.iterdir() if p.name != "MANIFEST.csv"}
    assert listed == present
    assert len(listed) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
@pytest.mark.parametrize("target", ["canonical", "anet", "mmaction"])
def test_one_clear_error_and_no_output(case, target, tmp_path, capsys):
    out = tmp_path / "out" / "converted.json"
    argv = ["convert", str(CORPUS / case["file"]), "--from", case["format"], "--to", target, "-o", str(out)]
    for option in filter(None, case["options"].split(";")):
        key, value = option.split("=")
        argv += [f"--{key}", value]
    assert main(argv) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, errors
    message = errors[0]
    # a folder case (a NurViD folder) names the file inside it that holds the defect
    inside = r"(/[^:]+)?" if (CORPUS / case["file"]).is_dir() else ""
    tail = f":{case['record']}: " if case["record"] else ": "
    location = re.search(re.escape(case["file"]) + inside + re.escape(tail), message)
    assert location, message
    assert f"{case['field']}: " in message[location.end() - 2:]
    assert case["message"] in message
    assert not out.exists()
    leftovers = list((tmp_path / "out").iterdir()) if (tmp_path / "out").exists() else []
    assert leftovers == []


def test_failed_writer_leaves_no_partial_file(tmp_path, monkeypatch):
    """A writer that dies half way leaves neither the target nor its temporary file."""
    from videokit.annotations import read_annotations, write_annotations
    from videokit.annotations.formats import canonical

    annotations = read_annotations(DATA / "tiny" / "tiny.canonical.json", "canonical")
    target = tmp_path / "out.json"

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(canonical.json, "dumps", explode)
    with pytest.raises(RuntimeError):
        write_annotations(annotations, target, "canonical")
    assert list(tmp_path.iterdir()) == []
    assert "canonical" in WRITERS
