"""NurViD's split lists, checked against its JSON: wrong labels, a video in two splits, unknown clips."""
from __future__ import annotations

import json

from videokit.annotations import read_annotations, validate


def make_folder(root, task1, task2=None):
    records = {"a": {"operationID": 1, "annotations": [{"actionID": 1, "segment": [0, 5]},
                                                       {"actionID": 2, "segment": [5, 9]}],
                     "duration": 10, "resolution": "640x360", "fps": 25, "subset": None, "url": "u"},
               "b": {"operationID": 2, "annotations": [{"actionID": 3, "segment": [1, 4]}],
                     "duration": 6, "resolution": "640x360", "fps": 30, "subset": None, "url": "u"}}
    (root / "NurViD_annotations.json").write_text(json.dumps(records))
    (root / "task1_3").mkdir()
    for split, lines in task1.items():
        (root / "task1_3" / f"{split}.csv").write_text("path-label\r\n" + "\r\n".join(lines) + "\r\n")
    if task2:
        (root / "task2").mkdir()
        for name, lines in task2.items():
            (root / "task2" / f"{name}.csv").write_text("path-lable\n" + "\n".join(lines) + "\n")
    return root


def test_clean_folder(tmp_path):
    folder = make_folder(tmp_path, {"train": ["/video_path/a.mp4 1"], "test": ["/video_path/b.mp4 2"]},
                         {"action_train": ["/segment_path/a_1.mp4 0", "/segment_path/a_2.mp4 1"],
                          "action_test": ["/segment_path/b_1.mp4 2"]})
    annotations = read_annotations(folder, "nurvid")
    assert [v.split for v in annotations] == ["train", "test"]
    assert annotations.videos["a"].segments[1].splits == {"action": "train"}
    assert validate(annotations).ok
    # without the workbook, class names are the ids
    assert annotations.taxonomy.level("action").classes[2].name == "2"


def test_video_in_two_splits_and_wrong_label(tmp_path):
    folder = make_folder(tmp_path, {"train": ["/video_path/a.mp4 1", "/video_path/b.mp4 1"],
                                    "val": ["/video_path/a.mp4 1"]})
    report = validate(read_annotations(folder, "nurvid"))
    messages = [str(f) for f in report.errors]
    assert any("train.csv:line 3: label: disagrees with the JSON's operationID 2 (1)" in m for m in messages)
    assert any("val.csv:line 2: path: video also in split 'train'" in m for m in messages)


def test_unknown_clip_and_label_mismatch_in_task2(tmp_path):
    folder = make_folder(tmp_path, {"train": ["/video_path/a.mp4 1"]},
                         {"action_train": ["/segment_path/a_3.mp4 0", "/segment_path/a_1.mp4 4",
                                           "/segment_path/zz_1.mp4 0"]})
    errors = [str(f) for f in validate(read_annotations(folder, "nurvid")).errors]
    assert len(errors) == 3
    assert "line 2: path: segment 3 out of range (video has 2)" in errors[0]
    assert "line 3: label: disagrees with the JSON (action 0) (4)" in errors[1]
    assert "line 4: path: video not in the JSON" in errors[2]
