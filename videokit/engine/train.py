"""Train a model from a config, as mmaction2's tools/train.py does (same flags); ``tools/train.py`` runs this.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--cfg-options k=v ...]
                                 [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import sys

from mmengine.config import Config

from .arguments import add_run_arguments, apply_run_arguments, build_runner, parse


def parse_args(argv=None, prog=None):
    parser = argparse.ArgumentParser(prog=prog, description="Train a videokit / mmaction2 recognizer or detector")
    parser.add_argument("config", help="train config: a file, or a stock config's name (videokit configs list)")
    parser.add_argument("--resume", nargs="?", type=str, const="auto",
                        help="resume from CKPT, or from the latest checkpoint in the work dir when no CKPT is given")
    parser.add_argument("--amp", action="store_true", help="automatic mixed precision training (GPU)")
    parser.add_argument("--no-validate", action="store_true", help="do not evaluate checkpoints during training")
    parser.add_argument("--auto-scale-lr", action="store_true", help="scale the lr with the total batch size")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--diff-rank-seed", action="store_true", help="a different seed for each rank")
    parser.add_argument("--deterministic", action="store_true", help="deterministic CUDNN / algorithms")
    add_run_arguments(parser)
    return parse(parser, argv)


def merge_args(cfg: Config, args) -> Config:
    """Apply the command line to the config (mmaction2's conventions)."""
    import torch

    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    apply_run_arguments(cfg, args)
    if args.amp:
        if not torch.cuda.is_available():
            sys.exit("error: --amp needs a GPU (mmengine's AmpOptimWrapper runs on CUDA devices only)")
        optim_wrapper = cfg.optim_wrapper.get("type", "OptimWrapper")
        if optim_wrapper not in ("OptimWrapper", "AmpOptimWrapper"):
            sys.exit(f"error: --amp works with OptimWrapper, the config uses {optim_wrapper}")
        cfg.optim_wrapper.type = "AmpOptimWrapper"
        cfg.optim_wrapper.setdefault("loss_scale", "dynamic")
    if args.resume == "auto":
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg.get("randomness", None) is None:
        cfg.randomness = dict(seed=args.seed, diff_rank_seed=args.diff_rank_seed, deterministic=args.deterministic)
    elif args.seed is not None:
        cfg.randomness.update(seed=args.seed, diff_rank_seed=args.diff_rank_seed, deterministic=args.deterministic)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None, prog=None) -> None:
    """``tools/train.py`` (``prog``: the name its usage shows, ``videokit train`` from the CLI)."""
    build_runner(argv, lambda a: parse_args(a, prog), merge_args, initial_weights=True).train()


if __name__ == "__main__":
    main()
