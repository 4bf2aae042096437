"""Thin script: same as `videokit analyze lengths ...` (see `--help`)."""
import sys

from videokit.cli import main

if __name__ == "__main__":
    sys.exit(main(['analyze', 'lengths'] + sys.argv[1:]))
