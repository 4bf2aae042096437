"""The bundled demo: a synthetic NurViD-style dataset taken through videokit's whole data path."""
from .pipeline import run_demo
from .synthetic import DemoSpec, make_demo_dataset

__all__ = ["DemoSpec", "make_demo_dataset", "run_demo"]
