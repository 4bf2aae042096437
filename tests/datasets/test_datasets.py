"""videokit's DATASETS and TRANSFORMS in mmaction2 pipelines, and broken videos in a DataLoader."""
from __future__ import annotations

import json

import pytest
import torch
from mmaction.registry import DATASETS
from mmaction.utils import register_all_modules
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

import videokit.datasets  # noqa: F401  (registers)
import videokit.engine  # noqa: F401

from ..videos import frame_index, make_video

register_all_modules()


def canonical(tmp_path, videos):
    """A two-level canonical file: task > step, one entry per (video_id, [(step, start, end)...])."""
    data = {"format": "videokit.canonical", "version": 1,
            "taxonomy": {"dataset": "made", "levels": [
                {"name": "task", "classes": [{"id": 0, "name": "t0"}, {"id": 1, "name": "t1"}]},
                {"name": "step", "classes": [{"id": i, "name": f"s{i}", "parents": [i // 2]} for i in range(4)]}]},
            "videos": [{"id": vid, "path": f"{vid}.mp4", "split": "train", "labels": [label],
                        "segments": [{"level": "step", "label": s, "start": a, "end": b} for s, a, b in segs]}
                       for vid, label, segs in videos]}
    path = tmp_path / "ann.json"
    path.write_text(json.dumps(data))
    return path


def raw_pipeline(**sampler):
    return [dict(type="VideoInit"), dict(type="SampleTimeRangeFrames", **sampler), dict(type="VideoDecode")]


def test_segment_dataset_reads_the_time_range(tmp_path):
    make_video(tmp_path / "a.mp4", num_frames=100, fps=25, gop=20)
    ann = canonical(tmp_path, [("a", 1, [(2, 0.0, 1.0), (3, 2.0, 3.96)])])
    dataset = DATASETS.build(dict(type="SegmentClipDataset", ann_file=str(ann), level="step", with_levels=True,
                                  data_prefix=dict(video=str(tmp_path)), test_mode=True,
                                  pipeline=raw_pipeline(num_clips=4, test_mode=True)))
    assert len(dataset) == 2 and dataset.metainfo["classes"] == ("s0", "s1", "s2", "s3")
    sample = dataset[1]
    assert sample["label"] == 3 and sample["level_labels"] == [1, 3]
    # frames 50..99 (2.0 s .. 3.96 s at 25 fps), 4 TSN segments, centres
    assert sample["frame_inds"].tolist() == [56, 68, 81, 93]
    assert [frame_index(f) for f in sample["imgs"]] == [56, 68, 81, 93]


def test_stock_mmaction_transforms_follow(tmp_path):
    make_video(tmp_path / "a.mp4", num_frames=100, fps=25, gop=20)
    ann = canonical(tmp_path, [("a", 0, [(0, 0.0, 4.0)])])
    tail = [dict(type="Resize", scale=(-1, 64)), dict(type="CenterCrop", crop_size=64)]
    tsn = raw_pipeline(num_clips=8) + tail + [dict(type="FormatShape", input_format="NCHW"),
                                              dict(type="PackActionInputs")]
    dense = raw_pipeline(mode="dense", clip_len=8, frame_interval=2, num_clips=1) + tail + [
        dict(type="FormatShape", input_format="NCTHW"), dict(type="PackActionInputs")]
    for pipeline, shape in ((tsn, (8, 3, 64, 64)), (dense, (1, 3, 8, 64, 64))):
        dataset = DATASETS.build(dict(type="SegmentClipDataset", ann_file=str(ann), level="step",
                                      data_prefix=dict(video=str(tmp_path)), pipeline=pipeline))
        packed = dataset[0]
        assert tuple(packed["inputs"].shape) == shape
        assert packed["data_samples"].gt_label.tolist() == [0]


def test_untrimmed_dataset_multi_label_and_lists(tmp_path):
    ann = canonical(tmp_path, [("a", 1, []), ("b", 0, [])])
    data = json.loads(ann.read_text())
    data["videos"][0]["labels"] = [1, 0]
    ann.write_text(json.dumps(data))
    for name in ("a.mp4", "b.mp4", "x/a.mp4", "x/b.mp4"):  # present (labels are what is tested here)
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).touch()
    dataset = DATASETS.build(dict(type="UntrimmedVideoDataset", ann_file=str(ann), multi_label=True, pipeline=[],
                                  data_prefix=dict(video=str(tmp_path))))
    assert dataset[0]["label"].tolist() == [1.0, 1.0] and dataset[1]["label"].tolist() == [1.0, 0.0]
    listing = tmp_path / "train.txt"
    listing.write_text("x/a.mp4 3\nx/b.mp4 1\n")
    dataset = DATASETS.build(dict(type="UntrimmedVideoDataset", ann_file=str(listing), ann_format="mmaction",
                                  pipeline=[], data_prefix=dict(video=str(tmp_path))))
    assert [(d["filename"], d["label"]) for d in dataset] == [(str(tmp_path / "x/a.mp4"), 3),
                                                              (str(tmp_path / "x/b.mp4"), 1)]


def test_dataloader_skips_broken_videos_and_counts_them(tmp_path, caplog):
    """v4 is absent: left out when the dataset is built (one log line); v1 is truncated: skipped and
    counted at run time, its slot served by another sample."""
    videos = []
    for i in range(6):
        make_video(tmp_path / f"v{i}.mp4", num_frames=40, fps=20, gop=10)
        videos.append((f"v{i}", 0, [(i % 4, 0.0, 1.9)]))
    data = (tmp_path / "v1.mp4").read_bytes()
    (tmp_path / "v1.mp4").write_bytes(data[: len(data) // 3])  # truncated
    (tmp_path / "v4.mp4").unlink()  # missing
    ann = canonical(tmp_path, videos)
    pipeline = raw_pipeline(num_clips=4) + [dict(type="Resize", scale=(32, 32), keep_ratio=False),
                                            dict(type="FormatShape", input_format="NCHW"),
                                            dict(type="PackActionInputs")]
    dataset = DATASETS.build(dict(type="SegmentClipDataset", ann_file=str(ann), level="step",
                                  data_prefix=dict(video=str(tmp_path)), pipeline=pipeline))
    assert len(dataset) == 5 and "v4" not in [dataset.get_data_info(i)["video_id"] for i in range(len(dataset))]
    loader = DataLoader(dataset, batch_size=2, num_workers=2, collate_fn=pseudo_collate,
                        sampler=torch.utils.data.SequentialSampler(dataset))
    seen = 0
    for batch in loader:
        seen += len(batch["inputs"])
        assert all(x.shape == (4, 3, 32, 32) for x in batch["inputs"])
    assert seen == 5  # every slot got a sample: the broken one was replaced
    skipped = dataset.skipped_videos()
    assert len(skipped) == 1 and skipped[0].endswith("v1.mp4")


def test_broken_video_in_test_mode_is_an_error(tmp_path):
    (tmp_path / "bad.mp4").write_bytes(b"not a video")
    ann = canonical(tmp_path, [("bad", 0, [(0, 0.0, 1.0)])])
    dataset = DATASETS.build(dict(type="SegmentClipDataset", ann_file=str(ann), level="step", test_mode=True,
                                  data_prefix=dict(video=str(tmp_path)), pipeline=raw_pipeline(num_clips=2)))
    from videokit.video import BrokenVideoError

    with pytest.raises(BrokenVideoError, match="bad.mp4"):
        dataset[0]


def test_absent_videos_are_left_out_when_built_with_one_line(tmp_path, capsys):
    """Two of five videos present: the epoch is sized by the present samples, one warning line says how
    many are absent and where the list is, the list names exactly the absent files."""
    from mmengine.logging import MMLogger

    from videokit.datasets.presence import MissingFilesError

    videos = [(f"v{i}", 0, [(0, 0.0, 1.0), (1, 1.0, 2.0)]) for i in range(5)]
    for i in (1, 3):
        (tmp_path / f"v{i}.mp4").touch()
    ann = canonical(tmp_path, videos)
    (tmp_path / "run").mkdir()
    MMLogger.get_instance("presence_test", log_file=str(tmp_path / "run" / "run.log"))
    cfg = dict(type="SegmentClipDataset", ann_file=str(ann), level="step", data_prefix=dict(video=str(tmp_path)),
               pipeline=[])
    capsys.readouterr()
    dataset = DATASETS.build(cfg)
    assert len(dataset) == 4 and {dataset.get_data_info(i)["video_id"] for i in range(len(dataset))} == {"v1", "v3"}
    out = capsys.readouterr()
    lines = [line for line in (out.out + out.err).splitlines() if "absent" in line]
    assert len(lines) == 1
    assert "3 of 5 videos absent (6 of 10 samples left out)" in lines[0]
    listing = tmp_path / "run" / "missing_videos_all.txt"
    assert str(listing) in lines[0]
    assert listing.read_text().split() == [str(tmp_path / f"v{i}.mp4") for i in (0, 2, 4)]
    with pytest.raises(MissingFilesError, match=r"3 of 5 videos absent: v0.mp4, v2.mp4, v4.mp4"):
        DATASETS.build(dict(cfg, missing="error"))
    for i in (1, 3):
        (tmp_path / f"v{i}.mp4").unlink()
    with pytest.raises(MissingFilesError, match="none of its 5 videos is present"):
        DATASETS.build(cfg)
