"""A throwaway PostgreSQL cluster, started from the installed server binaries.

One cluster per pytest(-xdist) worker, one fresh database per test. The cluster lives in a temporary
folder under /tmp, listens on 127.0.0.1 only (a free port, its unix socket inside that folder),
trusts every local connection and is thrown away at the end of the session.

PostgreSQL refuses to run as root (https://www.postgresql.org/docs/current/server-start.html), so
as root every server command runs as the `postgres` OS user; otherwise as the current user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry, Pool

from tests.support.environment import free_port, tail

DEBIAN_PG_LIB = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
START_ATTEMPTS = 3

# Durability is pointless for a cluster that is deleted after the run; turning it off makes
# CREATE DATABASE and every commit much faster.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


class PostgresUnavailable(Exception):
    """No usable PostgreSQL server on this machine (the message says what is missing)."""


def find_bin_dir() -> Path | None:
    """The newest server bin folder: Debian's /usr/lib/postgresql/<major>/bin, else pg_ctl on PATH."""
    debian = [
        path
        for path in DEBIAN_PG_LIB.glob("*/bin")
        if path.parent.name.isdigit() and (path / "pg_ctl").is_file() and (path / "initdb").is_file()
    ]
    if debian:
        return max(debian, key=lambda path: int(path.parent.name))
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


@dataclass(frozen=True)
class _ServerUser:
    """Whom the server commands run as: None means the current user."""

    account: pwd.struct_passwd | None

    @classmethod
    def for_this_process(cls) -> _ServerUser:
        if os.geteuid() != 0:
            return cls(None)
        try:
            return cls(pwd.getpwnam(SERVER_USER))
        except KeyError:
            raise PostgresUnavailable(
                f"running as root and there is no {SERVER_USER!r} OS user to run PostgreSQL as "
                "(install the Debian package 'postgresql', which creates it)"
            ) from None

    def own(self, path: Path) -> None:
        if self.account is not None:
            os.chown(path, self.account.pw_uid, self.account.pw_gid)

    def run(self, command: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run a server command as this user; the caller checks the return code."""
        args = [str(part) for part in command]
        if self.account is None:
            return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
        env = {**os.environ, "HOME": str(cwd), "USER": SERVER_USER, "LOGNAME": SERVER_USER}
        return subprocess.run(
            args,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            user=self.account.pw_uid,
            group=self.account.pw_gid,
            extra_groups=[],  # drop root's supplementary groups too
        )


@dataclass
class PostgresCluster:
    """A running throwaway cluster; `stop()` shuts it down and deletes its folder."""

    bin_dir: Path
    folder: Path
    port: int
    server_user: _ServerUser
    _admin: psycopg.Connection[TupleRow] | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    @classmethod
    def start(cls, bin_dir: Path) -> PostgresCluster:
        """initdb a fresh cluster in a new folder under /tmp and start it on a free port."""
        server_user = _ServerUser.for_this_process()
        # /tmp explicitly: $TMPDIR may point into /root, which the postgres user cannot enter.
        folder = Path(
            tempfile.mkdtemp(prefix="balance-dash-pg-", dir="/tmp" if server_user.account else None)
        )
        cluster = cls(bin_dir=bin_dir, folder=folder, port=0, server_user=server_user)
        try:
            cluster._init()
            cluster._start_on_free_port()
            cluster._admin = psycopg.connect(cluster._conninfo("postgres"), autocommit=True)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _init(self) -> None:
        socket_dir = self.folder / "socket"
        socket_dir.mkdir()
        for path in (self.folder, socket_dir):
            self.server_user.own(path)
        initdb: list[str | Path] = [
            self.bin_dir / "initdb", "--pgdata", self.data_dir, "--username", "postgres",
            "--auth", "trust", "--encoding", "UTF8", "--no-locale", "--no-sync",
        ]  # fmt: skip
        self._check("initdb", self.server_user.run(initdb, cwd=self.folder))
        settings = {**SETTINGS, "unix_socket_directories": f"'{socket_dir}'"}
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# balance-dash test cluster\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def _start_on_free_port(self) -> None:
        # Another process may take the free port between our probe and the server's bind; retry.
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            start: list[str | Path] = [
                self.bin_dir / "pg_ctl", "start", "--pgdata", self.data_dir, "--log", self.log_path,
                "--wait", "--timeout", "60", "-o", f"-p {self.port}",
            ]  # fmt: skip
            result = self.server_user.run(start, cwd=self.folder)
            if result.returncode == 0:
                return
            if attempt == START_ATTEMPTS:
                self._check("pg_ctl start", result)

    def _check(self, what: str, result: subprocess.CompletedProcess[str]) -> None:
        if result.returncode != 0:
            raise RuntimeError(
                f"{what} failed with exit code {result.returncode} in {self.folder}\n"
                f"--- output ---\n{result.stdout}{result.stderr}\n"
                f"--- server log ---\n{tail(self.log_path)}"
            )

    def _conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        """A SQLAlchemy URL (psycopg 3 driver) for `database` on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create a new, empty database with a unique name and return that name."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        self._admin_connection().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        """Drop `name`, disconnecting any session a test left open (PostgreSQL 13+)."""
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        self._admin_connection().execute(statement)

    def _admin_connection(self) -> psycopg.Connection[TupleRow]:
        if self._admin is None:
            raise RuntimeError("the PostgreSQL test cluster is not running")
        return self._admin

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the cluster folder; safe to call twice."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if (self.data_dir / "postmaster.pid").exists():
            pg_ctl = self.bin_dir / "pg_ctl"
            stop: list[str | Path] = [pg_ctl, "stop", "--pgdata", self.data_dir, "--mode", "fast", "--wait"]
            result = self.server_user.run(stop, cwd=self.folder)
            self._check("pg_ctl stop", result)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def leftover_connections_closed(database: str) -> Iterator[None]:
    """On exit, close every pooled connection to `database` that SQLAlchemy opened meanwhile.

    A test that drops its engine without `dispose()` leaves psycopg connections for the garbage
    collector, whose ResourceWarning (an error under filterwarnings) would then fail whichever later
    test happens to be running. Closing them here keeps each test's leftovers inside that test.
    """
    opened: list[psycopg.Connection[TupleRow]] = []

    def remember(dbapi_connection: object, _record: ConnectionPoolEntry) -> None:
        if isinstance(dbapi_connection, psycopg.Connection) and dbapi_connection.info.dbname == database:
            opened.append(dbapi_connection)

    event.listen(Pool, "connect", remember)
    try:
        yield
    finally:
        event.remove(Pool, "connect", remember)
        for connection in opened:
            connection.close()
