"""Every command block of README.md and docs/*.md is run here as a user would type it, or marked in the doc as
not run, with the reason: a doc that drifts from the code fails the suite.

A block is marked by the HTML comment on the line above it: ``<!-- docs-test: run -->`` or
``<!-- docs-test: not run (why) -->``. A run block's commands run in a temporary folder that holds what a
user's checkout beside ``../shared`` holds: ``annotations/``, ``configs/``, ``tools/``, ``requirements/``, the
trained demo's output as ``demo_output/`` (the session's one demo run, shared with the other tests that read
it), ``../shared`` (the real annotation files and sample clips) and a ``data/`` folder standing in for
``/data/``: ``data/nurvid/videos`` (small made videos under the real ids of NurViD's shortest videos),
``data/ophnet/videos`` (the sample clips) and ``data/videos`` (four of the demo's videos). What a doc writes in
capitals or names for a file the user has stands for one of these (:data:`STANDS_FOR`); ``[optional parts]`` are
left out. Each command runs in a process of its own: ``videokit`` commands as forks of a warm interpreter that
imported the console script's first module and the training stack (:mod:`tests.warm`, the session's ``warm``
fixture: the same command, folder and environment, 3-4 s less to start), servers and the rest as fresh processes.
Checked per command: exit code 0 and, for each ``#  -> line`` the doc shows under it, a line of the output with
the same words (numbers and ``...`` match any).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from .conftest import REAL, ROOT, SAMPLE_VIDEOS, SHARED, TRAINED_DEMO

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"<!-- docs-test: (run|not run \((?P<reason>.+)\)) -->")

#: placeholders and the user's own files, as the docs write them -> what stands for them in the test's folder
STANDS_FOR: Dict[str, str] = {
    "/data/": "data/",
    "CASE_ID": "case_0444",
    "VIDEO_timeline": "timeline_out",
    "VIDEO": "demo_output/videos/demo_0_06.mp4",
    "V.mp4": "demo_output/videos/demo_0_00.mp4",
    "RECOGNIZER_CFG": "configs/demo/multilevel_r18_1x1x4_demo.py",
    "RECOGNIZER_CKPT": "demo_output/work_dir/epoch_12.pth",
    "CONFIG": "configs/demo/multilevel_r18_1x1x4_demo.py",
    "CKPT": "demo_output/work_dir/epoch_12.pth",
    "WORKFLOW_CFG": "configs/demo/causal_tcn_demo.py",
    "WORKFLOW_CKPT": "demo_output/work_dir_workflow/epoch_60.pth",
    "FEATURES.npy": "demo_output/features/demo_0_00.npy",
    "DIR": "demo_output/videos",
    "ophnet_phase_gt.json": "demo_output/converted/action_detection.json",
    "gt.json": "demo_output/converted/action_detection.json",
    "results.json": "demo_output/detection_results.json",
}


@dataclass
class Command:
    text: str
    line: int
    shows: List[str] = field(default_factory=list)  # the output lines the doc shows under it
    not_run: str = ""  # the reason, where the doc marks this one command ``# not run: why``


@dataclass
class Block:
    doc: Path
    line: int
    language: str
    marker: str
    commands: List[Command]
    source: str = ""

    @property
    def name(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def _commands(lines: List[Tuple[int, str]]) -> List[Command]:
    commands: List[Command] = []
    pending = ""
    for number, raw in lines:
        line = raw.strip()
        shown = re.match(r"#\s*->\s?(.*)", line)
        if shown and commands and not pending:
            commands[-1].shows.append(shown.group(1).strip())
            continue
        if not line or line.startswith("#"):
            continue
        comment = re.search(r"\s+#\s(.*)$", line)
        line = line[:comment.start()] if comment else line
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        reason = re.match(r"\s*not run: (.+)", comment.group(1)) if comment else None
        commands.append(Command(" ".join((pending + line).split()), number, not_run=reason.group(1) if reason else ""))
        pending = ""
    return commands


def blocks() -> List[Block]:
    found = []
    for doc in DOCS:
        lines = doc.read_text().splitlines()
        i = 0
        while i < len(lines):
            fence = re.match(r"```(\w*)\s*$", lines[i])
            if not fence:
                i += 1
                continue
            start, language = i, fence.group(1)
            i += 1
            body = []
            while i < len(lines) and not lines[i].startswith("```"):
                body.append((i + 1, lines[i]))
                i += 1
            i += 1
            marker = MARKER.search(lines[start - 1]) if start else None
            found.append(Block(doc, start + 1, language, marker.group(1) if marker else "", _commands(body),
                               "\n".join(text for _, text in body)))
    return found


COMMAND_BLOCKS = [b for b in blocks() if b.language in ("bash", "sh")]
RUN = [b for b in COMMAND_BLOCKS if b.marker == "run"]


def test_every_command_block_is_run_or_marked_not_run_with_a_reason():
    unmarked = [b.name for b in COMMAND_BLOCKS if not b.marker]
    assert not unmarked, f"command blocks without a docs-test marker: {unmarked}"
    assert RUN, "no documented command is run"
    counts = {"run": sum(1 for b in RUN for c in b.commands if not c.not_run),
              "not run": sum(len(b.commands) for b in COMMAND_BLOCKS if b.marker != "run")
              + sum(1 for b in RUN for c in b.commands if c.not_run)}
    print(f"documented commands: {counts['run']} run by tests, {counts['not run']} marked not run")


def test_python_snippets_in_the_docs_are_python():
    snippets = [b for b in blocks() if b.language == "python"]
    assert snippets
    for block in snippets:
        compile(block.source, block.name, "exec")


def _argv(command: str) -> Tuple[Dict[str, str], List[str]]:
    text = command
    while True:  # optional parts, innermost first
        shorter = re.sub(r"\s*\[[^\[\]]*\]", "", text)
        if shorter == text:
            break
        text = shorter
    for name in sorted(STANDS_FOR, key=len, reverse=True):
        text = re.sub(rf"(?<![\w./-]){re.escape(name)}(?![\w])" if not name.startswith("/") else re.escape(name),
                      STANDS_FOR[name], text)
    words = shlex.split(text)
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    return env, words


def _matches(shown: str, output: str) -> bool:
    pattern = re.escape(shown)
    pattern = pattern.replace(r"\.\.\.", ".*")
    pattern = re.sub(r"[0-9]+(?:\\\.[0-9]+)?", "[0-9.e+-]+", pattern)
    pattern = re.sub(r"(\\ )+", r"\\s+", pattern)
    return re.search(pattern, output) is not None


@pytest.fixture(scope="module")
def workdir(trained_demo, tmp_path_factory):
    """The folder the documented commands run in (see the module's docstring)."""
    from .test_partial_download import nurvid_download

    demo_root, _ = trained_demo
    top = tmp_path_factory.mktemp("docs")
    work = top / "work"
    work.mkdir()
    (top / "shared").symlink_to(SHARED)
    for name in ("annotations", "configs", "tools", "requirements"):
        (work / name).symlink_to(ROOT / name)
    (work / "demo_output").symlink_to(demo_root)
    (work / "data" / "nurvid").mkdir(parents=True)
    nurvid_download(work / "data" / "nurvid" / "videos", count=3)
    (work / "data" / "ophnet").mkdir(parents=True)
    shutil.copytree(SAMPLE_VIDEOS, work / "data" / "ophnet" / "videos", ignore=shutil.ignore_patterns("*.md"))
    (work / "data" / "videos").mkdir()  # a user's own videos: four of the demo's (int8 calibration, the backend)
    for video in sorted((demo_root / "videos").glob("*.mp4"))[::6]:
        (work / "data" / "videos" / video.name).symlink_to(video)
    _annotators_files(demo_root, work)
    _nurvid_results(work / "nurvid_results.json")
    return work


def _annotators_files(demo_root: Path, work: Path) -> None:
    """Two annotators' files of the demo's videos (compare, review --compare): A as made, B with every step's
    end 0.5 s earlier, as canonical JSON and as the ELAN folder ``annotator_b.eaf``."""
    from videokit.annotations import read_annotations, write_annotations

    a = read_annotations(demo_root / "converted" / "demo.canonical.json", "canonical")
    shutil.copy(demo_root / "converted" / "demo.canonical.json", work / "annotator_a.json")
    for video in a:
        for segment in video.segments:
            if segment.level == "action":
                segment.end = round(segment.end - 0.5, 3)
    write_annotations(a, work / "annotator_b.json", "canonical")
    write_annotations(a, work / "annotator_b.eaf", "elan")


def _nurvid_results(path: Path) -> None:
    """A NurViD detector's results in ActivityNet's form: the test videos' published action segments, each
    0.5 s late (what a user's tools/test.py results_file holds)."""
    import json

    from videokit.annotations import read_annotations

    nurvid = read_annotations(REAL / "nurvid", "nurvid")
    names = nurvid.taxonomy.class_names("action")
    results = {v.video_id: [{"label": names[s.label], "score": 0.9, "segment": [s.start + 0.5, s.end + 0.5]}
                            for s in v.segments if s.level == "action"]
               for v in nurvid if v.split == "test"}
    path.write_text(json.dumps({"version": "videokit", "results": results}))


def _executable(argv: List[str]) -> List[str]:
    if argv[0] == "videokit":
        return [str(Path(sys.executable).parent / "videokit"), *argv[1:]]
    if argv[0] == "python":
        return [sys.executable, *argv[1:]]
    return argv


def _run(argv: List[str], env: Dict[str, str], cwd: Path, shows: List[str]) -> Tuple[int, str]:
    result = subprocess.run(_executable(argv), cwd=cwd, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                            capture_output=True, text=True, timeout=600)
    return result.returncode, result.stdout + result.stderr


#: commands that serve until stopped: started, read until they say where they listen, then stopped (Ctrl+C)
SERVERS = (["videokit", "review"], ["videokit", "serve"])
LISTENING = re.compile(r"http://127\.0\.0\.1:[0-9]+")


def _serve(argv: List[str], env: Dict[str, str], cwd: Path, shows: List[str]) -> Tuple[int, str]:
    process = subprocess.Popen(_executable(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, **env, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"})
    output = ""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            output += line
            if LISTENING.search(line) and all(_matches(shown, output) for shown in shows):
                break
        if process.poll() is not None:
            return process.returncode, output + process.stdout.read()
        process.send_signal(signal.SIGINT)
        try:
            output += process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:  # still running: where every thread of it stands (faulthandler)
            process.send_signal(signal.SIGABRT)
            output += process.communicate(timeout=30)[0]
            return 1, output + "\n-> did not stop within 30 s of Ctrl+C (its threads' stacks above)"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return (process.returncode if LISTENING.search(output) else 1), output  # Ctrl+C is a clean stop: exit 0


@pytest.mark.xdist_group(TRAINED_DEMO)
@pytest.mark.parametrize("block", RUN, ids=[b.name for b in RUN])
def test_documented_commands_work_as_written(block, workdir, warm):
    assert REAL.is_dir()
    for command in block.commands:
        if command.not_run:
            continue
        env, argv = _argv(command.text)
        if argv[:2] in SERVERS:
            code, output = _serve(argv, env, workdir, command.shows)
        elif argv[0] == "videokit" and warm.ready:
            code, output = warm.run(argv[1:], {**os.environ, **env, "PYTHONUNBUFFERED": "1"}, workdir)
        else:
            code, output = _run(argv, env, workdir, command.shows)
        where = f"{block.doc.name}:{command.line}: {command.text}"
        assert code == 0, f"{where}\n-> exit {code}\n{output[-3000:]}"
        for shown in command.shows:
            assert _matches(shown, output), f"{where}\n-> the doc shows {shown!r}; the output:\n{output[-3000:]}"
