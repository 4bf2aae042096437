"""Test a checkpoint, as mmaction2's tools/test.py does (same flags); ``tools/test.py`` runs this.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump results.pkl] [--cfg-options k=v ...]
                                           [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from .distributed import cpu_process_group


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Test (and evaluate) a videokit / mmaction2 model")
    parser.add_argument("config", help="test config file path")
    parser.add_argument("checkpoint", help="checkpoint file")
    parser.add_argument("--work-dir", help="the dir to save evaluation results (logs, confusion matrix)")
    parser.add_argument("--dump", type=str, help="dump predictions to a pickle file (.pkl)")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction,
                        help="override config settings, key=value (xxx=[a,b] for lists)")
    parser.add_argument("--launcher", choices=["none", "pytorch", "slurm", "mpi"], default="none",
                        help="job launcher")
    parser.add_argument("--local_rank", "--local-rank", type=int, default=0)
    args = parser.parse_args(argv)
    if "LOCAL_RANK" not in os.environ:
        os.environ["LOCAL_RANK"] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args) -> Config:
    import torch

    cfg.launcher = args.launcher
    if args.launcher != "none" and not torch.cuda.is_available():
        cpu_process_group(cfg)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get("work_dir", None) is None:
        cfg.work_dir = osp.join("./work_dirs", osp.splitext(osp.basename(args.config))[0])
    if args.dump is not None:
        if not args.dump.endswith((".pkl", ".pickle")):
            sys.exit("error: --dump: the output file must be a .pkl file")
        dump_metric = dict(type="DumpResults", out_file_path=args.dump)
        evaluator = cfg.test_evaluator
        cfg.test_evaluator = ([*evaluator, dump_metric] if isinstance(evaluator, (list, tuple))
                              else [evaluator, dump_metric])
    cfg.load_from = args.checkpoint
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None) -> dict:
    from ..register import register_all_modules

    register_all_modules()
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = Runner.from_cfg(cfg)
    return runner.test()


if __name__ == "__main__":
    main()
