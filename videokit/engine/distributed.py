"""Multi-process training and testing without GPUs (torchrun + gloo)."""
from __future__ import annotations

import os
from typing import Tuple

import torch.distributed as dist
from mmengine.config import Config

#: what torchrun sets in each process it starts
TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


class NotUnderTorchrun(RuntimeError):
    """``--launcher pytorch`` outside torchrun (its variables are not set)."""


def join_torchrun(backend: str = "gloo") -> Tuple[int, int]:
    """Join torchrun's process group over ``backend`` (once per process): ``(rank, world size)``."""
    missing = [key for key in TORCHRUN_VARIABLES if key not in os.environ]
    if missing:
        raise NotUnderTorchrun(f"--launcher pytorch runs under torchrun ({', '.join(missing)} not set)")
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return dist.get_rank(), dist.get_world_size()


def cpu_process_group(cfg: Config) -> None:
    """Join torchrun's process group over gloo before mmengine's Runner would, and wrap the model in
    DDP without CUDA device ids: mmengine's ``init_dist('pytorch')`` calls ``torch.cuda.set_device`` and
    its default wrapper passes ``device_ids=[LOCAL_RANK]``, both of which fail without GPUs."""
    cfg.setdefault("env_cfg", {}).setdefault("dist_cfg", {})["backend"] = "gloo"
    if cfg.get("model_wrapper_cfg") is None:
        cfg.model_wrapper_cfg = dict(type="MMDistributedDataParallel", device_ids=None, broadcast_buffers=False,
                                     find_unused_parameters=cfg.get("find_unused_parameters", False))
    if "RANK" in os.environ:
        join_torchrun("gloo")
