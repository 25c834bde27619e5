"""Set up and run balance-dash with nothing but Python 3.11+ (the project's Makefile).

    python3 tasks.py run      create .venv from the lock file and start the dashboard
    python3 tasks.py test     create .venv with the test tools and run lint, types and every test
    python3 tasks.py bench    run the speed and memory benchmark
    python3 tasks.py lock     re-resolve requirements*.lock from pyproject.toml (needs uv)

Uses only the standard library, so it runs before any dependency is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def run_server(args: list[str], env: dict[str, str] | None = None) -> int:
    """Run a server (`balance-dash serve`) as this very process where the system allows it.

    On POSIX this process is replaced by the server (exec), so Ctrl+C, SIGTERM or SIGHUP sent to
    `tasks.py run` reach `balance-dash serve` itself, which stops Streamlit and frees the port
    (cli.serve); no second copy of that stop logic lives here. Elsewhere it runs as a child.
    """
    print("+", " ".join(args), flush=True)
    if os.name == "posix":
        os.chdir(ROOT)
        if env is None:
            os.execv(args[0], args)
        os.execve(args[0], args, env)
    return subprocess.call(args, cwd=ROOT, env=env)


def ensure_venv(lock: str) -> None:
    """Create .venv and install `lock` into it, unless that exact lock is already installed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run on an old Python to say so
        sys.exit(f"balance-dash needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    lock_path = ROOT / lock
    wanted = hashlib.sha256(lock_path.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{lock}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not PYTHON.exists():
        print(f"Creating {VENV.name} with {sys.executable}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--require-hashes", "-r", lock_path)
    # The build backend comes from the lock (hash-pinned), not from an isolated build
    # environment that would fetch whatever version is newest.
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-build-isolation", "--no-index", "-e", ROOT)
    for other in VENV.glob(".installed-*"):
        other.unlink()
    stamp.write_text(wanted)


def cmd_run(extra: list[str]) -> None:
    ensure_venv("requirements.lock")
    sys.exit(run_server([str(BIN / "balance-dash"), "serve", *extra]))


def cmd_test(extra: list[str]) -> None:
    ensure_venv("requirements-dev.lock")
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "mypy")
    # The suite runs twice, under two machine time zones far apart: the system zone must never
    # leak into results (house style, practice 16). The second pass skips the slow browser tests
    # and the install test (a wheel in a fresh environment: nothing in it depends on the zone).
    for index, zone in enumerate(("Pacific/Auckland", "America/New_York")):
        env = {**os.environ, "TZ": zone}
        marks = [] if index == 0 else ["-m", "not browser and not install"]
        _run(PYTHON, "-m", "pytest", "-n", "2", *marks, *extra, env=env)


def cmd_bench(extra: list[str]) -> None:
    ensure_venv("requirements-dev.lock")
    _run(PYTHON, "-m", "tests.bench", *extra)


def cmd_lock(extra: list[str]) -> None:
    """Both locks hold the build backend too ([build-system] requires, read from stdin), so that
    installing the project needs nothing that the lock does not pin with hashes."""
    import tomllib

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    requires = [*requires, "editables"]  # what hatchling asks for to build an editable install
    common = ["uv", "pip", "compile", "pyproject.toml", "-", "--python-version", "3.11", "--universal",
              "--generate-hashes", "--quiet", *extra]
    for lock, extras in (("requirements.lock", []), ("requirements-dev.lock", ["--extra", "dev"])):
        print("+", " ".join([*common, *extras, "-o", lock]), flush=True)
        completed = subprocess.run([*common, *extras, "-o", lock], cwd=ROOT, input="\n".join(requires) + "\n",
                                   text=True, check=False)
        if completed.returncode != 0:
            sys.exit(completed.returncode)


COMMANDS = {"run": cmd_run, "test": cmd_test, "bench": cmd_bench, "lock": cmd_lock}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
