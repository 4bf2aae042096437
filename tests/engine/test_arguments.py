"""tools/train.py and tools/test.py flags, applied to a config (mmaction2's conventions)."""
from __future__ import annotations

import pytest
import torch
from mmengine.config import Config

from videokit.engine import test as test_tool
from videokit.engine import train as train_tool

from ..conftest import ROOT

CONFIG = str(ROOT / "configs" / "nurvid" / "tsm_r50_1x1x8_trimmed-action.py")


def train_cfg(*argv):
    args = train_tool.parse_args([CONFIG, *argv])
    return train_tool.merge_args(Config.fromfile(CONFIG), args)


def test_defaults_and_overrides():
    cfg = train_cfg("--cfg-options", "train_dataloader.batch_size=3", "model.cls_head.num_classes=5")
    assert cfg.work_dir == "./work_dirs/tsm_r50_1x1x8_trimmed-action"
    assert cfg.train_dataloader.batch_size == 3 and cfg.model.cls_head.num_classes == 5
    assert cfg.launcher == "none" and not cfg.resume


def test_resume_flags():
    cfg = train_cfg("--resume")
    assert cfg.resume is True and cfg.load_from is None  # the latest checkpoint of the work dir
    cfg = train_cfg("--resume", "some/epoch_3.pth", "--work-dir", "wd")
    assert cfg.resume is True and cfg.load_from == "some/epoch_3.pth" and cfg.work_dir == "wd"


def test_no_validate_seed_and_launcher_without_gpu(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    cfg = train_cfg("--no-validate", "--seed", "7", "--launcher", "pytorch")
    assert cfg.val_dataloader is None and cfg.randomness.seed == 7
    if not torch.cuda.is_available():
        assert cfg.env_cfg.dist_cfg.backend == "gloo"
        assert cfg.model_wrapper_cfg.device_ids is None


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU message")
def test_amp_without_gpu_is_a_clear_error(capsys):
    with pytest.raises(SystemExit, match="--amp needs a GPU"):
        train_cfg("--amp")


def test_test_tool_dump_and_checkpoint():
    args = test_tool.parse_args([CONFIG, "w/epoch_1.pth", "--dump", "out.pkl"])
    cfg = test_tool.merge_args(Config.fromfile(CONFIG), args)
    assert cfg.load_from == "w/epoch_1.pth"
    assert cfg.test_evaluator[-1] == dict(type="DumpResults", out_file_path="out.pkl")
    with pytest.raises(SystemExit, match="must be a .pkl"):
        test_tool.merge_args(Config.fromfile(CONFIG), test_tool.parse_args([CONFIG, "c.pth", "--dump", "x.json"]))
