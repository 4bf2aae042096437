"""The bundled demo: a synthetic NurViD-style dataset taken through videokit's whole data path.

:func:`make_demo_dataset` needs neither torch nor mmaction2; :func:`run_demo` (training, extraction, prediction)
loads them when it is first named."""
from typing import TYPE_CHECKING

from .synthetic import DemoSpec, make_demo_dataset

if TYPE_CHECKING:
    from .pipeline import run_demo


def __getattr__(name: str):
    if name == "run_demo":
        from .pipeline import run_demo
        return run_demo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DemoSpec", "make_demo_dataset", "run_demo"]
