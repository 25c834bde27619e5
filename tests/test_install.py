"""balance-dash installs like a Python tool: the wheel, installed with the lock file into a fresh
virtual environment, works from an empty folder (no checkout at hand): `demo`, `summary --json`
and `serve` (its health endpoint answers), with the database in the user's data folder."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.support.environment import REPO_ROOT, free_port
from tests.test_serve_stop import STOP_S, wait_until_healthy

STEP_S = 600  # one pip step on a busy machine


def run(command: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=STEP_S,
                               check=False, **kwargs)  # type: ignore[call-overload]
    assert completed.returncode == 0, f"{command}:\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}"
    return completed


@pytest.mark.install
def test_the_wheel_installs_into_a_fresh_environment_and_runs_from_an_empty_folder(tmp_path):
    dist = tmp_path / "dist"
    # The build backend comes from the lock (installed in the test environment), not from the internet.
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--wheel-dir", dist, REPO_ROOT])
    [wheel] = dist.glob("balance_dash-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "balance_dash/data/sample.ics" in names and "balance_dash/ui/app.py" in names
    assert "balance_dash/ui/streamlit.toml" in names
    assert not [name for name in names if "/bench/" in name or name.startswith("tests/")], "the benchmark stays out"

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run([*pip, "--require-hashes", "-r", REPO_ROOT / "requirements.lock"])
    run([*pip, "--no-deps", wheel])

    empty, home = tmp_path / "empty", tmp_path / "home"
    empty.mkdir()
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("XDG_", "BALANCE_DASH_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"HOME": str(home), "TZ": "Europe/Berlin", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    tool = env_dir / "bin" / "balance-dash"
    demo = run([tool, "demo"], cwd=empty, env=env)
    assert "Sample calendar" in demo.stdout and "occurrences" in demo.stdout
    database = home / ".local" / "share" / "balance-dash" / "balance.db"
    assert database.is_file(), "without a data/ folder at hand the database is in the user's data folder"
    assert list(empty.iterdir()) == [], "nothing is written into the working folder"
    document = json.loads(run([tool, "summary", "--json"], cwd=empty, env=env).stdout)
    assert document["has_data"] is True and document["weeks"]

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([str(tool), "serve", "--port", str(port)], cwd=empty, env=env, stdout=output,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_healthy(server, port, log)  # type: ignore[arg-type]
        server.send_signal(signal.SIGTERM)
        assert server.wait(STOP_S) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # its own group: nothing is left behind if the test fails
        server.wait(5)
