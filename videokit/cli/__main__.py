"""``python -m videokit.cli``: the ``videokit`` command."""
import sys

from . import main

sys.exit(main())
