"""Run a feature-based task config (detection, workflow) on made features: one helper for both tests."""
from __future__ import annotations

from typing import Dict

from mmengine.config import Config
from mmengine.runner import Runner

from videokit.register import register_all_modules

from ..conftest import ROOT


def train_and_test(config: str, ann, folder, level: str, work_dir, epochs: int, test_split: str = "test",
                   **model) -> Dict[str, float]:
    """Point ``configs/<config>``'s loaders at ``ann`` + ``folder``, train ``epochs`` without validation,
    test; returns the test metrics."""
    register_all_modules()
    cfg = Config.fromfile(str(ROOT / "configs" / config))
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        cfg[loader].dataset.update(ann_file=str(ann), feature_dir=str(folder), level=level)
        cfg[loader].num_workers = 0
    cfg.test_dataloader.dataset.split = test_split
    cfg.model.update(model)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.max_epochs = epochs
    cfg.work_dir = str(work_dir)
    cfg.log_level = "WARNING"
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.test()
