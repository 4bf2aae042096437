"""mmengine checkpoints under torch's weights_only loading: save -> load -> resume, and refusal."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

from videokit.models import CheckpointRefused
from videokit.models.checkpoint import load_local_checkpoint


class TinyModel(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, x, mode="loss"):
        out = self.linear(torch.stack(x) if isinstance(x, list) else x)
        return {"loss": out.pow(2).mean()} if mode == "loss" else [out]


class TinyData(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, index):
        return {"x": torch.full((2,), float(index))}


def make_runner(work_dir, max_epochs, **kwargs):
    torch.manual_seed(0)  # the same initial weights for every runner
    return Runner(model=TinyModel(), work_dir=str(work_dir),
                  train_dataloader=dict(dataset=TinyData(), sampler=dict(type="DefaultSampler", shuffle=False),
                                        batch_size=2, collate_fn=dict(type="default_collate")),
                  optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.01, momentum=0.9)),
                  param_scheduler=[dict(type="MultiStepLR", milestones=[1], by_epoch=True)],
                  train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
                  default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=1)),
                  randomness=dict(seed=0), **kwargs)


def test_checkpoint_needs_the_allow_list(tmp_path):
    make_runner(tmp_path / "a", 1).train()
    path = tmp_path / "a" / "epoch_1.pth"
    # what mmengine alone does under torch >= 2.6 (a fresh interpreter, without videokit's allow-list)
    plain = subprocess.run([sys.executable, "-c", f"import torch; torch.load({str(path)!r}, map_location='cpu')"],
                           capture_output=True, text=True)
    assert plain.returncode != 0 and "HistoryBuffer" in plain.stderr
    checkpoint = load_local_checkpoint(str(path), "cpu")
    assert checkpoint["meta"]["epoch"] == 1
    assert "log_scalars" in checkpoint["message_hub"]


def test_save_load_resume_reaches_the_same_weights(tmp_path):
    straight = make_runner(tmp_path / "straight", 3)
    straight.train()
    first = make_runner(tmp_path / "resumed", 2)
    first.train()
    second = make_runner(tmp_path / "resumed", 3, resume=True)
    second.train()
    assert second.epoch == 3
    for a, b in zip(straight.model.parameters(), second.model.parameters()):
        assert torch.allclose(a, b, atol=1e-6)
    loaded = make_runner(tmp_path / "loaded", 3, load_from=str(tmp_path / "resumed" / "epoch_3.pth"))
    loaded.load_or_resume()
    for a, b in zip(loaded.model.parameters(), second.model.parameters()):
        assert torch.equal(a, b)


def test_foreign_objects_are_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "odd.pth"
    torch.save({"state_dict": {}, "meta": {"where": pathlib.PosixPath("/tmp")}}, path)
    with pytest.raises(CheckpointRefused, match=r"odd.pth: refused: .*pathlib.PosixPath"):
        load_local_checkpoint(str(path), "cpu")
