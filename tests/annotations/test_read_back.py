"""Reading back what a writer wrote (``write_annotations``) runs the tool readers with ``checks_only``: every
check, no set assembled. Its outcome is the full read's: the same error, or none."""
from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path
from typing import Optional

import pytest

from videokit.annotations import AnnotationError, read_annotations, write_annotations
from videokit.annotations.formats._tool_files import checks_only
from videokit.annotations.model import Level, Taxonomy

from ..conftest import DATA, SHARED

TOOLS = ("elan", "labelstudio", "cvat", "via")
CORPUS = DATA / "malformed"
SAMPLES = SHARED / "interop_samples"
FPS = {"labelstudio": 25.0, "cvat": 25.0}


def outcome(path: Path, fmt: str, checks: bool, **options) -> Optional[str]:
    """The error reading ``path`` gives (None: read), in full or as a read-back."""
    try:
        with checks_only() if checks else contextlib.nullcontext():
            read_annotations(path, fmt, **options)
    except AnnotationError as exc:
        return str(exc)
    return None


def _options(text: str) -> dict:
    pairs = [option.split("=") for option in filter(None, text.split(";"))]
    return {key.replace("-", "_"): float(value) if key == "fps" else value for key, value in pairs}


def tool_files():
    cases = [(CORPUS / c["file"], c["format"], _options(c["options"]))
             for c in csv.DictReader(open(CORPUS / "MANIFEST.csv", encoding="utf-8")) if c["format"] in TOOLS]
    if SAMPLES.is_dir():
        cases += [(path, fmt, {"tool_fps": FPS[fmt]} if fmt in FPS else {})
                  for fmt in TOOLS for path in sorted((SAMPLES / fmt).iterdir())]
    return cases


@pytest.mark.parametrize("path, fmt, options", tool_files(), ids=lambda v: v.name if isinstance(v, Path) else None)
def test_read_back_refuses_what_the_full_read_refuses(path, fmt, options):
    """The malformed corpus's tool files (each an error) and the files the tools wrote (each read)."""
    assert outcome(path, fmt, True, **options) == outcome(path, fmt, False, **options)


def test_levels_are_checked_in_the_read_back(tmp_path):
    """What only assembling would refuse, the levels (an empty control name; a level the taxonomy lacks), the
    read-back refuses too."""
    task = {"data": {"video": "a.mp4", "fps": 25},
            "annotations": [{"result": [{"id": "r1", "type": "timelinelabels", "from_name": "", "to_name": "video",
                                         "value": {"ranges": [{"start": 1, "end": 10}], "timelinelabels": ["x"]}}]}]}
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]))
    error = outcome(path, "labelstudio", False)
    assert error is not None and "non-empty" in error
    assert outcome(path, "labelstudio", True) == error
    task["annotations"][0]["result"][0]["from_name"] = "phase"
    path.write_text(json.dumps([task]))
    taxonomy = Taxonomy("x", [Level("step")])
    error = outcome(path, "labelstudio", False, taxonomy=taxonomy)
    assert error is not None and "not in the taxonomy" in error
    assert outcome(path, "labelstudio", True, taxonomy=taxonomy) == error


def test_written_real_set_reads_back_in_full(real_dir, tmp_path):
    """A real set written to each tool's format (its read-back checks only) reads in full, the same set."""
    nurvid = read_annotations(real_dir / "nurvid", "nurvid")
    for fmt in TOOLS:
        out = tmp_path / f"out-{fmt}"
        write_annotations(nurvid, out, fmt, **({"tool_fps": 30.0} if fmt in FPS else {}))
        back = read_annotations(out, fmt)
        assert len(back) == len(nurvid) and back.count_segments("step") == nurvid.count_segments("step"), fmt
