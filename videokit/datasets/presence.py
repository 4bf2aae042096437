"""Absent videos (or feature files) are left out when a dataset is built, before its epoch is sized.

A download of NurViD made today lacks many of its 1,538 YouTube videos: the runtime skip of
:mod:`.skipping` is for a few broken files, not for a dataset that is mostly absent. Each dataset stats
its files once (one ``os.path.exists`` per distinct file), drops the samples of absent ones and says so
in ONE log line: how many files and samples are absent in its split, and where the full list is written
(the run's folder in the work dir when there is one, else the temp folder). ``missing='error'`` fails
instead, with the count and the first few names.
"""
from __future__ import annotations

import os.path as osp
import tempfile
from typing import Callable, Dict, List, Optional, Sequence

MISSING_POLICIES = ("skip", "error")


class MissingFilesError(FileNotFoundError):
    """A dataset built with ``missing='error'`` found absent files."""


def _list_folder() -> str:
    """Where lists of absent files go: the current mmengine run's log folder, else the temp folder."""
    try:
        from mmengine.logging import MMLogger

        log_file = getattr(MMLogger.get_current_instance(), "log_file", None)
    except Exception:  # pragma: no cover - mmengine always present where datasets are built
        log_file = None
    return osp.dirname(log_file) if log_file else tempfile.gettempdir()


def _log(message: str) -> None:
    from mmengine.logging import print_log

    print_log(message, logger="current", level=30)


def absent_paths(paths: Sequence[str]) -> List[str]:
    """The distinct paths among ``paths`` that do not exist, sorted (one stat per distinct path)."""
    return sorted(p for p in set(paths) if not osp.exists(p))


def absent_summary(absent: Sequence[str], total: int, what: str = "videos") -> str:
    """``"3 of 12 videos absent: a.mp4, b.mp4, c.mp4"`` with at most three names shown."""
    shown = ", ".join(osp.basename(p) for p in absent[:3]) + (f" and {len(absent) - 3} more" if len(absent) > 3 else "")
    return f"{len(absent)} of {total} {what} absent: {shown}"


def drop_absent(data_list: List[Dict], path_of: Callable[[Dict], str], *, what: str, owner: str,
                split: Optional[str], missing: str = "skip", report: bool = True) -> List[Dict]:
    """The samples of ``data_list`` whose file (``path_of(sample)``) exists.

    ``what`` names the files ("videos", "feature files"), ``owner`` the dataset; with absent files and
    ``missing='skip'`` one warning line is logged (unless ``report=False``) and the sorted list of absent
    paths written to ``missing_<what>_<split>.txt``.
    """
    if missing not in MISSING_POLICIES:
        raise ValueError(f"{owner}: missing must be one of {MISSING_POLICIES}, not {missing!r}")
    exists: Dict[str, bool] = {}
    kept = []
    for sample in data_list:
        path = path_of(sample)
        if path not in exists:
            exists[path] = osp.exists(path)
        if exists[path]:
            kept.append(sample)
    absent = sorted(p for p, ok in exists.items() if not ok)
    if not absent:
        return kept
    where = f"split {split!r}" if split else "all splits"
    counts = (f"{len(absent)} of {len(exists)} {what} absent ({len(data_list) - len(kept)} of "
              f"{len(data_list)} samples left out)")
    if not kept:
        folder = osp.dirname(absent[0]) or "."
        raise MissingFilesError(f"{owner} ({where}): none of its {len(exists)} {what} is present "
                                f"(looked in {folder}, e.g. {osp.basename(absent[0])})")
    if missing == "error":
        raise MissingFilesError(f"{owner} ({where}): {absent_summary(absent, len(exists), what)} "
                                f"({len(data_list) - len(kept)} of {len(data_list)} samples; missing='error')")
    if report:
        listing = _write_list(absent, f"missing_{what.replace(' ', '_')}_{split or 'all'}.txt")
        _log(f"{owner} ({where}): {counts}; list: {listing}")
    return kept


def _write_list(paths: Sequence[str], name: str) -> str:
    folder = _list_folder()
    target = osp.join(folder, name)
    try:
        from ..utils import atomic_write_text

        atomic_write_text(target, "\n".join(paths) + "\n")
    except OSError as exc:  # a read-only work dir must not stop training
        return f"(not written: {exc})"
    return target

