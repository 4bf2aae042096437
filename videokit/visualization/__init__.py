"""Pictures (matplotlib, written atomically): timelines of one video, evaluation charts."""
from .anticipation import plot_anticipation
from .charts import plot_bars, plot_confusion, plot_pr_curves
from .timeline import plot_timeline

__all__ = ["plot_anticipation", "plot_bars", "plot_confusion", "plot_pr_curves", "plot_timeline"]
