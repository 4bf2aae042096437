"""The temporal action detector: target assignment, losses, NMS, and one train + test run through the
demo's detection config on features of made videos."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from videokit.models.detection import (
    TemporalActionDetector,
    default_regression_ranges,
    diou_loss_1d,
    level_of_extent,
    soft_nms,
)
from videokit.register import register_all_modules

from ..conftest import REAL, ROOT
from .feature_configs import train_and_test


def test_targets_pick_the_shortest_containing_segment_in_range():
    model = TemporalActionDetector(in_channels=4, num_classes=3, embed_dims=8, num_levels=2,
                                   regression_ranges=[(0, 4), (4, 100)], center_radius=10)
    segments = torch.tensor([[2.0, 6.0], [0.0, 30.0]])
    labels = torch.tensor([1, 2])
    cls, reg = model.head.targets(segments, labels, 16, 1, (0, 4))
    assert cls[3].item() == 1 and reg[3].tolist() == pytest.approx([3 - 2, 6 - 3])  # point 3 (stride 1)
    assert cls[10].item() == -1  # inside the long segment only, whose extent exceeds this level's range
    cls, reg = model.head.targets(segments, labels, 8, 2, (4, 100))
    assert cls[7].item() == 2  # point 14.5 on level 2: the long segment, extent fits
    assert reg[7].tolist() == pytest.approx([14.5 / 2, 15.5 / 2])


@pytest.mark.parametrize("num_levels", range(1, 9))
def test_default_regression_ranges_tile_without_gap_or_overlap(num_levels):
    ranges = default_regression_ranges(num_levels)
    assert len(ranges) == num_levels and ranges[0][0] == 0 and ranges[-1][1] == float("inf")
    for (lo, hi), (next_lo, _) in zip(ranges, ranges[1:]):
        assert lo < hi == next_lo  # each level ends where the next begins
    for i, (lo, hi) in enumerate(ranges[1:-1], start=1):
        assert (lo, hi) == (2.0 ** (i + 1), 2.0 ** (i + 2))  # level i (stride 2**i): [4 * 2**(i-1), 4 * 2**i)
    extents = torch.tensor([0.0, 0.5, 3.999, 4.0, 7.9, 8.0, 31.0, 32.0, 63.9, 64.0, 1e6])
    assert (level_of_extent(extents, ranges) >= 0).all()  # every extent has a level
    if num_levels == 6:  # ActionFormer's ranges: no extent twice, none without a level (32-64 included)
        assert ranges == [(0, 4), (4, 8), (8, 16), (16, 32), (32, 64), (64, float("inf"))]
        assert level_of_extent(torch.tensor([40.0]), ranges).item() == 4


def test_detector_refuses_ranges_that_do_not_match_its_levels():
    with pytest.raises(ValueError, match="regression_ranges"):
        TemporalActionDetector(in_channels=4, num_classes=2, embed_dims=8, num_levels=3, regression_ranges=[(0, 4)])


@pytest.mark.parametrize("source,fmt,level,step_sec", [
    ("nurvid", "nurvid", "action", 8 / 30),  # the configs' features: 8-frame stride at 30 fps
    ("ophnet", "ophnet", "phase", 1.0),  # OphNet's localization benchmark: 1 snippet per second
    ("ophnet", "ophnet", "operation", 8 / 25)])
def test_every_real_segment_extent_is_assigned_to_exactly_one_level(source, fmt, level, step_sec):
    """Each real ground-truth segment, in feature steps, at every point that sees it (extents from half
    its length to its whole length), falls in exactly one level of the stock 6-level detector."""
    from videokit.annotations import read_annotations

    if not REAL.is_dir():
        pytest.skip(f"real annotations not found at {REAL}")
    annotations = read_annotations(REAL / source, fmt)
    lengths = torch.tensor([(s.end - s.start) / step_sec for v in annotations for s in v.segments
                            if s.level == level], dtype=torch.float64)
    assert len(lengths) > 1000
    ranges = default_regression_ranges(6)
    for extent in (lengths, lengths / 2, lengths * 0.75):
        hits = torch.stack([(extent >= lo) & (extent < hi) for lo, hi in ranges]).sum(0)
        assert (hits == 1).all()
    # every level of the pyramid gets real segments (no dead level on real data); a gap at 32-64 steps would
    # lose 1,351 NurViD actions, 1,615 OphNet phases and 4,454 operations
    counts = torch.bincount(level_of_extent(lengths, ranges), minlength=6)
    assert (counts > 0).all()


def test_losses_and_soft_nms():
    assert diou_loss_1d(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 2.0]])).item() == pytest.approx(0.0)
    assert diou_loss_1d(torch.tensor([[1.0, 1.0]]), torch.tensor([[0.0, 2.0]])).item() > 0
    segs = torch.tensor([[0.0, 10.0], [1.0, 10.0], [20.0, 30.0]])
    kept, scores, _ = soft_nms(segs, torch.tensor([0.9, 0.8, 0.7]), torch.zeros(3, dtype=torch.long), sigma=0.5,
                               max_num=10, min_score=0.001)
    assert kept[0].tolist() == [0.0, 10.0] and scores[1] == pytest.approx(0.7)  # the disjoint one is not decayed
    assert scores[2] < 0.8 * 0.2  # the overlapping one is decayed by exp(-0.81 / 0.5)


@pytest.fixture()
def feature_set(tmp_path):
    """Features whose channel 0 lights up inside each step: a detector can learn the boundaries."""
    rng = np.random.default_rng(0)
    videos = []
    for v in range(6):
        length = 60
        feats = rng.normal(0, 0.1, (length, 16)).astype(np.float32)
        start = int(rng.integers(5, 30))
        end = start + int(rng.integers(8, 20))
        label = v % 2
        feats[start:end, label] += 3.0
        np.save(tmp_path / f"v{v}.npy", feats)
        times = [0.5 * i for i in range(length)]
        (tmp_path / f"v{v}.json").write_text(json.dumps({"times": times}))
        videos.append({"id": f"v{v}", "split": "train" if v < 4 else "test", "labels": [0],
                       "segments": [{"level": "step", "label": label, "start": times[start], "end": times[end - 1]}]})
    ann = tmp_path / "ann.json"
    ann.write_text(json.dumps({"format": "videokit.canonical", "version": 1, "taxonomy": {"dataset": "t", "levels": [
        {"name": "task", "classes": [{"id": 0, "name": "t"}]},
        {"name": "step", "classes": [{"id": 0, "name": "a", "parents": [0]}, {"id": 1, "name": "b", "parents": [0]}]}]},
        "videos": videos}))
    return tmp_path, ann


def test_demo_detection_config_trains_and_tests(feature_set, tmp_path):
    register_all_modules()
    folder, ann = feature_set
    cfg = Config.fromfile(str(ROOT / "configs" / "demo" / "conv_r18_step-detection.py"))
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        cfg[loader].dataset.update(ann_file=str(ann), feature_dir=str(folder), level="step")
    cfg.test_dataloader.dataset.split = "test"
    cfg.model.update(in_channels=16, num_classes=2, embed_dims=32)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.max_epochs = 30
    cfg.param_scheduler[0].T_max = 30
    cfg.test_evaluator.results_file = str(tmp_path / "results.json")
    cfg.work_dir = str(tmp_path / "work")
    cfg.log_level = "WARNING"
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert metrics["detection/mAP@0.30"] > 0.5  # learnt: far above what random segments reach
    results = json.loads((tmp_path / "results.json").read_text())["results"]
    assert set(results) == {"v4", "v5"} and results["v4"][0]["label"] in ("a", "b")


DETECTION_CONFIGS = sorted(str(p.relative_to(ROOT / "configs")) for p in (ROOT / "configs").glob("*/*.py")
                           if p.name.split("_")[0] in ("conv", "actionformer", "tridet") and p.parent.name != "demo")


def test_every_method_has_a_config_per_task():
    assert len(DETECTION_CONFIGS) == 10  # 3 methods x 3 tasks, and TriDet on VideoMAEv2 features
    for method in ("conv", "actionformer", "tridet"):
        for task in ("ophnet/{}_r50_phase-localization.py", "ophnet/{}_r50_operation-localization.py",
                     "nurvid/{}_r50_action-detection.py"):
            assert task.format(method) in DETECTION_CONFIGS


@pytest.mark.parametrize("name", DETECTION_CONFIGS)
def test_paper_detection_configs_build(name, feature_set, tmp_path):
    """Each task config parses, builds its model and runs one train and one test iteration."""
    folder, ann = feature_set
    cfg = Config.fromfile(str(ROOT / "configs" / name))
    assert cfg.train_dataloader.dataset.ann_file.startswith("annotations/")
    if "feature_spec" in cfg.train_dataloader.dataset:  # features made elsewhere: the .npy alone is read
        for sidecar in folder.glob("v*.json"):
            sidecar.unlink()
    metrics = train_and_test(name, ann, folder, "step", tmp_path / "work", 1, in_channels=16, num_classes=2,
                             embed_dims=32)
    assert "detection/average_mAP" in metrics and metrics["detection/num_videos"] == 2


@pytest.mark.slow
def test_bmn_baseline_config_on_videokit_features(tmp_path):
    """mmaction2's BMN trains and tests one iteration on videokit's 100-snippet features."""
    register_all_modules()
    rng = np.random.default_rng(1)
    videos = []
    for v in range(2):
        np.save(tmp_path / f"v{v}.npy", rng.normal(0, 1, (100, 16)).astype(np.float32))
        (tmp_path / f"v{v}.json").write_text(json.dumps({"num_frames": 500, "fps": 25.0, "times": list(range(100))}))
        for split in ("train", "test"):
            videos.append({"id": f"v{v}", "split": split, "labels": [0],
                           "segments": [{"level": "step", "label": 0, "start": 2.0 + v, "end": 9.0}]})
    ann = tmp_path / "ann.json"
    ann.write_text(json.dumps({"format": "videokit.canonical", "version": 1, "taxonomy": {"dataset": "t", "levels": [
        {"name": "task", "classes": [{"id": 0, "name": "t"}]},
        {"name": "step", "classes": [{"id": 0, "name": "a", "parents": [0]}]}]},
        "videos": [videos[0], videos[2]] + [dict(videos[1], id="w0"), dict(videos[3], id="w1")]}))
    for v in range(2):
        for ext in ("npy", "json"):
            (tmp_path / f"w{v}.{ext}").write_bytes((tmp_path / f"v{v}.{ext}").read_bytes())
    cfg = Config.fromfile(str(ROOT / "configs" / "nurvid" / "bmn_features_100_action-proposals.py"))
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        cfg[loader].dataset.update(ann_file=str(ann), feature_dir=str(tmp_path), level="step")
        cfg[loader].num_workers = 0
    cfg.train_dataloader.batch_size = 2
    cfg.model.feat_dim = 16
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_evaluator.dump_config = dict(out=str(tmp_path / "proposals.json"), output_format="json")
    cfg.train_cfg.max_epochs = 1
    cfg.work_dir = str(tmp_path / "work")
    cfg.log_level = "WARNING"
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert any(key.startswith("auc") or key.startswith("AR@") for key in metrics), metrics
