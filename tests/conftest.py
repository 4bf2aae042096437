"""Shared fixtures: the real annotation files beside the checkout, and small made datasets."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real_annotations"
SAMPLE_VIDEOS = SHARED / "sample_videos"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real annotations not found at {REAL}")
    return REAL


#: tests that read the trained demo share one run of it: put them in this xdist group (one worker trains it once)
TRAINED_DEMO = "trained_demo"


@pytest.fixture(scope="session")
def trained_demo(tmp_path_factory):
    """The README's demo, run once (~2.5 min on 2 cores): ``(folder, result)`` with the trained recognizer's
    checkpoint (``result["checkpoint"]``), the detector, the workflow model and the test metrics. Tests that only
    read it share it (mark them ``pytest.mark.xdist_group(TRAINED_DEMO)``)."""
    from videokit.demo import DemoSpec
    from videokit.demo.pipeline import run_demo

    root = tmp_path_factory.mktemp("trained_demo")
    return root, run_demo(root, DemoSpec(videos_per_procedure=8))


@pytest.fixture(autouse=True)
def _loggers_write_to_this_tests_streams():
    """mmengine's loggers keep the stream they were created with; pytest closes each test's captured
    stream afterwards, so point their console handlers at the current one before every test."""
    import logging
    import sys

    from mmengine.logging import MMLogger

    loggers = list(logging.Logger.manager.loggerDict.values()) + list(MMLogger._instance_dict.values())
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False):
                handler.stream = sys.stdout  # setStream would flush the closed one
    yield


#: the longest end-to-end files, longest first (measured with --durations): started first, so that on two workers
#: they run beside the short tests instead of finishing alone at the end
LONGEST_FIRST = ("test_packaging.py", "engine/test_training.py", "runtime/", "test_partial_download.py", "labelstudio/",
                 "engine/test_extract_scale.py", "fuzz/test_large_fields.py", "engine/test_weights.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0].removeprefix("tests/")
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def warm():
    """One warm interpreter per test process for the commands and tools' scripts tests run (``tests/warm.py``)."""
    from .warm import WarmInterpreter

    interpreter = WarmInterpreter()
    yield interpreter
    interpreter.close()
