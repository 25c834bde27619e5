"""The dashboard as a real server: `streamlit run` in a child process on a free local port."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from tests.support.environment import REPO_ROOT, free_port, tail

APP_SCRIPT = REPO_ROOT / "app.py"
DATABASE_ENV = "BALANCE_DASH_DB"
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class DashboardFailedToStart(Exception):
    """The server exited or never answered its health check; the message holds its output."""


@dataclass
class DashboardServer:
    """A running `streamlit run`; `stop()` ends its whole process group."""

    process: subprocess.Popen[bytes]
    command: list[str]
    base_url: str
    log_path: Path

    @classmethod
    def start(
        cls,
        script: Path,
        database_url: str,
        log_dir: Path,
        extra_env: Mapping[str, str] | None = None,
        timeout_s: float = STARTUP_TIMEOUT_S,
    ) -> DashboardServer:
        """Start Streamlit on `script` from the repository root and wait until it is healthy."""
        port = free_port()
        command = [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            # The whole traceback on the page, so a failing browser test quotes it (default: redacted).
            "--client.showErrorDetails", "full",
        ]  # fmt: skip
        env = {**os.environ, **(extra_env or {}), DATABASE_ENV: database_url, "PYTHONUNBUFFERED": "1"}
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"streamlit-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches every child
            )
        server = cls(process=process, command=command, base_url=f"http://127.0.0.1:{port}", log_path=log_path)
        try:
            server._wait_until_healthy(timeout_s)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_until_healthy(self, timeout_s: float) -> None:
        health = f"{self.base_url}/_stcore/health"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail(f"exited with code {self.process.returncode} before answering {health}")
            try:
                with urllib.request.urlopen(health, timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # not listening yet
            time.sleep(0.2)
        self._fail(f"did not answer {health} with 'ok' within {timeout_s:.0f} s")

    def _fail(self, what: str) -> NoReturn:
        self.stop()
        raise DashboardFailedToStart(
            f"The dashboard server {what}.\ncommand: {' '.join(self.command)}\n"
            f"--- server output (stdout and stderr, {self.log_path}) ---\n{tail(self.log_path)}"
        )

    def stop(self) -> None:
        """Terminate the server's process group, then kill it if it lingers; safe to call twice."""
        if self.process.returncode is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, None)):
            with contextlib.suppress(ProcessLookupError):  # the group is already gone
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue
