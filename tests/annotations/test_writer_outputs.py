"""Every writer's output on the real NurViD and OphNet sets, and every tool's file read back to canonical, byte
for byte as recorded in ``tests/data/writer_outputs.json`` (the SHA-256 of each file; ELAN's and VIA's
write times blanked). A faster reader or writer must write the same bytes.

``VIDEOKIT_RECORD_WRITER_OUTPUTS=1 pytest tests/annotations/test_writer_outputs.py`` records them anew (only
for a change of output that is meant, and said in CHANGELOG.md).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Dict

import pytest

from tests.conftest import DATA
from videokit.annotations import read_annotations, write_annotations

RECORD = DATA / "writer_outputs.json"
TARGETS = {"anet": "x.json", "mmaction": "x.txt", "frames": "x.npz", "canonical": "x.json", "taxonomy": "x.csv",
           "splits": "x.csv", "elan": "x_eaf", "labelstudio": "x.json", "cvat": "x_xml", "via": "x.json",
           "vtt": "x_vtt", "labelstudio-config": "x.xml"}
TOOLS = ("elan", "labelstudio", "cvat", "via")
TOOL_FPS = 30.0  # OphNet publishes no frame rates; the frame-based tools get this one
DATE = re.compile(rb' DATE="[^"]*"')
CREATED = re.compile(rb'"created": [0-9]+')


def _digests(path: Path) -> Dict[str, str]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = {}
    for file in files:
        data = file.read_bytes()
        if file.suffix == ".eaf":
            data = DATE.sub(b' DATE=""', data, count=1)
        if file.suffix == ".json":  # VIA's project: the time it was written
            data = CREATED.sub(b'"created": 0', data, count=1)
        if file.suffix == ".npz":  # a zip of arrays: its members' bytes (the archive holds write times)
            import numpy as np
            with np.load(file) as arrays:
                data = b"".join(name.encode() + arrays[name].tobytes() for name in sorted(arrays.files))
        out[str(file.relative_to(path)) if path.is_dir() else file.name] = hashlib.sha256(data).hexdigest()
    return out


def _one_digest(path: Path) -> str:
    digests = _digests(path)
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest() + f" ({len(digests)} files)"


def _outputs(real: Path, tmp: Path, dataset: str) -> Dict[str, str]:
    source = read_annotations(real / dataset, dataset)
    out = {}
    for target, name in {**TARGETS, dataset: "native"}.items():
        path = tmp / f"{dataset}-{target}-{name}"
        write_annotations(source, path, target, **({"tool_fps": TOOL_FPS} if target in ("labelstudio", "cvat") else {}))
        out[f"{dataset} {target}"] = _one_digest(path)
        if target in TOOLS:
            back = read_annotations(path, target, **({"tool_fps": TOOL_FPS} if target == "cvat" else {}))
            canonical = tmp / f"{dataset}-{target}-back.json"
            write_annotations(back, canonical, "canonical")
            out[f"{dataset} {target}->canonical"] = _one_digest(canonical)
    return out


@pytest.mark.parametrize("dataset", ["nurvid", "ophnet"])
def test_writers_write_the_recorded_bytes(real_dir, tmp_path, dataset):
    found = _outputs(real_dir, tmp_path, dataset)
    recorded = json.loads(RECORD.read_text()) if RECORD.is_file() else {}
    if os.environ.get("VIDEOKIT_RECORD_WRITER_OUTPUTS"):
        recorded.update(found)
        RECORD.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    assert {k: recorded.get(k) for k in found} == found
