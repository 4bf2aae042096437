"""Every task config builds its model and runs one train and one test iteration on tiny made videos.

Random init; input sizes and clip lengths are shrunk (64 px, 8 frames) so that all of them fit on a
CPU; everything else — model, head, loss, dataset type, metrics — is the config's own.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from videokit.annotations import read_annotations, write_annotations
from videokit.register import register_all_modules

from ..conftest import ROOT
from ..videos import make_video

CONFIGS = sorted(p.relative_to(ROOT / "configs") for p in (ROOT / "configs").glob("[!_]*/*.py")
                 if not p.name.startswith(("conv_", "actionformer_", "tridet_", "bmn_", "causal_tcn_")))
# detection configs: tests/models/test_detector.py; workflow configs: tests/models/test_workflow_model.py
HEAVY = ("slowfast", "i3d", "swin", "videomae")


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """Two datasets shaped like NurViD (procedure > action) and OphNet (surgery > phase > operation)."""
    root = tmp_path_factory.mktemp("tiny")
    for i in range(2):
        make_video(root / f"v{i}.mp4", num_frames=50, fps=10, gop=10, width=80, height=64)
    nurvid = {"format": "videokit.canonical", "version": 1, "taxonomy": {"dataset": "nurvid", "levels": [
        {"name": "procedure", "classes": [{"id": 0, "name": "p0"}, {"id": 1, "name": "p1"}]},
        {"name": "action", "classes": [{"id": i, "name": f"a{i}", "parents": [i % 2], "group": "Many"}
                                       for i in range(4)]}]}, "videos": []}
    ophnet = {"format": "videokit.canonical", "version": 1, "taxonomy": {"dataset": "ophnet", "levels": [
        {"name": "surgery", "classes": [{"id": 0, "name": "s0"}, {"id": 1, "name": "s1"}]},
        {"name": "phase", "classes": [{"id": i, "name": f"ph{i}", "parents": [i % 2]} for i in range(3)]},
        {"name": "operation", "classes": [{"id": i, "name": f"op{i}", "parents": [i % 3]} for i in range(4)]}]},
        "videos": []}
    for i in range(2):
        for split in ("train", "val", "test"):
            nurvid["videos"].append({"id": f"{split}{i}", "path": f"v{i}.mp4", "split": split, "labels": [i],
                                     "segments": [{"level": "action", "label": i, "start": 0.5, "end": 4.5}]})
            ophnet["videos"].append({"id": f"{split}{i}", "path": f"v{i}.mp4", "split": split, "labels": [i, 1 - i],
                                     "segments": [{"level": "phase", "label": i, "start": 0.0, "end": 4.8},
                                                  {"level": "operation", "label": i, "start": 0.5, "end": 4.5,
                                                   "parent": 0}]})
    files = {}
    for name, data in (("nurvid", nurvid), ("ophnet", ophnet)):
        path = root / f"{name}.json"
        path.write_text(json.dumps(data))
        write_annotations(read_annotations(path, "canonical"), root / f"{name}_taxonomy.csv", "taxonomy")
        files[name] = path
    return root, files


def shrink(pipeline):
    out = []
    for step in copy.deepcopy(pipeline):
        kind = step["type"]
        if kind == "SampleTimeRangeFrames" and step.get("mode") == "dense":
            step.update(clip_len=8, frame_interval=1)
        if kind == "Resize":
            step.update(scale=(64, 64), keep_ratio=False)
        if kind in ("CenterCrop", "RandomResizedCrop"):
            continue
        out.append(step)
    return out


def tiny_config(config_path: Path, root: Path, files, work_dir: Path) -> Config:
    cfg = Config.fromfile(str(ROOT / "configs" / config_path))
    dataset_name = "nurvid" if config_path.parts[0] == "demo" else config_path.parts[0]
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        cfg[loader].update(batch_size=2, num_workers=0, persistent_workers=False)
        dataset = cfg[loader].dataset
        dataset.update(ann_file=str(files[dataset_name]), data_prefix=dict(video=str(root)),
                       pipeline=shrink(dataset.pipeline))
    head = cfg.model.cls_head
    if head.type == "MultiLevelHead":
        head.taxonomy_file = str(root / f"{dataset_name}_taxonomy.csv")
    elif head.get("multi_class"):
        head.num_classes = 2
    else:
        head.num_classes = 4 if cfg.train_dataloader.dataset.get("level") in ("action", "operation") else \
            (3 if cfg.train_dataloader.dataset.get("level") == "phase" else 2)
    backbone = cfg.model.backbone
    if backbone.type == "VisionTransformer":
        backbone.update(img_size=64, num_frames=8)
    if backbone.type in ("ResNetTSM",):
        backbone.num_segments = head.get("num_segments", backbone.num_segments)
    cfg.work_dir = str(work_dir)
    cfg.load_from = None  # random initial weights (the named Kinetics-400 ones: tests/engine/test_weights.py)
    cfg.train_cfg = dict(type="EpochBasedTrainLoop", max_epochs=1, val_interval=10)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type="CheckpointHook", interval=1, save_best=None)
    cfg.default_hooks.logger = dict(type="LoggerHook", interval=1)
    cfg.env_cfg.dist_cfg = dict(backend="gloo")
    cfg.log_level = "WARNING"
    return cfg


@pytest.mark.parametrize("config_path", [pytest.param(c, marks=pytest.mark.slow) if any(h in str(c) for h in HEAVY)
                                         else c for c in CONFIGS], ids=str)
def test_config_trains_and_tests_one_iteration(config_path, tiny_data, tmp_path):
    register_all_modules()
    root, files = tiny_data
    cfg = tiny_config(config_path, root, files, tmp_path)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1  # two samples, batch of two: one iteration
    metrics = runner.test()
    assert metrics, "the test loop reported no metric"
    key = "multilabel/mAP" if cfg.model.cls_head.get("multi_class") else "acc/top1"
    assert key in metrics and 0.0 <= metrics[key] <= 1.0


def test_every_task_of_both_papers_has_a_config():
    names = {str(c) for c in CONFIGS}
    for expected in ["nurvid/tsn_r50_1x1x8_untrimmed-procedure.py", "nurvid/tsm_r50_1x1x8_untrimmed-procedure.py",
                     "nurvid/tsm_r50_1x1x8_trimmed-procedure.py", "nurvid/tsm_r50_1x1x8_trimmed-action.py",
                     "nurvid/slowfast_r50_32x2x1_trimmed-action.py", "nurvid/x3d_s_13x6x1_trimmed-action.py",
                     "nurvid/swin_t_32x2x1_trimmed-action.py", "nurvid/videomae_b_16x4x1_trimmed-action.py",
                     "ophnet/tsm_r50_1x1x8_trimmed-phase.py", "ophnet/tsm_r50_1x1x8_trimmed-operation.py",
                     "ophnet/tsm_r50_1x1x8_untrimmed-surgery.py"]:
        assert expected in names


def test_configs_point_to_committed_annotations():
    for config_path in CONFIGS:
        if config_path.parts[0] == "demo":
            continue
        cfg = Config.fromfile(str(ROOT / "configs" / config_path))
        ann_file = ROOT / cfg.train_dataloader.dataset.ann_file
        assert ann_file.exists(), (config_path, ann_file)
        assert cfg.model.backbone.get("pretrained") in (None, False)  # nothing downloads
