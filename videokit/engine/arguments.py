"""What tools/train.py and tools/test.py share: the run-wide flags and how they change the config."""
from __future__ import annotations

import argparse
import os
import os.path as osp
from typing import Callable

from mmengine.config import Config, DictAction

from .distributed import cpu_process_group


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """``--work-dir``, ``--cfg-options``, ``--launcher`` and ``--local-rank``."""
    parser.add_argument("--work-dir", help="the dir to save logs, checkpoints and evaluation results")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction,
                        help="override config settings, key=value (xxx=[a,b] for lists)")
    parser.add_argument("--launcher", choices=["none", "pytorch", "slurm", "mpi"], default="none",
                        help="job launcher")
    parser.add_argument("--local_rank", "--local-rank", type=int, default=0)


def parse(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if "LOCAL_RANK" not in os.environ:
        os.environ["LOCAL_RANK"] = str(args.local_rank)
    return args


def apply_run_arguments(cfg: Config, args: argparse.Namespace) -> None:
    """Launcher (gloo without GPUs) and work dir (``./work_dirs/<config name>`` by default)."""
    import torch

    cfg.launcher = args.launcher
    if args.launcher != "none" and not torch.cuda.is_available():
        cpu_process_group(cfg)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get("work_dir", None) is None:
        cfg.work_dir = osp.join("./work_dirs", osp.splitext(osp.basename(args.config))[0])


def build_runner(argv, parse_args: Callable, merge_args: Callable):
    """Register videokit's modules, read the command line and the config, and build mmengine's Runner."""
    from mmengine.runner import Runner

    from ..register import register_all_modules

    register_all_modules()
    args = parse_args(argv)
    return Runner.from_cfg(merge_args(Config.fromfile(args.config), args))
