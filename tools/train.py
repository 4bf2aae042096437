"""Train with mmaction2's conventions: see ``python tools/train.py --help`` and videokit/engine/train.py."""
import sys

from videokit.engine.train import main

if __name__ == "__main__":
    main(sys.argv[1:])
