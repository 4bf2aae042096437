"""The timeline of one video: a row per taxonomy level, a coloured bar per segment, the ground truth
beneath the prediction, a legend naming the classes."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from ..annotations import Taxonomy, VideoAnnotation
from ..utils import atomic_output


def class_colour(level_index: int, class_id: int):
    """A stable colour per (level, class): the same class has the same colour in every picture; the top
    level (the video's label) draws from a muted palette so it never looks like a step."""
    import matplotlib

    if level_index == 0:
        palette = matplotlib.colormaps["Pastel2"].colors + matplotlib.colormaps["Pastel1"].colors
    else:
        palette = matplotlib.colormaps["tab20"].colors + matplotlib.colormaps["tab20b"].colors
    return palette[class_id % len(palette)]


def _rows(video: VideoAnnotation, taxonomy: Taxonomy, levels: Sequence[str], tag: str,
          duration: float) -> List[Tuple[str, str, List[Tuple[float, float, int, Optional[float]]]]]:
    """``(row title, level, [(start, end, class, score)])`` for each level that has something to draw."""
    rows = []
    top = taxonomy.level_names[0]
    for level in levels:
        if level == top:
            if not video.labels:
                continue
            score = (video.attrs.get("scores") or {}).get(taxonomy.level(top).class_name(video.labels[0]))
            bars = [(0.0, duration, video.labels[0], score)]
        else:
            bars = [(float(s.start), float(s.end), s.label, s.attrs.get("score")) for s in video.segments_at(level)]
            if not bars:
                continue
        rows.append((f"{tag}{level}", level, bars))
    return rows


def plot_timeline(video: Optional[VideoAnnotation], taxonomy: Taxonomy, out: Union[str, Path],
                  ground_truth: Optional[VideoAnnotation] = None, levels: Optional[Sequence[str]] = None,
                  title: Optional[str] = None, max_legend: int = 40,
                  names: Sequence[str] = ("predicted", "ground truth")) -> None:
    """Write a PNG timeline of ``video`` (a prediction or any annotation) with ``ground_truth`` beneath.

    Segment bars carry their score as opacity when they have one; the top level (the video's label)
    is one bar over the whole video.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.patches as mpatches
    import matplotlib.pyplot as plt

    levels = list(levels or taxonomy.level_names)
    shown = [v for v in (video, ground_truth) if v is not None]
    if not shown:
        raise ValueError("plot_timeline needs a video or a ground truth")
    duration = max([float(v.duration or 0.0) for v in shown]
                   + [float(s.end) for v in shown for s in v.segments] + [1e-3])
    rows = []
    if video is not None:
        rows += _rows(video, taxonomy, levels, f"{names[0]} " if ground_truth is not None else "", duration)
    if ground_truth is not None:
        rows += _rows(ground_truth, taxonomy, levels, f"{names[1]} " if video is not None else "", duration)
    fig_height = 1.2 + 0.55 * max(len(rows), 1)
    fig, ax = plt.subplots(figsize=(12, max(fig_height, 2.6)))
    used: Dict[Tuple[str, int], Tuple[int, str]] = {}
    for y, (_, level, bars) in enumerate(rows):
        index = taxonomy.level_names.index(level)
        for start, end, label, score in bars:
            alpha = 0.35 + 0.65 * float(score) if score is not None else 1.0
            ax.barh(len(rows) - 1 - y, end - start, left=start, height=0.7, color=class_colour(index, label),
                    alpha=min(alpha, 1.0), edgecolor="black", linewidth=0.4)
            used.setdefault((level, label), (index, taxonomy.level(level).class_name(label)))
    ax.set_yticks(range(len(rows)), labels=[r[0] for r in reversed(rows)])
    ax.set_xlim(0, duration)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("time (s)" if duration < 600 else "time (s); " + f"{duration / 60:.1f} min")
    ax.grid(axis="x", linestyle=":", alpha=0.5)
    ax.set_title(title or (shown[0].video_id + (f" ({duration:.1f} s)")))
    handles = [mpatches.Patch(color=class_colour(index, label), label=f"{level}: {name}")
               for (level, label), (index, name) in sorted(used.items(), key=lambda kv: (kv[1][0], kv[0][1]))]
    if handles:
        ncol = 1 + (len(handles[:max_legend]) - 1) // 14
        ax.legend(handles=handles[:max_legend], loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=ncol,
                  fontsize=8, frameon=False)
    fig.tight_layout()
    with atomic_output(out) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
