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
    dataset = DATASETS.build(dict(type="UntrimmedVideoDataset", ann_file=str(ann), multi_label=True, pipeline=[]))
    assert dataset[0]["label"].tolist() == [1.0, 1.0] and dataset[1]["label"].tolist() == [1.0, 0.0]
    listing = tmp_path / "train.txt"
    listing.write_text("x/a.mp4 3\nx/b.mp4 1\n")
    dataset = DATASETS.build(dict(type="UntrimmedVideoDataset", ann_file=str(listing), ann_format="mmaction",
                                  pipeline=[], data_prefix=dict(video="/data")))
    assert [(d["filename"], d["label"]) for d in dataset] == [("/data/x/a.mp4", 3), ("/data/x/b.mp4", 1)]


def test_dataloader_skips_broken_videos_and_counts_them(tmp_path, caplog):
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
    loader = DataLoader(dataset, batch_size=2, num_workers=2, collate_fn=pseudo_collate,
                        sampler=torch.utils.data.SequentialSampler(dataset))
    seen = 0
    for batch in loader:
        seen += len(batch["inputs"])
        assert all(x.shape == (4, 3, 32, 32) for x in batch["inputs"])
    assert seen == 6  # every slot got a sample: broken ones were replaced
    skipped = dataset.skipped_videos()
    assert len(skipped) == 2
    assert skipped[0].endswith("v1.mp4") and skipped[1].endswith("v4.mp4")


def test_broken_video_in_test_mode_is_an_error(tmp_path):
    ann = canonical(tmp_path, [("gone", 0, [(0, 0.0, 1.0)])])
    dataset = DATASETS.build(dict(type="SegmentClipDataset", ann_file=str(ann), level="step", test_mode=True,
                                  data_prefix=dict(video=str(tmp_path)), pipeline=raw_pipeline(num_clips=2)))
    from videokit.video import BrokenVideoError

    with pytest.raises(BrokenVideoError, match="gone.mp4: missing file"):
        dataset[0]
