"""Dataset statistics from the one-row-per-segment DataFrame: counts per level and split, segment
lengths, long-tail groups; and their picture."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Union

import pandas as pd

from ..utils import atomic_output
from .model import AnnotationSet, trimmed_segments


def segment_table(annotations: AnnotationSet) -> pd.DataFrame:
    """One row per trimmed sample at every level: level, split, label, group, length (s)."""
    rows = []
    for level in annotations.levels:
        classes = annotations.taxonomy.level(level).classes
        for item in trimmed_segments(annotations, level):
            info = classes.get(item.label)
            rows.append((level, item.segment.splits.get(level, item.video.split) or "-", item.video.video_id,
                         item.label, info.group if info else None, item.segment.length))
    return pd.DataFrame(rows, columns=["level", "split", "video_id", "label", "group", "length"])


def counts(annotations: AnnotationSet) -> pd.DataFrame:
    """Videos, segments and classes per level and split (with an ``all`` row per level)."""
    seg = segment_table(annotations)
    videos = pd.DataFrame([(v.video_id, v.split or "-", v.primary_label) for v in annotations],
                          columns=["video_id", "split", "label"])
    rows = []
    for level in annotations.levels:
        part = seg[seg.level == level]
        for split in sorted(set(part.split)) + ["all"]:
            sub = part if split == "all" else part[part.split == split]
            row = {"level": level, "split": split, "videos": sub.video_id.nunique(), "segments": len(sub),
                   "classes": sub.label.nunique()}
            if level == annotations.levels[0]:
                vids = videos if split == "all" else videos[videos.split == split]
                row["videos"] = max(row["videos"], len(vids))
                row["classes"] = max(row["classes"], vids.label.nunique())
            rows.append(row)
    return pd.DataFrame(rows, columns=["level", "split", "videos", "segments", "classes"])


def lengths(annotations: AnnotationSet) -> pd.DataFrame:
    """Segment-length distribution (seconds) per level."""
    seg = segment_table(annotations)
    if seg.empty:
        return pd.DataFrame(columns=["level", "count", "mean", "min", "p10", "p50", "p90", "max"])
    grouped = seg.groupby("level", sort=False)["length"]
    table = grouped.describe(percentiles=[0.1, 0.5, 0.9]).reset_index()
    table = table.rename(columns={"10%": "p10", "50%": "p50", "90%": "p90"})
    table["count"] = table["count"].astype(int)
    return table[["level", "count", "mean", "min", "p10", "p50", "p90", "max"]].round(2)


def groups(annotations: AnnotationSet) -> pd.DataFrame:
    """Classes and segments per long-tail group, for the levels whose classes have groups."""
    seg = segment_table(annotations)
    rows = []
    for level in annotations.taxonomy.levels:
        named = {c.id: c.group for c in level.classes.values() if c.group}
        if not named:
            continue
        part = seg[seg.level == level.name]
        for group in dict.fromkeys(named.values()):
            ids = {cid for cid, g in named.items() if g == group}
            rows.append({"level": level.name, "group": group, "classes": len(ids),
                         "segments": int(part.label.isin(ids).sum())})
    return pd.DataFrame(rows, columns=["level", "group", "classes", "segments"])


def summary(annotations: AnnotationSet) -> Dict[str, pd.DataFrame]:
    return {"counts": counts(annotations), "lengths": lengths(annotations), "groups": groups(annotations)}


def plot(annotations: AnnotationSet, out: Union[str, Path]) -> None:
    """Per level: a histogram of segment lengths and the class frequencies, largest first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seg = segment_table(annotations)
    levels = [lvl for lvl in annotations.levels if (seg.level == lvl).any()]
    fig, axes = plt.subplots(len(levels), 2, figsize=(12, 3.2 * max(1, len(levels))), squeeze=False)
    palette = {"Many": "tab:blue", "Medium": "tab:orange", "Few": "tab:red"}
    for row, level in enumerate(levels):
        part = seg[seg.level == level]
        ax = axes[row][0]
        ax.hist(part.length.clip(lower=0), bins=50, color="tab:gray")
        ax.set_title(f"{level}: segment length (s), n={len(part)}")
        ax.set_xlabel("seconds")
        ax.set_ylabel("segments")
        freq = part.groupby("label").size().sort_values(ascending=False)
        classes = annotations.taxonomy.level(level).classes
        colours = [palette.get(classes[c].group if c in classes else None, "tab:green") for c in freq.index]
        ax = axes[row][1]
        ax.bar(range(len(freq)), freq.values, color=colours, width=1.0)
        ax.set_title(f"{level}: segments per class ({len(freq)} classes)")
        ax.set_xlabel("class rank")
        ax.set_yscale("log")
    fig.suptitle(f"{annotations.taxonomy.dataset or 'annotations'}: {len(annotations)} videos")
    fig.tight_layout()
    with atomic_output(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
