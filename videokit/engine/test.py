"""Test a checkpoint, as mmaction2's tools/test.py does (same flags); ``tools/test.py`` runs this.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump results.pkl] [--cfg-options k=v ...]
                                           [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import sys

from mmengine.config import Config

from .arguments import add_run_arguments, apply_run_arguments, build_runner, parse


def parse_args(argv=None, prog=None):
    parser = argparse.ArgumentParser(prog=prog, description="Test (and evaluate) a videokit / mmaction2 model")
    parser.add_argument("config", help="test config: a file, or a stock config's name (videokit configs list)")
    parser.add_argument("checkpoint", help="checkpoint file")
    parser.add_argument("--dump", type=str, help="dump predictions to a pickle file (.pkl)")
    add_run_arguments(parser)
    return parse(parser, argv)


def merge_args(cfg: Config, args) -> Config:
    apply_run_arguments(cfg, args)
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


def main(argv=None, prog=None) -> dict:
    """``tools/test.py`` (``prog``: the name its usage shows, ``videokit test`` from the CLI)."""
    return build_runner(argv, lambda a: parse_args(a, prog), merge_args).test()


if __name__ == "__main__":
    main()
