"""Thin script: same as `videokit analyze recognition ...` (see `--help`)."""
import sys

from videokit.cli import main

if __name__ == "__main__":
    sys.exit(main(['analyze', 'recognition'] + sys.argv[1:]))
