"""The documented switch for training curves in TensorBoard (VIDEOKIT_TENSORBOARD=1)."""
from __future__ import annotations

import pytest
from mmengine.config import Config

from ..conftest import ROOT

CONFIG = ROOT / "configs" / "nurvid" / "tsm_r50_1x1x8_trimmed-action.py"


def test_local_backend_only_by_default(monkeypatch):
    monkeypatch.delenv("VIDEOKIT_TENSORBOARD", raising=False)
    cfg = Config.fromfile(str(CONFIG))
    assert [b["type"] for b in cfg.visualizer.vis_backends] == ["LocalVisBackend"]


def test_switch_adds_tensorboard_and_writes_event_files(monkeypatch, tmp_path):
    pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed (pip install -e .[tensorboard])")
    from mmaction.registry import VISUALIZERS

    from videokit.register import register_all_modules

    register_all_modules()
    monkeypatch.setenv("VIDEOKIT_TENSORBOARD", "1")
    cfg = Config.fromfile(str(CONFIG))
    assert [b["type"] for b in cfg.visualizer.vis_backends] == ["LocalVisBackend", "TensorboardVisBackend"]
    visualizer = VISUALIZERS.build(dict(cfg.visualizer, name="tensorboard_switch_test", save_dir=str(tmp_path)))
    visualizer.add_scalars({"loss": 1.5, "acc/top1": 0.25}, step=1)
    visualizer.close()
    assert list(tmp_path.rglob("events.out.tfevents.*"))
    assert (tmp_path / "vis_data" / "scalars.json").exists() or list(tmp_path.rglob("scalars.json"))
