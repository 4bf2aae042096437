"""A warm interpreter for running the `videokit` console command and the tools' scripts many times: one Python
process imports what the command's script imports first (``videokit.cli``) and the training stack's packages
(torch, torchvision, mmengine, mmcv: 3-4 s of CPU per start), then forks one child per command.

Each child is the command as its script runs it (``sys.argv``, ``sys.exit(main())``; a script such as
``tools/train.py`` run as ``__main__`` with its folder first on the path), in its own process, folder and
environment, its output in a file, its exit code its own: only the imports are shared. (A script that must set
something before torch loads, as ``tools/extract_features.py`` does, is not one to run here.) Those imports have no
effect a command could lean on (no registry scope is set, no videokit module registers anything by being
imported here), so a command that forgets to import or register what it needs still fails.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

#: what the server imports before it forks
PRELOAD = ("videokit.cli", "torch", "torchvision", "mmengine", "mmcv")

_SERVER = r"""
import atexit, json, os, runpy, sys, threading, traceback
for name in sys.argv[1:]:
    __import__(name)
if threading.active_count() != 1:  # a forked copy of a threaded process may hang: refuse, the caller starts fresh
    print(json.dumps({"ready": False}), flush=True)
    sys.exit(0)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:  # the command, as its console script runs it; the interpreter's own exit ends it
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        out = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.stdin = open(0)
        sys.argv = request["argv"]
        try:
            if request["script"]:  # `python SCRIPT ARGS`: its folder first on the path, run as __main__
                sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
                runpy.run_path(sys.argv[0], run_name="__main__")
                sys.exit(0)
            from videokit.cli import main
            sys.exit(main())
        except SystemExit as exc:  # what the interpreter makes of it
            code = exc.code
            if code is not None and not isinstance(code, int):
                print(code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
        # the interpreter's exit without tearing down every module (a second with torch loaded): its threads,
        # its exit functions, its streams
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), flush=True)
"""


class WarmInterpreter:
    """Runs ``videokit ...`` commands as forks of one interpreter that imported :data:`PRELOAD`."""

    def __init__(self, executable: str = sys.executable, preload=PRELOAD) -> None:
        self.process: Optional[subprocess.Popen] = subprocess.Popen(
            [executable, "-c", _SERVER, *preload], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        answer = json.loads(self.process.stdout.readline() or '{"ready": false}')
        if not answer.get("ready"):
            self.close()
        self.script = str(Path(executable).parent / "videokit")

    @property
    def ready(self) -> bool:
        return self.process is not None

    def run(self, args: List[str], env: Dict[str, str], cwd: Path, timeout: float = 600) -> Tuple[int, str]:
        """``videokit *args`` in ``cwd`` with exactly ``env``: (exit code, stdout and stderr)."""
        return self._request([self.script, *args], False, env, cwd, timeout)

    def run_script(self, script: Path, args: List[str], env: Dict[str, str], cwd: Path,
                   timeout: float = 600) -> Tuple[int, str]:
        """``python script *args`` (``tools/train.py`` ...): (exit code, stdout and stderr)."""
        return self._request([str(script), *args], True, env, cwd, timeout)

    def _request(self, argv: List[str], script: bool, env: Dict[str, str], cwd: Path,
                 timeout: float) -> Tuple[int, str]:
        assert self.process is not None, "the warm interpreter did not start"
        with tempfile.NamedTemporaryFile("r", suffix=".out") as output:
            request = {"argv": argv, "script": script, "env": env, "cwd": str(cwd), "output": output.name}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            pid = json.loads(self._line(60))["pid"]
            try:
                code = json.loads(self._line(timeout))["code"]
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                self._line(60)
                raise TimeoutError(f"{' '.join(argv)} did not end within {timeout} s") from None
            return code, Path(output.name).read_text(errors="replace")

    def _line(self, timeout: float) -> str:
        """The server's next line (one per request and step, so nothing waits in the pipe's buffer)."""
        if not select.select([self.process.stdout], [], [], timeout)[0]:
            raise TimeoutError
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the warm interpreter ended (exit {self.process.wait(30)})")
        return line

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
