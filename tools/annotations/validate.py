"""Thin script: same as `videokit validate ...` (see `--help`)."""
import sys

from videokit.cli import main

if __name__ == "__main__":
    sys.exit(main(["validate"] + sys.argv[1:]))
