"""The README's main job, on a smaller made dataset."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from videokit.annotations import read_annotations, validate
from videokit.cli import main
from videokit.demo import DemoSpec, make_demo_dataset


def test_made_dataset_is_valid_nurvid(tmp_path):
    ann_dir = make_demo_dataset(tmp_path, DemoSpec(videos_per_procedure=2, min_seconds=4, max_seconds=6))
    annotations = read_annotations(ann_dir, "nurvid")
    assert len(annotations) == 6 and annotations.count_segments("action") == 24
    assert validate(annotations).ok
    assert annotations.taxonomy.level("action").classes[5].name == "Clean wound"
    for video in annotations:
        assert (tmp_path / "videos" / video.path).stat().st_size > 0
        steps = [s.label // 4 for s in video.segments]
        assert steps == [video.primary_label] * 4  # each step belongs to its procedure


def test_demo_verb_prints_the_summary_line(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--videos-per-procedure", "2", "--no-train"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("demo top1=") and " mAP=" in last and " seconds=" in last
    data = json.loads((tmp_path / "converted" / "action_detection.json").read_text())
    assert len(data["database"]) == 6


def test_the_made_videos_are_the_same_bytes_on_every_run(tmp_path):
    """Two processes at once make the demo's videos: the same bytes, so a seeded training of the demo gives the
    same model every run on a machine (the H.264 encoder's SIMD paths used to vary its output from run to run)."""
    make = ("import sys; from videokit.demo import DemoSpec, make_demo_dataset; "
            "make_demo_dataset(sys.argv[1], DemoSpec(min_seconds=8, max_seconds=12)); "
            "assert 'torch' not in sys.modules, 'making the videos loaded torch'")  # 0.4 s to start, not 6
    runs = [subprocess.Popen([sys.executable, "-c", make, str(tmp_path / name)]) for name in ("one", "two")]
    assert [run.wait(timeout=300) for run in runs] == [0, 0]

    def digests(name):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / name / "videos").iterdir()}
    one, two = digests("one"), digests("two")
    assert len(one) == 24 and one == two, sorted(name for name in one if one[name] != two.get(name))
