"""Plain CSV tables for people and spreadsheets: the taxonomy (one row per class) and the splits
(one row per video). These are what ``annotations/`` at the top of the repository holds."""
from __future__ import annotations

import pandas as pd

from ...utils import atomic_output
from ..errors import AnnotationError
from ..model import AnnotationSet, Taxonomy
from ._common import PathLike


def _write_csv(table: pd.DataFrame, out: PathLike) -> None:
    with atomic_output(out) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")


def write_taxonomy(annotations: AnnotationSet, out: PathLike, **_: object) -> None:
    _write_csv(annotations.taxonomy.to_dataframe(), out)


def splits_table(annotations: AnnotationSet) -> pd.DataFrame:
    """video_id, split, primary label, all labels, duration, fps, path."""
    rows = [{"video_id": v.video_id, "split": v.split, "label": v.primary_label,
             "labels": " ".join(str(x) for x in v.labels), "duration": v.duration, "fps": v.fps,
             "path": v.path} for v in annotations]
    return pd.DataFrame(rows, columns=["video_id", "split", "label", "labels", "duration", "fps", "path"])


def write_splits(annotations: AnnotationSet, out: PathLike, **_: object) -> None:
    _write_csv(splits_table(annotations), out)


def read_taxonomy(src: PathLike) -> Taxonomy:
    """A taxonomy table written by ``videokit convert --to taxonomy`` back into a :class:`Taxonomy`."""
    table = pd.read_csv(src, dtype={"parents": str, "abbrev": str, "group": str, "names": str, "key": str},
                        keep_default_na=False)
    missing = [c for c in ("level", "id", "name") if c not in table.columns]
    if missing:
        raise AnnotationError(str(src), "header", missing[0], "missing column of a taxonomy table")
    for column in ("abbrev", "group", "parents", "names", "key"):
        if column not in table.columns:
            table[column] = ""
    for i, value in enumerate(table["id"]):
        if not str(value).isdigit():
            raise AnnotationError(str(src), f"line {i + 2}", "id", "not a non-negative integer", value)
    return Taxonomy.from_dataframe(table)
