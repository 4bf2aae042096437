"""A class is its (level, id): every class keeps its identity through every format, on the real files.

NurViD's 177 actions repeat three names under two ids each ("Defibrillate" 64 / 75, ...). Formats that key
classes by name get names unique per level; each format goes out and back with the counts per class and
the times unchanged, no new validation finding, and the ground truth scored against itself gives mAP 1.0
with every class present.
"""
from __future__ import annotations

import collections
import json
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config

from videokit.annotations import read_annotations, trimmed_segments, validate, write_annotations
from videokit.annotations.formats.tables import read_taxonomy
from videokit.evaluation.detection import OPHNET_TIOU, detection_map
from videokit.evaluation.results import ground_truth_rows

ROOT = Path(__file__).resolve().parents[2]
LEVELS = {"nurvid": ("procedure", "action"), "ophnet": ("surgery", "phase", "operation")}


@pytest.fixture(scope="module")
def real_sets(real_dir):
    return {name: read_annotations(real_dir / name, name) for name in LEVELS}


def samples(annotations, level):
    """``{(video, class id): sorted [(start, end)]}`` of one level, as trimmed samples."""
    out = collections.defaultdict(list)
    for item in trimmed_segments(annotations, level):
        out[(item.video.video_id, item.label)].append((float(item.segment.start), float(item.segment.end)))
    return {key: sorted(value) for key, value in out.items()}


def finding_counts(annotations):
    """``{(video, check): count}`` of the validator's findings."""
    return collections.Counter((f.video, f.code) for f in validate(annotations).findings)


def test_class_names_are_unique_per_level_and_readable(real_sets):
    taxonomy = real_sets["nurvid"].taxonomy
    names = taxonomy.class_names("action")
    assert len(names) == 177 and len(set(names)) == 177
    assert names[64] == "Defibrillate (Defibrillation)"
    assert names[75] == "Defibrillate (Cardiopulmonary Resuscitation WIth Manual Resuscitation Bag)"
    # same English name under the same procedure (the Chinese names differ): the id tells them apart
    assert names[23] == "Remove isolation gown #23" and names[130] == "Remove isolation gown #130"
    assert names[3] == "Position the patient"  # a name that does not repeat is kept as it is
    assert taxonomy.level("action").classes[64].name == "Defibrillate"  # the people's name is kept
    ids = taxonomy.class_ids("action")
    assert ids[names[64]] == 64 and ids["Position the patient"] == 3 and "Defibrillate" not in ids
    for dataset, levels in LEVELS.items():
        for level in levels:
            keys = real_sets[dataset].taxonomy.class_names(level)
            assert len(set(keys)) == len(keys), (dataset, level)


@pytest.mark.parametrize("dataset,level", [(d, lvl) for d, levels in LEVELS.items() for lvl in levels])
def test_anet_round_trip_keeps_every_class(real_sets, dataset, level, tmp_path):
    source = real_sets[dataset]
    out = tmp_path / f"{level}.json"
    write_annotations(source, out, "anet", level=level)
    written = json.loads(out.read_text())
    labels = [a["label"] for v in written["database"].values() for a in v["annotations"]]
    assert len(set(labels)) == len({a["label_id"] for v in written["database"].values()
                                    for a in v["annotations"]})  # one name per id and one id per name
    back = read_annotations(out, "anet", level=level)
    assert samples(back, level) == samples(source, level)
    kept = back.taxonomy.level(level).num_classes
    assert back.taxonomy.class_names(level) == source.taxonomy.class_names(level)[:kept]
    for cid, info in back.taxonomy.level(level).classes.items():
        assert info.name == source.taxonomy.level(level).classes[cid].name  # the original name comes back
    new = finding_counts(back) - finding_counts(source)
    assert not new, f"findings the source does not have: {dict(new)}"
    # ground truth scored against itself: 1.0 at every tIoU, every class present in the source scored
    gt = ground_truth_rows(back, level)
    # predictions cleaned as drop_degenerate cleans the ground truth (no zero-length, no duplicate)
    unique = [row for row in dict.fromkeys(gt) if row[3] > row[2]]
    result = detection_map(gt, [row + (1.0,) for row in unique], OPHNET_TIOU, drop_degenerate=True)
    present = {item.label for item in trimmed_segments(source, level)}
    assert len(result.ap) == len(present)
    assert np.allclose(result.mAP, 1.0)
    # read again through canonical: lossless, ids and names as read
    write_annotations(back, tmp_path / "back.json", "canonical")
    again = read_annotations(tmp_path / "back.json", "canonical")
    assert again.taxonomy == back.taxonomy and samples(again, level) == samples(source, level)


@pytest.mark.parametrize("dataset,level", [(d, lvl) for d, levels in LEVELS.items() for lvl in levels])
def test_mmaction_segment_list_round_trip(real_sets, dataset, level, tmp_path):
    source = real_sets[dataset]
    write_annotations(source, tmp_path / "list.txt", "mmaction", style="segments", level=level)
    back = read_annotations(tmp_path / "list.txt", "mmaction", style="segments", level=level)
    # the list keys videos by file name and classes by id: the same samples, ids and times
    assert samples(back, level) == {key: value for key, value in samples(source, level).items()}


@pytest.mark.parametrize("dataset,level", [(d, lvl) for d, levels in LEVELS.items() for lvl in levels])
def test_frame_labels_keep_classes_to_the_frame(real_sets, dataset, level, tmp_path):
    source = real_sets[dataset]
    write_annotations(source, tmp_path / "frames.npz", "frames", level=level, fps=1.0)
    with np.load(tmp_path / "frames.npz") as data:
        meta = json.loads(str(data["__meta__"]))
        assert meta["classes"] == source.taxonomy.class_names(level)
        assert len(set(meta["classes"])) == len(meta["classes"])
        seen = collections.Counter()
        for video_id in list(data.keys())[:200]:
            if video_id == "__meta__":
                continue
            seen.update(int(x) for x in np.unique(data[video_id]) if x >= 0)
    # every class in a frame array is one the video has at that level (1-s resolution: short ones may vanish)
    classes_by_video = collections.defaultdict(set)
    for video, label in samples(source, level):
        classes_by_video[video].add(label)
    assert set(seen) <= set().union(*classes_by_video.values())


@pytest.mark.parametrize("dataset", list(LEVELS))
def test_native_and_canonical_round_trip_every_level(real_sets, dataset, tmp_path):
    source = real_sets[dataset]
    """The authors' layouts carry ids and times (NurViD's class names live in its xlsx, which is not
    rewritten); canonical carries everything."""
    options = {"variant": "challenge"} if dataset == "ophnet" else {}
    write_annotations(source, tmp_path / "native", dataset, **options)
    native = read_annotations(tmp_path / "native", dataset, **options)
    write_annotations(source, tmp_path / "canonical.json", "canonical")
    canonical = read_annotations(tmp_path / "canonical.json", "canonical")
    assert canonical.taxonomy == source.taxonomy
    for back in (native, canonical):
        for level in LEVELS[dataset]:
            assert samples(back, level) == samples(source, level), level
        assert not finding_counts(back) - finding_counts(source)


def test_evaluate_detection_cli_scores_177_actions(real_dir, tmp_path, capsys):
    """The issue's commands as a user runs them: convert NurViD to anet, score it against itself."""
    from videokit.cli import main

    gt = tmp_path / "nurvid_action.json"
    assert main(["convert", str(real_dir / "nurvid"), "--from", "nurvid", "--to", "anet", "-o", str(gt)]) == 0
    database = json.loads(gt.read_text())["database"]
    # the one zero-length step left out, as --drop-degenerate leaves it out of the ground truth
    results = {"results": {vid: [{"label": a["label"], "segment": a["segment"], "score": 1.0}
                                 for a in rec["annotations"] if a["segment"][1] > a["segment"][0]]
                           for vid, rec in database.items()}}
    pred = tmp_path / "results.json"
    pred.write_text(json.dumps(results))
    capsys.readouterr()
    assert main(["evaluate", "detection", str(gt), str(pred), "--json", "--drop-degenerate"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["per_class"]) == 177
    assert report["mAP"] == pytest.approx([1.0] * 5)
    assert main(["convert", str(gt), "--from", "anet", "--to", "canonical", "-o", str(tmp_path / "back.json")]) == 0


def test_committed_taxonomy_tables_carry_the_unique_names(real_sets):
    for dataset in LEVELS:
        table = read_taxonomy(ROOT / "annotations" / dataset / "taxonomy.csv")
        for level in LEVELS[dataset]:
            assert table.class_names(level) == real_sets[dataset].taxonomy.class_names(level)
            assert {c.id: c.name for c in table.level(level).classes.values()} == \
                {c.id: c.name for c in real_sets[dataset].taxonomy.level(level).classes.values()}


def test_stock_configs_size_heads_to_the_real_taxonomies(real_sets):
    """177 NurViD actions, 51 procedures; OphNet's challenge set: 52 phases, 107 operations."""
    expected = {("nurvid", "action"): real_sets["nurvid"].taxonomy.level("action").num_classes,
                ("nurvid", "procedure"): real_sets["nurvid"].taxonomy.level("procedure").num_classes,
                ("ophnet", "phase"): real_sets["ophnet"].taxonomy.level("phase").num_classes,
                ("ophnet", "operation"): real_sets["ophnet"].taxonomy.level("operation").num_classes}
    assert expected[("nurvid", "action")] == 177 and expected[("ophnet", "phase")] == 52
    assert expected[("ophnet", "operation")] == 107
    checked = 0
    for dataset in ("nurvid", "ophnet"):
        for path in sorted((ROOT / "configs" / dataset).glob("*.py")):
            cfg = Config.fromfile(str(path))
            head = cfg.model.get("cls_head") or cfg.model
            level = cfg.train_dataloader.dataset.get("level")
            if "num_classes" not in head or level is None or (dataset, level) not in expected:
                continue
            assert head["num_classes"] == expected[(dataset, level)], path.name
            checked += 1
    assert checked >= 10
