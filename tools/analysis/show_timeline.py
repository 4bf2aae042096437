"""Thin script: same as `videokit show ...` (see `--help`)."""
import sys

from videokit.cli import main

if __name__ == "__main__":
    sys.exit(main(['show'] + sys.argv[1:]))
