"""The real NurViD and OphNet files, as their authors published them: counts, splits, round trips."""
from __future__ import annotations

import collections

import pandas as pd
import pytest

from videokit.annotations import read_annotations, trimmed_segments, validate, write_annotations


@pytest.fixture(scope="module")
def nurvid(real_dir):
    return read_annotations(real_dir / "nurvid", "nurvid")


@pytest.fixture(scope="module")
def ophnet(real_dir):
    return read_annotations(real_dir / "ophnet", "ophnet")


def test_nurvid_counts(nurvid):
    assert len(nurvid) == 1538
    assert nurvid.taxonomy.level("procedure").num_classes == 51
    assert nurvid.taxonomy.level("action").num_classes == 177
    assert nurvid.count_segments("action") == 5615
    assert collections.Counter(v.split for v in nurvid) == {"train": 1054, "val": 173, "test": 311}


def test_nurvid_class_table(nurvid):
    procedures = nurvid.taxonomy.level("procedure")
    assert procedures.classes[0].name == "Surgical Hand Scrub"
    assert procedures.classes[0].abbrev == "SHS"
    assert procedures.classes[0].names["zh"] == "外科刷手操作"
    groups = collections.Counter(c.group for c in procedures.classes.values())
    assert groups == {"Many": 10, "Medium": 23, "Few": 18}
    actions = nurvid.taxonomy.level("action")
    assert actions.classes[3].name == "Position the patient"
    assert set(c.group for c in actions.classes.values()) == {"Many", "Medium", "Few"}
    # an action's parents are the procedures it occurs in
    assert 2 in actions.classes[3].parents


def test_nurvid_ids_are_zero_based(real_dir, nurvid):
    video = nurvid.videos["--Ly-qjodoI"]
    assert video.labels == [2]  # operationID 3 in the JSON
    assert video.segments[0].label == 28  # actionID 29
    assert video.segments[0].start == 10.78 and video.segments[0].end == 18.51


def test_nurvid_task2_lists_map_one_to_one(real_dir, nurvid):
    for level in ("procedure", "action"):
        listed = {}
        for split in ("train", "val", "test"):
            table = pd.read_csv(real_dir / "nurvid" / "task2" / f"{level}_{split}.csv", sep=" ",
                                skiprows=1, header=None, names=["path", "label"], encoding="utf-8-sig")
            for path, label in zip(table.path, table.label):
                listed[path.rsplit("/", 1)[1]] = (split, label)
        samples = {f"{t.video.video_id}_{t.k}.mp4": (t.segment.splits[level], t.label)
                   for t in trimmed_segments(nurvid, level)}
        assert len(samples) == 5615
        assert samples == listed
    assert not [f for f in validate(nurvid).errors]


def test_nurvid_validation_passes_with_real_quirks_as_warnings(nurvid):
    report = validate(nurvid)
    assert report.ok
    counts = report.counts()
    assert counts[("warning", "zero-length")] == 1
    assert counts[("warning", "beyond-duration")] == 23
    assert counts[("warning", "overlap")] > 0


def test_nurvid_round_trip_is_byte_identical(real_dir, nurvid, tmp_path):
    write_annotations(nurvid, tmp_path / "canonical.json", "canonical")
    again = read_annotations(tmp_path / "canonical.json", "canonical")
    assert again.taxonomy == nurvid.taxonomy
    assert again.videos == nurvid.videos
    write_annotations(again, tmp_path / "native", "nurvid")
    original = (real_dir / "nurvid" / "NurViD_annotations.json").read_bytes()
    assert (tmp_path / "native" / "NurViD_annotations.json").read_bytes() == original
    for name in ["task1_3/train.csv", "task1_3/val.csv", "task1_3/test.csv", "task2/action_train.csv",
                 "task2/procedure_test.csv"]:
        published = (real_dir / "nurvid" / name).read_text(encoding="utf-8-sig").splitlines()[1:]
        written = (tmp_path / "native" / name).read_text(encoding="utf-8").splitlines()[1:]
        assert sorted(written) == sorted(published), name


def test_ophnet_counts(ophnet):
    with_segments = [v for v in ophnet if v.segments]
    assert len(with_segments) == 743
    assert ophnet.count_segments("phase") == 14674
    assert ophnet.count_segments("operation") == 17508
    assert sum(1 for v in ophnet if v.labels) == 1969
    assert len(ophnet) == 1969


def test_ophnet_multilabel_surgery(ophnet, real_dir):
    table = pd.read_csv(real_dir / "ophnet" / "OphNet2024_surgery.csv", dtype=str, encoding="utf-8-sig")
    row = table[table.video_id == "case_0814"].surgery.iloc[0]
    assert row == "1,13,14"
    assert ophnet.videos["case_0814"].labels == [1, 13, 14]
    assert ophnet.videos["case_0814"].primary_label == 1


def test_ophnet_operations_link_to_their_phase(ophnet):
    for video in ophnet:
        for seg in video.segments_at("operation"):
            parent = video.segments[seg.parent]
            assert parent.level == "phase"
            # the authors' phase runs end where their last row ends; an earlier, overlapping
            # operation of the run may end later, so only the start is contained
            assert parent.start <= seg.start <= parent.end


def test_ophnet_merged_phases_equal_published_phase_file(real_dir, tmp_path, ophnet):
    write_annotations(ophnet, tmp_path / "native", "ophnet", variant="challenge")
    for name in ["OphNet2024_loca_challenge.csv", "OphNet2024_loca_challenge_phase.csv"]:
        published = (real_dir / "ophnet" / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        assert (tmp_path / "native" / name).read_text(encoding="utf-8") == published, name
    phases = read_annotations(real_dir / "ophnet" / "OphNet2024_loca_challenge_phase.csv", "ophnet")
    assert phases.count_segments("phase") == 14674 and phases.count_segments("operation") == 0


def test_ophnet_round_trip_through_canonical(real_dir, tmp_path, ophnet):
    write_annotations(ophnet, tmp_path / "c.json", "canonical")
    again = read_annotations(tmp_path / "c.json", "canonical")
    assert again.videos == ophnet.videos and again.taxonomy == ophnet.taxonomy
    write_annotations(again, tmp_path / "native", "ophnet", variant="challenge")
    surgery = pd.read_csv(tmp_path / "native" / "OphNet2024_surgery.csv", dtype=str)
    published = pd.read_csv(real_dir / "ophnet" / "OphNet2024_surgery.csv", dtype=str, encoding="utf-8-sig")
    key = ["video_id"]
    assert surgery.sort_values(key).reset_index(drop=True).equals(published.sort_values(key).reset_index(drop=True))


def test_ophnet_variants_and_validation(real_dir, ophnet):
    report = validate(ophnet)
    assert report.ok
    assert report.counts()[("warning", "overlap")] > 0  # some operations overlap, as published
    everything = read_annotations(real_dir / "ophnet", "ophnet", variant="all")
    assert everything.count_segments("operation") == 17508
    assert everything.taxonomy.level("operation").num_classes > ophnet.taxonomy.level("operation").num_classes
    challenge = ophnet.taxonomy
    assert challenge.level("phase").num_classes == 52  # ids 0..51, 51 = "others"


def test_ophnet_metadata_table_fills_durations(real_dir, tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("video_id,duration,fps\ncase_0002,612.5,30\nnot_a_video,1,1\n")
    annotations = read_annotations(real_dir / "ophnet", "ophnet", metadata=meta)
    assert annotations.videos["case_0002"].duration == 612.5
    assert annotations.videos["case_0002"].fps == 30.0
    assert annotations.videos["case_0007"].duration is None
