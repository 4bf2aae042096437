"""Sliding-window features from a recognizer's backbone: see ``--help`` and videokit/engine/extract.py."""
import sys

from videokit.utils.openmp import prefer_passive_openmp

prefer_passive_openmp(sys.argv[1:])  # before torch loads: on a shared CPU, OpenMP threads must not spin

from videokit.engine.extract import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
