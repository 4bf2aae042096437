"""Test with mmaction2's conventions: see ``python tools/test.py --help`` and videokit/engine/test.py."""
import sys

from videokit.engine.test import main

if __name__ == "__main__":
    main(sys.argv[1:])
