"""`pip install` of the built wheel is the whole product: it runs outside the repository, names every stock config,
builds a model of every kind they name, carries the review page and the schemas, and its demo runs end to end.

The wheel and the sdist come from ``python -m build``; the wheel is installed into a fresh virtual environment
whose only other packages are the pinned dependencies of ``.venv`` (a ``.pth`` line: no network, no second
5 GB install), and every command runs from a folder outside the repository, so the source tree is not on the path.
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from videokit import configs

from .conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]  # one build of the tree at a time


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """The ``bin`` folder of a fresh environment holding the wheel."""
    env = tmp_path_factory.mktemp("env")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    site = subprocess.run([str(env / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_videokit_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(dist.glob("videokit-*.whl"))
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, timeout=300)
    return env / "bin"


#: the suite's compute-thread limits (``make test``: one per worker) reach the installed copy too: nothing else of
#: this environment does
THREADS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run(bin_dir: Path, *command: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    threads = {name: os.environ[name] for name in THREADS if name in os.environ}
    return subprocess.run([str(bin_dir / command[0]), *command[1:]], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd),
                                                "PYTHONUNBUFFERED": "1", **threads})


def test_the_wheel_and_the_sdist_carry_configs_annotations_and_the_page(dist):
    names = set(zipfile.ZipFile(next(dist.glob("*.whl"))).namelist())
    for required in ("videokit/configs/nurvid/tsm_r50_1x1x8_trimmed-procedure.py",
                     "videokit/configs/_base_/models/tsm_r50.py", "videokit/configs/_base_/default_runtime.py",
                     "videokit/bundled/annotations/nurvid/taxonomy.csv",
                     "videokit/bundled/annotations/ophnet/annotations.json",
                     "videokit/review/static/review.js", "videokit/annotations/formats/canonical.schema.json"):
        assert required in names, required
    leaves = [n for n in names if n.startswith("videokit/configs/") and "_base_" not in n]
    assert len(leaves) == len(configs.names()) + 1
    sdist = tarfile.open(next(dist.glob("*.tar.gz")))
    members = {m.split("/", 1)[1] for m in sdist.getnames() if "/" in m}
    assert "videokit/configs/ophnet/tsm_r50_1x1x8_trimmed-phase.py" in members and "setup.cfg" in members


def test_the_installed_copy_runs_outside_the_repository(installed, tmp_path):
    where = run(installed, "python", "-c", "import videokit; print(videokit.__file__)", cwd=tmp_path)
    assert str(installed.parent) in where.stdout and str(ROOT) not in where.stdout, where.stdout + where.stderr
    version = run(installed, "videokit", "--version", cwd=tmp_path)
    assert version.stdout.startswith("videokit 0."), version.stderr
    listed = run(installed, "videokit", "configs", "list", cwd=tmp_path)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == len(configs.names())
    copied = run(installed, "videokit", "configs", "copy", "ophnet/tsm_r50_1x1x8_trimmed-phase", "mine", cwd=tmp_path)
    assert copied.returncode == 0 and (tmp_path / "mine" / "_base_" / "models" / "tsm_r50.py").is_file()
    assert run(installed, "videokit", "train", "--help", cwd=tmp_path).returncode == 0


def test_the_demo_then_every_stock_config_by_name_from_the_installed_copy(installed, tmp_path):
    """The demo end to end (one recognizer epoch), then every stock config resolved by name and one model of each
    kind built, from the folder the demo ran in (the demo configs read the taxonomy the demo wrote there)."""
    demo = run(installed, "videokit", "demo", "--quick", cwd=tmp_path, timeout=1200)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    last = demo.stdout.strip().splitlines()[-1]
    assert last.startswith("demo top1=") and "n/a" not in last.split("seconds=")[0], last
    assert "its numbers are not comparable with the full demo's" in demo.stderr
    logs = [p for p in (tmp_path / "demo_output").rglob("*.log")]
    assert logs and not [p for p in logs if "Logging error" in p.read_text(errors="replace")], \
        [str(p) for p in logs if "Logging error" in p.read_text(errors="replace")]
    # every config resolves and parses from the installed copy; one model of each kind (model, backbone, head,
    # neck types) is built from it: the registries of the installed package hold every part a stock config
    # names (tests/configs builds and trains every config of the source tree)
    script = ("from mmaction.registry import MODELS\n"
              "from mmengine.config import Config\n"
              "from videokit import configs\n"
              "from videokit.register import register_all_modules\n"
              "register_all_modules()\n"
              "kinds = set()\n"
              "for name in configs.names():\n"
              "    path = configs.resolve(name)\n"
              "    assert 'site-packages' in path, path\n"
              "    model = Config.fromfile(path).model\n"
              "    parts = ('backbone', 'cls_head', 'neck')\n"
              "    kind = tuple(str((model.get(part) or {}).get('type')) for part in parts)\n"
              "    print('parsed', name)\n"
              "    if (model.type,) + kind not in kinds:\n"
              "        kinds.add((model.type,) + kind)\n"
              "        MODELS.build(model)\n"
              "        print('built', name)\n")
    built = run(installed, "python", "-c", script, cwd=tmp_path, timeout=900)
    assert built.returncode == 0, built.stderr[-3000:]
    assert built.stdout.count("parsed ") == len(configs.names()) and built.stdout.count("built ") >= 8, built.stdout
