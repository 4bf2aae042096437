"""The class hierarchy a multi-level model needs, from a taxonomy table (``videokit convert --to taxonomy``)."""
from __future__ import annotations

from typing import List, Sequence, Tuple

import pandas as pd


def load_hierarchy(taxonomy_file: str, levels: Sequence[str]) -> Tuple[List[int], List[List[Tuple[int, int]]]]:
    """``(num_classes per level, valid (parent, child) pairs per adjacent level pair)``."""
    table = pd.read_csv(taxonomy_file, dtype={"parents": str}, keep_default_na=False)
    missing = [lvl for lvl in levels if lvl not in set(table.level)]
    if missing:
        raise ValueError(f"{taxonomy_file}: level: {missing[0]!r} not in the table ({sorted(set(table.level))})")
    num_classes = [int(table[table.level == lvl].id.max()) + 1 for lvl in levels]
    pairs = []
    for child_level in levels[1:]:
        rows = table[table.level == child_level]
        pairs.append([(int(p), int(c)) for c, parents in zip(rows.id, rows.parents) for p in str(parents).split()])
    return num_classes, pairs
