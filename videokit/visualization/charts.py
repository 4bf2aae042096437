"""Pictures of evaluation results (matplotlib, written atomically)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence, Union

import numpy as np

from ..utils import atomic_output


def plot_confusion(matrix: np.ndarray, class_names: Sequence[str], out: Union[str, Path],
                   title: str = "confusion matrix (rows: true, normalised)") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix, dtype=np.float64)
    norm = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    n = len(class_names)
    size = min(4 + 0.25 * n, 30)
    fig, ax = plt.subplots(figsize=(size, size))
    image = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    if n <= 60:
        ax.set_xticks(range(n), labels=class_names, rotation=90, fontsize=7)
        ax.set_yticks(range(n), labels=class_names, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    with atomic_output(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def plot_pr_curves(curves, tiou_index: int, tiou: float, out: Union[str, Path], max_labels: int = 15) -> None:
    """Precision-recall curve of every class at one tIoU threshold (legend for the first ``max_labels``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    for n, (label, (precision, recall)) in enumerate(curves.items()):
        if precision.shape[1] == 0:
            continue
        ax.plot(recall[tiou_index], precision[tiou_index], lw=1, label=label if n < max_labels else None)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"precision-recall per class at tIoU {tiou:.2f}")
    if len(curves) <= max_labels:
        ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    with atomic_output(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def plot_bars(values, labels: Sequence[str], out: Union[str, Path], title: str, ylabel: str,
              sort: bool = True, max_bars: int = 200) -> None:
    """One bar per class (e.g. per-class accuracy or AP), largest first, mean as a dashed line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(-values, kind="stable") if sort else np.arange(len(values))
    order = order[:max_bars]
    fig, ax = plt.subplots(figsize=(min(4 + 0.22 * len(order), 40), 4.5))
    ax.bar(range(len(order)), values[order], color="tab:blue")
    ax.axhline(float(np.nanmean(values)), color="tab:red", linestyle="--", lw=1,
               label=f"mean {np.nanmean(values):.3f}")
    ax.set_xticks(range(len(order)), labels=[labels[i] for i in order], rotation=90, fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, max(1.0, float(np.nanmax(values)) if len(values) else 1.0))
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_output(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
