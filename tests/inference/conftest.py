"""A small made demo dataset (videos, canonical annotations, taxonomy) shared by the inference tests."""
from __future__ import annotations

import pytest

from videokit.demo import DemoSpec
from videokit.demo.pipeline import run_demo


@pytest.fixture(scope="package")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    run_demo(root, DemoSpec(videos_per_procedure=1, min_seconds=8, max_seconds=10), train=False)
    return root


@pytest.fixture()
def demo_env(demo_root, monkeypatch):
    monkeypatch.setenv("VIDEOKIT_DEMO_ROOT", str(demo_root))
    return demo_root
