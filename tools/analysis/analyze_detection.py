"""Thin script: same as `videokit analyze detection ...` (see `--help`)."""
import sys

from videokit.cli import main

if __name__ == "__main__":
    sys.exit(main(['analyze', 'detection'] + sys.argv[1:]))
