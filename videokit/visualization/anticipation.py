"""Anticipation curves: per phase, the predicted time until it starts against the stream's time, with
the ground truth dashed when known."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from ..utils import atomic_output
from .timeline import class_colour


def plot_anticipation(times: np.ndarray, predicted: np.ndarray, horizon: float, class_names: Sequence[str],
                      out: Union[str, Path], truth: Optional[np.ndarray] = None, level_index: int = 1,
                      max_classes: int = 12, title: str = "phase anticipation") -> None:
    """One small panel per phase that comes within the horizon (predicted or true), at most ``max_classes``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    near = (predicted < 0.9 * horizon).any(0)
    if truth is not None:
        near |= (truth < horizon).any(0)
    classes = [k for k in np.flatnonzero(near)][:max_classes] or list(range(min(len(class_names), max_classes)))
    rows = max(1, len(classes))
    fig, axes = plt.subplots(rows, 1, figsize=(10, 1.2 + 1.1 * rows), sharex=True, squeeze=False)
    for ax, k in zip(axes[:, 0], classes):
        colour = class_colour(level_index, int(k))
        ax.plot(times, predicted[:, k], color=colour, lw=1.5, label="predicted")
        if truth is not None:
            ax.plot(times, truth[:, k], color="black", lw=1, ls="--", label="ground truth")
        ax.set_ylim(-0.05 * horizon, 1.05 * horizon)
        ax.set_ylabel("s", fontsize=7)
        ax.text(0.01, 0.85, class_names[k] if k < len(class_names) else str(k), transform=ax.transAxes, fontsize=8,
                va="top", bbox=dict(facecolor="white", alpha=0.7, lw=0))
        ax.tick_params(labelsize=7)
    axes[0, 0].set_title(f"{title}: time until each phase starts (horizon {horizon:g} s)")
    if truth is not None:
        axes[0, 0].legend(fontsize=7, loc="upper right")
    axes[-1, 0].set_xlabel("time (s)")
    fig.tight_layout()
    with atomic_output(out) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
