"""Ctrl+C stops a service cleanly whenever it comes: a script (or a user) that presses it the moment the address
is printed gets exit 0 and a closed socket, not a traceback or "interrupted"."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest

#: a service whose announcement itself is interrupted: the SIGINT lands while the address line is being written
SCRIPT = """
import os, signal, socket, sys
from flask import Flask
from videokit.services import Server, serve_until_interrupted

class Interrupting:
    def write(self, text):
        sys.__stdout__.write(text)
        if "listening" in text:
            os.kill(os.getpid(), signal.SIGINT)
        return len(text)
    def flush(self):
        sys.__stdout__.flush()

server = Server("127.0.0.1", 0, Flask("stopping"))
port = server.server_port
sys.stdout = Interrupting()
serve_until_interrupted(server, f"listening at http://127.0.0.1:{port}")
sys.stdout = sys.__stdout__
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    print("still open")
except OSError:
    print("stopped, socket closed")
"""


@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_a_ctrl_c_as_the_address_is_printed_is_a_clean_stop(inherited):
    """Started as a shell does (SIGINT default) and as a background job of a script does (SIGINT ignored)."""
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if inherited == "ignored" else None
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60,
                            preexec_fn=ignore)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("listening at http://127.0.0.1:"), result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("stopped, socket closed"), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
