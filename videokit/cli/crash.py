"""What the command says when videokit itself fails: one line, and the traceback in a log file.

A file's problem is an ``error:`` line naming file, record and field (exit 1); anything else is a bug in
videokit, never the user's data: the terminal gets one line saying so, naming the input and the log that
holds the traceback (exit :data:`EXIT_BUG`), so a user can report it without a wall of text in the way.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path
from typing import List, Optional, Sequence

#: exit codes: 0 done, 1 bad input (one ``error:`` line), 2 bad command line (argparse), 70 a bug in videokit
#: (``EX_SOFTWARE`` of sysexits.h), 130 interrupted
EXIT_BAD_INPUT, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 1, 2, 70, 130


def log_folder() -> Path:
    """Where crash logs go: ``$VIDEOKIT_LOG_DIR``, else ``$XDG_CACHE_HOME/videokit/logs`` (``~/.cache``)."""
    if os.environ.get("VIDEOKIT_LOG_DIR"):
        return Path(os.environ["VIDEOKIT_LOG_DIR"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "videokit" / "logs"


def inputs(args: argparse.Namespace) -> List[str]:
    """The paths on the command line that exist (the files a failure may be about)."""
    found = []
    for value in vars(args).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item and os.path.exists(item) and item not in found:
                found.append(item)
    return found


def write_log(exc: BaseException, argv: Sequence[str]) -> Optional[Path]:
    """The traceback, the command and the versions, in a new log file; None where no folder can be written."""
    from .. import __version__

    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (f"videokit {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
            f"command: videokit {' '.join(argv)}\n\n" + "".join(traceback.format_exception(exc)))
    for folder in (log_folder(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"videokit-crash-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def report(exc: BaseException, args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Print the one line for a bug and return :data:`EXIT_BUG`."""
    log = write_log(exc, argv)
    files = inputs(args)
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    print(f"error: a bug in videokit, not a problem of your data: {type(exc).__name__}"
          + (f": {message}" if message else "")
          + (f" (while reading {', '.join(files)})" if files else "")
          + (f"; the traceback is in {log}, please attach it to a report" if log else ""), file=sys.stderr)
    return EXIT_BUG
