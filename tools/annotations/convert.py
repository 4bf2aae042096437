"""Thin script: same as `videokit convert ...` (see `--help`)."""
import sys

from videokit.cli import main

if __name__ == "__main__":
    sys.exit(main(["convert"] + sys.argv[1:]))
