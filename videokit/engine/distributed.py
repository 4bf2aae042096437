"""Multi-process training and testing without GPUs (torchrun + gloo)."""
from __future__ import annotations

import os

import torch.distributed as dist
from mmengine.config import Config


def cpu_process_group(cfg: Config) -> None:
    """Join torchrun's process group over gloo before mmengine's Runner would, and wrap the model in
    DDP without CUDA device ids: mmengine's ``init_dist('pytorch')`` calls ``torch.cuda.set_device`` and
    its default wrapper passes ``device_ids=[LOCAL_RANK]``, both of which fail without GPUs."""
    cfg.setdefault("env_cfg", {}).setdefault("dist_cfg", {})["backend"] = "gloo"
    if cfg.get("model_wrapper_cfg") is None:
        cfg.model_wrapper_cfg = dict(type="MMDistributedDataParallel", device_ids=None, broadcast_buffers=False,
                                     find_unused_parameters=cfg.get("find_unused_parameters", False))
    if "RANK" in os.environ and not dist.is_initialized():
        dist.init_process_group(backend="gloo")
