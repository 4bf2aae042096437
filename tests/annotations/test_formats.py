"""Formats on a small hand-made three-level set: lossless round trips and hand-computed outputs."""
from __future__ import annotations

import json

import numpy as np
import pytest

from videokit.annotations import AnnotationError, AnnotationSet, read_annotations, trimmed_segments, write_annotations
from videokit.annotations.formats.frames import label_arrays

from ..conftest import DATA

TINY = DATA / "tiny" / "tiny.canonical.json"


@pytest.fixture()
def tiny() -> AnnotationSet:
    return read_annotations(TINY, "canonical")


def test_canonical_round_trip_is_lossless(tiny, tmp_path):
    write_annotations(tiny, tmp_path / "a.json", "canonical")
    again = read_annotations(tmp_path / "a.json", "canonical")
    assert again.videos == tiny.videos and again.taxonomy == tiny.taxonomy
    assert again.videos["v2"].labels == [1, 0]
    assert again.videos["v2"].attrs == {"note": "two surgeries"}
    assert again.videos["v2"].segments[0].splits == {"phase": "test"}


def test_dataframe_round_trip(tiny):
    df = tiny.to_dataframe()
    assert len(df) == 7 + 5 + 1  # segments, plus one row for the video without segments
    assert set(df.level.dropna()) == {"phase", "operation"}
    again = AnnotationSet.from_dataframe(df, tiny.taxonomy)
    assert again.videos == tiny.videos


def test_trimmed_segments_at_each_level(tiny):
    ops = trimmed_segments(tiny, "operation")
    assert [(t.video.video_id, t.k, t.label) for t in ops] == [
        ("v1", 1, 0), ("v1", 2, 1), ("v1", 3, 3), ("v1", 4, 2), ("v2", 1, 0), ("v2", 2, 2), ("v2", 3, 3)]
    # the top level has no segments: the phases are its samples, labelled with the video's surgery
    top = trimmed_segments(tiny, "surgery")
    assert [t.label for t in top] == [0, 0, 0, 1, 1]
    # segment-level split wins over the video's
    assert [t.video.video_id for t in trimmed_segments(tiny, "phase", split="test")] == ["v2"]
    assert [t.k for t in trimmed_segments(tiny, "phase", split="val")] == [2]


def test_activitynet_per_level(tiny, tmp_path):
    write_annotations(tiny, tmp_path / "phase.json", "anet", level="phase")
    data = json.loads((tmp_path / "phase.json").read_text())
    v1 = data["database"]["v1"]
    assert v1["subset"] == "train" and v1["duration"] == 30.0 and v1["fps"] == 25.0
    assert v1["annotations"][1] == {"label": "phaco", "label_id": 1, "segment": [10.0, 20.0]}
    assert data["database"]["v3"]["annotations"] == []
    assert "duration" not in data["database"]["v3"]
    back = read_annotations(tmp_path / "phase.json", "anet", level="phase")
    assert [(s.label, s.start, s.end) for s in back.videos["v1"].segments] == \
        [(s.label, s.start, s.end) for s in tiny.videos["v1"].segments_at("phase")]
    assert back.taxonomy.level("phase").classes[2].name == "closure"


def test_activitynet_labels_without_ids_get_ids_by_name(tmp_path):
    path = tmp_path / "gt.json"
    path.write_text(json.dumps({"database": {"a": {"subset": "validation", "duration": 9, "annotations": [
        {"label": "suture", "segment": [1, 2]}, {"label": "cut", "segment": [3, 4]}]}}}))
    annotations = read_annotations(path, "anet")
    classes = annotations.taxonomy.top.classes
    assert {c.name: c.id for c in classes.values()} == {"cut": 0, "suture": 1}
    assert [s.label for s in annotations.videos["a"].segments] == [1, 0]
    assert annotations.videos["a"].split == "validation"


def test_mmaction_lists(tiny, tmp_path):
    write_annotations(tiny, tmp_path / "videos.txt", "mmaction", style="video")
    assert (tmp_path / "videos.txt").read_text().splitlines() == ["v1.mp4 0", "v2.mp4 1 0", "sub/v3.mp4 0"]
    write_annotations(tiny, tmp_path / "seg.txt", "mmaction", style="segments", level="operation", subset="val")
    assert (tmp_path / "seg.txt").read_text().splitlines() == [
        "v2.mp4 1 9 0", "v2.mp4 9 15 2", "v2.mp4 14 19.5 3"]
    write_annotations(tiny, tmp_path / "clips.txt", "mmaction", style="clips", level="phase")
    assert (tmp_path / "clips.txt").read_text().splitlines()[:3] == ["v1_1.mp4 0", "v1_2.mp4 1", "v1_3.mp4 2"]
    videos = read_annotations(tmp_path / "videos.txt", "mmaction")
    assert videos.videos["v2"].labels == [1, 0]
    segments = read_annotations(tmp_path / "seg.txt", "mmaction", style="segments", level="operation")
    assert [(s.start, s.end, s.label) for s in segments.videos["v2"].segments] == \
        [(1.0, 9.0, 0), (9.0, 15.0, 2), (14.0, 19.5, 3)]


def test_frame_labels(tiny, tmp_path):
    write_annotations(tiny, tmp_path / "f.npz", "frames", level="phase", fps=0.5)
    arrays = np.load(tmp_path / "f.npz")
    # v1 at t = 0, 2, ..., 30 s: incision [0,10), phaco [10,20), closure [22,30): a segment holds start <= t < end
    assert arrays["v1"].tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1, 2, 2, 2, 2, -1]
    assert label_arrays(tiny, "phase", 1.0)["v1"][19:23].tolist() == [1, -1, -1, 2]  # [20, 22) is background
    meta = json.loads(str(arrays["__meta__"]))
    assert meta == {"level": "phase", "fps": 0.5, "background": -1, "classes": ["incision", "phaco", "closure"]}
    write_annotations(tiny, tmp_path / "g.npz", "frames", level="operation", fps=1)
    v2 = np.load(tmp_path / "g.npz")["v2"]
    assert v2[14] == 3 and v2[13] == 2 and v2[0] == -1 and len(v2) == 21


def test_taxonomy_and_split_tables(tiny, tmp_path):
    write_annotations(tiny, tmp_path / "t.csv", "taxonomy")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0] == "level,id,name,abbrev,group,parents,names,key"
    assert any(line.startswith("operation,3,rinse,,,1 2,") for line in lines)
    write_annotations(tiny, tmp_path / "s.csv", "splits")
    assert "v2,val,1,1 0,20.0,30.0,v2.mp4" in (tmp_path / "s.csv").read_text()


def test_writer_option_errors_name_the_field(tiny, tmp_path):
    with pytest.raises(AnnotationError, match="level: expected one of"):
        write_annotations(tiny, tmp_path / "x.json", "anet", level="stage")
    with pytest.raises(AnnotationError, match="format: unknown target format"):
        write_annotations(tiny, tmp_path / "x.json", "xml")
    assert not any(tmp_path.iterdir())
