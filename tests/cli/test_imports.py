"""The annotation and video verbs never import torch / mmengine / mmaction2: `videokit --help`, `convert`,
`validate`, `stats`, `show`, `probe`, `prepare` and `evaluate` answer without loading the training stack
(checked on the import graph of a fresh interpreter, not on a time)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from ..conftest import DATA
from ..videos import make_video

TINY = DATA / "tiny" / "tiny.canonical.json"
HEAVY = ("torch", "mmengine", "mmaction", "mmcv", "torchvision")


def heavy_modules_after(argv):
    code = textwrap.dedent(f"""
        import sys
        from videokit.cli import main
        try:
            code = main({argv!r})
        except SystemExit as exc:  # --help
            code = exc.code
        print("EXIT", code)
        print("HEAVY", sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("EXIT", "HEAVY")))
    assert lines.get("EXIT") == "0", result.stdout[-2000:] + result.stderr[-2000:]
    return lines["HEAVY"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("imports")
    (root / "videos").mkdir()
    make_video(root / "videos" / "v1.mp4", num_frames=20, fps=10)
    pred = {"results": {"v1": [{"label": "incision", "segment": [0.0, 9.0], "score": 0.9}]}}
    (root / "pred.json").write_text(json.dumps(pred))
    assert heavy_modules_after(["convert", str(TINY), "--from", "canonical", "--to", "anet", "--level", "phase",
                                "-o", str(root / "gt.json")]) == "[]"
    return root


@pytest.mark.parametrize("verb", ["help", "validate", "stats", "show", "probe", "prepare", "evaluate"])
def test_light_verbs_import_no_training_stack(files, verb):
    argv = {"help": ["--help"],
            "validate": ["validate", str(TINY), "--from", "canonical"],
            "stats": ["stats", str(TINY), "--from", "canonical"],
            "show": ["show", str(TINY), "--from", "canonical", "--video", "v1", "-o", str(files / "v1.png")],
            "probe": ["probe", str(files / "videos"), "-o", str(files / "meta.csv"), "--workers", "1"],
            "prepare": ["prepare", str(TINY), "--from", "canonical", "--videos", str(files / "videos"),
                        "-o", str(files / "prepared"), "--workers", "1", "--no-progress"],
            "evaluate": ["evaluate", "detection", str(files / "gt.json"), str(files / "pred.json")]}[verb]
    assert heavy_modules_after(argv) == "[]"
