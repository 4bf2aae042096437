"""Plain CSV tables for people and spreadsheets: the taxonomy (one row per class) and the splits
(one row per video). These are what ``annotations/`` at the top of the repository holds."""
from __future__ import annotations

import json
from typing import Dict

import pandas as pd

from ...utils import atomic_output
from ..errors import AnnotationError
from ..model import AnnotationSet, ClassInfo, Level, Taxonomy
from ._common import PathLike, parse_class_id, read_table, row_line


def _write_csv(table: pd.DataFrame, out: PathLike) -> None:
    with atomic_output(out) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")


def write_taxonomy(annotations: AnnotationSet, out: PathLike) -> None:
    _write_csv(annotations.taxonomy.to_dataframe(), out)


def splits_table(annotations: AnnotationSet) -> pd.DataFrame:
    """video_id, split, primary label, all labels, duration, fps, path."""
    rows = [{"video_id": v.video_id, "split": v.split, "label": v.primary_label,
             "labels": " ".join(str(x) for x in v.labels), "duration": v.duration, "fps": v.fps,
             "path": v.path} for v in annotations]
    return pd.DataFrame(rows, columns=["video_id", "split", "label", "labels", "duration", "fps", "path"])


def write_splits(annotations: AnnotationSet, out: PathLike) -> None:
    _write_csv(splits_table(annotations), out)


def read_taxonomy(src: PathLike) -> Taxonomy:
    """A taxonomy table written by ``videokit convert --to taxonomy`` back into a :class:`Taxonomy`; every cell is
    checked (ids, parents, the names' JSON), a bad one is one error naming its line and column."""
    file = str(src)
    table = read_table(src, ["level", "id", "name"])
    optional_columns = ("abbrev", "group", "parents", "names", "key")
    levels: Dict[str, Level] = {}
    for i, row in enumerate(table.itertuples(index=False)):
        where = row_line(i)
        cells = row._asdict()
        level_name = str(cells["level"]).strip()
        if not level_name:
            raise AnnotationError(file, where, "level", "empty")
        cid = parse_class_id(cells["id"], file, where, "id")
        level = levels.setdefault(level_name, Level(level_name, {}))
        if cid in level.classes:
            raise AnnotationError(file, where, "id", f"class id given twice in level {level_name!r}", cid)
        extra = {c: str(cells.get(c) or "") for c in optional_columns}
        parents = tuple(parse_class_id(p, file, where, "parents") for p in extra["parents"].split())
        names: Dict[str, str] = {}
        if extra["names"]:
            try:
                names = json.loads(extra["names"])
            except ValueError:
                raise AnnotationError(file, where, "names", "not a JSON object", extra["names"]) from None
            if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
                raise AnnotationError(file, where, "names", "expected a JSON object of texts", extra["names"])
        level.classes[cid] = ClassInfo(cid, str(cells["name"]), names, extra["abbrev"] or None, extra["group"] or None,
                                       parents, extra["key"] or None)
    if not levels:
        raise AnnotationError(file, None, "file", "has no classes")
    return Taxonomy("", list(levels.values()))
