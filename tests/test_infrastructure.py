"""The shared fixtures do what tests/conftest.py promises: real databases, a real server, a real browser."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.conftest import StartDashboard
from tests.support.browser import ARTIFACTS, expect_no_exception, open_app, screenshot
from tests.support.dashboard import DashboardFailedToStart, DashboardServer
from tests.support.environment import unavailable
from tests.support.postgres import PostgresCluster, leftover_connections_closed

HELLO_APP = """\
import os

import streamlit as st

st.title("hello")
st.code(os.environ["BALANCE_DASH_DB"])
"""


def _round_trip(url: str) -> list[tuple[int, str]]:
    """Create a table, insert two rows and read them back through SQLAlchemy."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY, area TEXT NOT NULL)"))
            connection.execute(
                sa.text("INSERT INTO probe (id, area) VALUES (:id, :area)"),
                [{"id": 1, "area": "work"}, {"id": 2, "area": "sleep"}],
            )
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, area FROM probe ORDER BY id")).all()
        return [(row.id, row.area) for row in rows]
    finally:
        engine.dispose()


def _port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_frozen_now_is_a_fixed_aware_utc_instant(frozen_now: datetime) -> None:
    assert frozen_now == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert frozen_now.utcoffset() == timedelta(0)


def test_sqlite_url_points_at_a_fresh_file_in_the_test_folder(sqlite_url: str, tmp_path: Path) -> None:
    assert sqlite_url == f"sqlite:///{tmp_path / 'balance.db'}"
    assert not (tmp_path / "balance.db").exists()
    assert _round_trip(sqlite_url) == [(1, "work"), (2, "sleep")]


@pytest.mark.postgres
def test_postgres_url_is_a_working_empty_database(postgres_url: str, request: pytest.FixtureRequest) -> None:
    assert postgres_url.startswith("postgresql+psycopg://")
    engine = sa.create_engine(postgres_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    assert _round_trip(postgres_url) == [(1, "work"), (2, "sleep")]
    assert request.node.get_closest_marker("postgres") is not None


@pytest.mark.postgres
@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_its_own_postgres_database(postgres_url: str, run: int) -> None:
    # The same CREATE TABLE in both runs: it would fail on a database shared between tests.
    assert _round_trip(postgres_url) == [(1, "work"), (2, "sleep")]


def test_db_url_covers_both_backends(db_url: str, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["db_url"]
    assert db_url.startswith({"sqlite": "sqlite:///", "postgres": "postgresql+psycopg://"}[backend])
    assert (request.node.get_closest_marker("postgres") is not None) == (backend == "postgres")
    assert _round_trip(db_url) == [(1, "work"), (2, "sleep")]


@pytest.mark.postgres
def test_a_stopped_cluster_leaves_nothing_behind(postgres_cluster: PostgresCluster) -> None:
    cluster = PostgresCluster.start(postgres_cluster.bin_dir)
    assert _port_is_open(cluster.port)
    cluster.stop()
    assert not _port_is_open(cluster.port)
    assert not cluster.folder.exists()


@pytest.mark.postgres
def test_connections_a_test_leaves_open_are_closed_at_teardown(postgres_cluster: PostgresCluster) -> None:
    name = postgres_cluster.create_database()
    engine = sa.create_engine(postgres_cluster.url(name))  # never disposed, as tests often forget
    with leftover_connections_closed(name):
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
        assert raw is not None
        assert not raw.closed  # back in the pool, still open
    assert raw.closed
    postgres_cluster.drop_database(name)


@pytest.mark.browser
def test_dashboard_serves_a_script_that_chromium_renders(
    start_dashboard: StartDashboard, page: Page, sqlite_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "hello_app.py"
    script.write_text(HELLO_APP, encoding="utf-8")

    open_app(page, start_dashboard(script))

    expect(page.get_by_role("heading", name="hello")).to_be_visible()
    expect_no_exception(page)
    expect(page.get_by_text(sqlite_url)).to_be_visible()  # the server got the test's database
    path = screenshot(page, "infrastructure-hello")
    assert path == ARTIFACTS / "infrastructure-hello.png"
    assert path.stat().st_size > 0


@pytest.mark.browser
def test_an_exception_in_the_app_is_caught(
    start_dashboard: StartDashboard, page: Page, tmp_path: Path
) -> None:
    script = tmp_path / "broken_app.py"
    script.write_text('raise RuntimeError("boom")\n', encoding="utf-8")
    open_app(page, start_dashboard(script))
    with pytest.raises(AssertionError, match="RuntimeError: boom"):
        expect_no_exception(page)


@pytest.mark.browser
def test_dashboard_start_failure_shows_the_server_output(tmp_path: Path) -> None:
    with pytest.raises(DashboardFailedToStart, match="does not exist"):
        DashboardServer.start(tmp_path / "missing.py", "sqlite://", log_dir=tmp_path)


@pytest.mark.browser
def test_a_stopped_dashboard_is_gone(tmp_path: Path) -> None:
    script = tmp_path / "hello_app.py"
    script.write_text(HELLO_APP, encoding="utf-8")
    server = DashboardServer.start(script, "sqlite://", log_dir=tmp_path)
    port = int(server.base_url.rsplit(":", 1)[1])
    server.stop()
    assert server.process.returncode is not None
    assert not _port_is_open(port)


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_tool_skips_locally_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no such server"):
        unavailable("no such server")
