"""A throwaway PostgreSQL cluster for `--db postgres`, started from the installed server binaries.

From a checkout the test suite's `tests/support/postgres.py` does it; where that is not
importable (an installed package), a small starter here does the same: initdb into a temporary
folder, listen on 127.0.0.1 on a free port, trust local connections, delete it all after.
"""

from __future__ import annotations

import importlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path is None:
        raise RuntimeError("PostgreSQL server binaries not found; install the Debian package 'postgresql'")
    return Path(on_path).resolve().parent


@contextmanager
def _own_cluster() -> Iterator[Callable[[], str]]:
    bin_dir = _bin_dir()
    account = pwd.getpwnam("postgres") if os.geteuid() == 0 else None  # the server refuses root
    folder = Path(tempfile.mkdtemp(prefix="balance-dash-bench-pg-", dir="/tmp"))
    data = folder / "data"
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)

    def run(*args: str | Path) -> None:
        user: dict[str, Any] = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
        subprocess.run([str(a) for a in args], cwd=folder, check=True, capture_output=True, **user)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run(bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth", "trust", "--no-sync", "-E", "UTF8", "--no-locale")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c fsync=off"
    run(bin_dir / "pg_ctl", "start", "-D", data, "-l", folder / "server.log", "-w", "-o", options)
    try:

        def create() -> str:
            name = f"bench_{uuid.uuid4().hex[:12]}"
            run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", name)
            return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{name}"

        yield create
    finally:
        run(bin_dir / "pg_ctl", "stop", "-D", data, "-m", "fast", "-w")
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def throwaway_cluster() -> Iterator[Callable[[], str]]:
    """A running cluster; yields a function that creates a fresh database and returns its URL."""
    try:
        support = importlib.import_module("tests.support.postgres")
    except ImportError:
        with _own_cluster() as create:
            yield create
        return
    bin_dir = support.find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found; install the Debian package 'postgresql'")
    cluster = support.PostgresCluster.start(bin_dir)
    try:
        yield lambda: str(cluster.url(cluster.create_database()))
    finally:
        cluster.stop()
