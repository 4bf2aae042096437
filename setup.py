"""Two distributions from one source tree (setup.cfg holds the metadata of both):

- ``videokit`` (the default): the whole product, training stack included (torch, mmengine, mmaction2).
- ``videokit-runtime`` (``VIDEOKIT_DISTRIBUTION=runtime python -m build``): the same package, but only what
  prediction from a model file needs (``videokit predict VIDEO --model M.onnx``, ``videokit serve labelstudio
  --model M.onnx``): onnxruntime, PyAV, numpy, pandas, OpenCV, matplotlib, Flask and waitress; no torch.

Why a second distribution rather than an extra: pip cannot take dependencies away, so a light install has to
be a distribution of its own, while ``pip install videokit`` stays the researchers' full stack. Install one or the
other into an environment, not both (they ship the same files).
"""
import os

from setuptools import setup

RUNTIME_REQUIRES = [
    "numpy>=1.23,<2",
    "pandas>=2.0,<3",
    "av>=12",
    "onnxruntime>=1.18",
    "opencv-python>=4.8,<5",
    "matplotlib>=3.7",
    "flask>=3.0",
    "waitress>=3.0",
]

if os.environ.get("VIDEOKIT_DISTRIBUTION") == "runtime":
    setup(name="videokit-runtime",
          description="videokit's prediction runtime: a videokit model file on a video, without torch",
          install_requires=RUNTIME_REQUIRES, extras_require={})
else:
    setup()
