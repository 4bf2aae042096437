"""Thin script: same as `videokit stats ...` (see `--help`)."""
import sys

from videokit.cli import main

if __name__ == "__main__":
    sys.exit(main(["stats"] + sys.argv[1:]))
