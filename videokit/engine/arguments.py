"""What tools/train.py and tools/test.py share: the run-wide flags and how they change the config."""
from __future__ import annotations

import argparse
import os
import os.path as osp
from typing import Callable

from mmengine.config import Config, DictAction

from ..configs import ConfigNotFound, resolve
from ..register import register_all_modules
from ..utils.download import DownloadError, fetch
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


def build_runner(argv, parse_args: Callable, merge_args: Callable, initial_weights: bool = False):
    """Register videokit's modules, read the command line and the config (a path, or a stock config's name), and
    build mmengine's Runner. With ``initial_weights`` (training), ``load_from`` is the model's initial weights:
    a URL is fetched into the cache (hash checked, ``$VIDEOKIT_WEIGHTS_MIRROR``), and the weights are loaded
    after the model's init with a one-line summary (:class:`~videokit.models.checkpoint.InitialWeightsHook`)."""
    from mmengine.runner import Runner


    register_all_modules()
    args = parse_args(argv)
    try:
        args.config = resolve(args.config)
    except ConfigNotFound as exc:
        raise SystemExit(f"error: {exc}") from None
    cfg = merge_args(Config.fromfile(args.config), args)
    if initial_weights:
        use_initial_weights(cfg)
    return Runner.from_cfg(cfg)


def use_initial_weights(cfg: Config) -> None:
    """Turn ``load_from`` (a URL or a file) into the initial-weights hook; nothing to do when resuming."""
    source = cfg.get("load_from", None)
    if not source or cfg.get("resume", False):
        return
    path = source
    if str(source).startswith(("http://", "https://")):

        try:
            path = str(fetch(str(source)))
        except DownloadError as exc:
            raise SystemExit(f"error: initial weights: {exc} (or train from random weights: --cfg-options "
                             "load_from=None)") from None
    elif not osp.isfile(source):
        raise SystemExit(f"error: load_from: no such file {source}")
    cfg.load_from = None
    cfg.custom_hooks = list(cfg.get("custom_hooks", None) or []) + [
        dict(type="InitialWeightsHook", checkpoint=path, source=str(source))]
