"""Plain CSV tables for people and spreadsheets: the taxonomy (one row per class) and the splits
(one row per video). These are what ``annotations/`` at the top of the repository holds."""
from __future__ import annotations

import pandas as pd

from ...utils import atomic_output
from ..model import AnnotationSet
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
