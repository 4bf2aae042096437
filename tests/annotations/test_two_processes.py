"""A folder of tool files (ELAN, CVAT) is read on both CPUs: every other block of files by a forked copy of the
process (``videokit.utils.bulk.in_two``). Whatever the copy does, the result and the error are those of reading
the files one after another in one process: the real set, a broken file in either process's blocks, two broken
files, and a copy that cannot send its results back."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from videokit.annotations import write_annotations
from videokit.utils.bulk import BLOCK, MIN_ITEMS

from ..conftest import ROOT

#: run in a fresh interpreter (one thread, as a user's `videokit convert` is): each read of ``FOLDER`` as ``FORMAT``
#: in one process and in two, its canonical bytes or its error; and how many copies were forked
SCRIPT = """
import json, os, sys
from videokit.annotations import AnnotationError, read_annotations, write_annotations
from videokit.utils import bulk
{patch}
forks = []
fork = os.fork
def counted():
    pid = fork()
    if pid:
        forks.append(pid)
    return pid
os.fork = counted
out = {{}}
for mode in ("1", "0"):
    os.environ[bulk.ONE_PROCESS_ENV] = mode
    try:
        annotations = read_annotations(sys.argv[1], sys.argv[2], tool_fps=30.0)
        write_annotations(annotations, sys.argv[3] + mode + ".json", "canonical")
        out[mode] = {{"canonical": open(sys.argv[3] + mode + ".json").read(),
                     "findings": [str(f) for f in annotations.findings]}}
    except AnnotationError as exc:
        out[mode] = {{"error": str(exc)}}
out["forks"] = len(forks)
print(json.dumps(out))
"""


def read_both(folder: Path, fmt: str, tmp_path: Path, patch: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(patch=patch), str(folder), fmt, str(tmp_path / "c")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def exported(real_dir, tmp_path_factory):
    """OphNet (1,969 videos) written as ELAN and as CVAT folders."""
    from videokit.annotations import read_annotations

    ophnet = read_annotations(real_dir / "ophnet", "ophnet")
    out = tmp_path_factory.mktemp("two")
    for fmt in ("elan", "cvat"):
        write_annotations(ophnet, out / fmt, fmt, **({"tool_fps": 30.0} if fmt == "cvat" else {}))
    return out


@pytest.mark.parametrize("fmt", ["elan", "cvat"])
def test_a_real_folder_read_in_two_processes_is_the_read_in_one(exported, fmt, tmp_path):
    both = read_both(exported / fmt, fmt, tmp_path)
    assert both["forks"] == 1  # the second read forked one copy; the first did not
    assert "error" not in both["1"] and both["0"] == both["1"]
    assert len(json.loads(both["0"]["canonical"])["videos"]) == 1969


def _broken(folder: Path, tmp_path: Path, *indices: int) -> Path:
    """A copy of ``folder`` with the files at ``indices`` (in name order) cut in the middle of an element."""
    copy = tmp_path / folder.name
    copy.mkdir()
    files = sorted(folder.iterdir())
    for i, path in enumerate(files):
        data = path.read_bytes()
        (copy / path.name).write_bytes(data[:len(data) // 3] if i in indices else data)
    return copy


#: broken files by index (blocks of 16 alternate, this process's first): 1500 and 400 lie in the copy's blocks,
#: 1000 in this process's
@pytest.mark.parametrize(("fmt", "broken"), [("elan", (1500,)), ("elan", (400, 1000)), ("elan", (1000, 1500)),
                                             ("cvat", (400, 1000))],
                         ids=["elan, the copy's", "elan, the copy's then this one's",
                              "elan, this one's then the copy's", "cvat, the copy's then this one's"])
def test_a_broken_file_is_the_error_of_the_one_process_read(exported, fmt, broken, tmp_path):
    both = read_both(_broken(exported / fmt, tmp_path, *broken), fmt, tmp_path)
    first = sorted((exported / fmt).iterdir())[broken[0]].name
    assert "error" in both["1"] and first in both["1"]["error"]
    assert both["0"] == both["1"]


def test_what_the_copy_cannot_send_is_read_here(exported, tmp_path):
    """Segments whose side fields ``marshal`` does not take: the copy's half is read again here, the same."""
    patch = ("from videokit.annotations.formats import _tool_files\n"
             "class Side(dict):\n    pass\n"
             "packed = _tool_files.RawVideo.packed\n"
             "_tool_files.RawVideo.packed = lambda self: packed(self)[:6] + (Side(self.attrs),) + packed(self)[7:]\n")
    both = read_both(exported / "elan", "elan", tmp_path, patch)
    assert both["forks"] == 1 and both["0"] == both["1"]


@pytest.mark.parametrize("bad", [BLOCK + 3, 2 * BLOCK + 3], ids=["in the copy's block", "in this one's"])
def test_in_two_gives_each_result_in_order_and_an_error_in_its_place(bad):
    """In a fresh process (one thread, so that it forks): every result in order; an item that raises, in the copy's
    blocks or in this process's, raises in its place after every result before it, whatever comes after it."""
    code = f"""
import json
from videokit.utils.bulk import in_two
count = {MIN_ITEMS + 7}
squares = list(in_two(count, lambda i: i * i, lambda r: r, lambda r: r))
got = []
def read(i):
    if i in ({bad}, {bad} + 5, count - 1):
        raise ValueError(f"item {{i}}")
    return i
try:
    for value in in_two(count, read, lambda r: r, lambda r: r):
        got.append(value)
except ValueError as exc:
    error = str(exc)
print(json.dumps([squares == [i * i for i in range(count)], got, error]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    same, got, error = json.loads(done.stdout)
    assert same and got == list(range(bad)) and error == f"item {bad}"
