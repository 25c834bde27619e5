"""Stopping `balance-dash serve` or `tasks.py run` (SIGTERM, Ctrl+C) stops the Streamlit server
under it and frees the port, so the next start does not fail with "Port 8765 is not available"."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.environment import REPO_ROOT, free_port

STARTUP_S = 90.0
STOP_S = 30.0


def descendants(pid: int) -> set[int]:
    """Every process under `pid` (Linux: /proc/<pid>/task/<tid>/children)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                for child in map(int, children.read_text().split()):
                    if child not in found:
                        found.add(child)
                        pending.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def port_is_free(port: int) -> bool:
    """Whether a server could listen on `port` now. Like Streamlit's server (tornado's
    bind_sockets), set SO_REUSEADDR: closed connections waiting out TIME_WAIT do not hold a port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        for host in ("127.0.0.1", "localhost"):
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2) as response,
            ):
                if response.read().strip() == b"ok":
                    return
        time.sleep(0.3)
    pytest.fail(f"the server did not start within {STARTUP_S:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
@pytest.mark.parametrize("launcher", ["balance-dash serve", "tasks.py run"])
def test_stopping_the_launcher_stops_the_server_and_frees_the_port(sqlite_url, tmp_path, launcher, how):
    port = free_port()
    serve = [sys.executable, "-m", "balance_dash.cli", "serve", "--db", sqlite_url, "--port", str(port)]
    if launcher == "tasks.py run":  # the same server runner as `tasks.py run`, without its install step
        script = "import runpy, sys; sys.exit(runpy.run_path('tasks.py', run_name='tasks')['run_server'](sys.argv[1:]))"
        command = [sys.executable, "-c", script, *serve]
    else:
        command = serve
    env = {**os.environ, "STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
           "STREAMLIT_SERVER_ADDRESS": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_healthy(process, port, log)
        under = descendants(process.pid)
        assert under, "the launcher runs the server as a child"
        assert not port_is_free(port)
        process.send_signal(how)  # to the launcher only, as a service manager's SIGTERM does
        assert process.wait(STOP_S) == 0
        deadline = time.monotonic() + STOP_S
        while any(alive(pid) for pid in under) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in under if alive(pid)], "a server process outlived its launcher"
        assert port_is_free(port)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its own group: nothing is left behind if the test fails
        process.wait(5)
