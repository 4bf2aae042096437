"""Sliding-window features from a recognizer's backbone: see ``--help`` and videokit/engine/extract.py."""
import sys

from videokit.engine.extract import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
