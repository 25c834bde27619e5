"""Fixtures shared by the whole suite (the machinery lives in tests/support/).

Time and databases:  frozen_now, sqlite_url, postgres_url, db_url (both backends)
A real dashboard:    start_dashboard (factory), dashboard (app.py on an empty SQLite file)
A real browser:      browser (one headless Chromium per worker), page (a fresh tall tab)

Tests that use postgres_url are marked `postgres`, and tests that use the dashboard or the browser
are marked `browser`, automatically. Without a PostgreSQL server or a Chromium those tests skip,
except in CI (CI=true), where they fail: CI must never pass by skipping.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy.engine import Engine

from balance_dash import store
from tests.support.apptest import seed_sample
from tests.support.browser import VIEWPORT, chromium_args, find_chromium, screenshot
from tests.support.dashboard import APP_SCRIPT, DashboardServer
from tests.support.environment import unavailable
from tests.support.live_servers import FailKeyring, FeedServer, keyring_replaced
from tests.support.postgres import (
    PostgresCluster,
    PostgresUnavailable,
    find_bin_dir,
    leftover_connections_closed,
)

FROZEN_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

POSTGRES_FIXTURES = frozenset({"postgres_cluster", "postgres_url"})
BROWSER_FIXTURES = frozenset({"browser", "page", "dashboard", "start_dashboard"})
PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects, so `-m "not browser"` sees these marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & POSTGRES_FIXTURES:
            item.add_marker(pytest.mark.postgres)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report: pytest.TestReport = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


# --- time and databases ---------------------------------------------------------------------------


@pytest.fixture
def frozen_now() -> datetime:
    """The suite's "now": Monday 23 November 2026, 12:00 UTC (an aware datetime)."""
    return FROZEN_NOW


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLAlchemy URL to a SQLite file that does not exist yet, fresh for every test."""
    return f"sqlite:///{tmp_path / 'balance.db'}"


@pytest.fixture
def seeded_url(sqlite_url: str) -> str:
    """`sqlite_url` holding the sample calendar, with Europe/Berlin as the display zone."""
    return seed_sample(sqlite_url)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster per xdist worker, stopped and deleted at the end."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        unavailable(
            "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin, no pg_ctl on PATH); "
            "install the Debian package 'postgresql'"
        )
    try:
        cluster = PostgresCluster.start(bin_dir)
    except PostgresUnavailable as error:
        unavailable(str(error))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A SQLAlchemy URL (postgresql+psycopg) to a new, empty database, dropped after the test."""
    name = postgres_cluster.create_database()
    try:
        with leftover_connections_closed(name):
            yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL on each backend in turn: the test runs once per backend."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


# --- a real dashboard -----------------------------------------------------------------------------


class StartDashboard(Protocol):
    def __call__(
        self, script: Path | None = None, *, db_url: str | None = None, env: Mapping[str, str] | None = None
    ) -> str: ...


@pytest.fixture
def start_dashboard(sqlite_url: str, tmp_path: Path) -> Iterator[StartDashboard]:
    """Start `streamlit run` and return its base URL; every server is stopped after the test.

    `script` defaults to the repository's app.py and `db_url` to the test's `sqlite_url`, so a
    test can seed that database first and then start the dashboard on it.
    """
    servers: list[DashboardServer] = []

    def start(
        script: Path | None = None, *, db_url: str | None = None, env: Mapping[str, str] | None = None
    ) -> str:
        server = DashboardServer.start(
            script or APP_SCRIPT, db_url or sqlite_url, log_dir=tmp_path / "logs", extra_env=env
        )
        servers.append(server)
        return server.base_url

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def dashboard(start_dashboard: StartDashboard) -> str:
    """The base URL of app.py running on an empty SQLite database (the test's `sqlite_url`)."""
    return start_dashboard()


# --- a real browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system's headless Chromium, once per xdist worker."""
    executable = find_chromium()
    if executable is None:
        unavailable("Chromium not found (no /usr/bin/chromium); install the Debian package 'chromium'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=chromium_args())
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new tab (1400x2400, own cookies); when the test fails its screenshot lands in tests/artifacts/."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    try:
        yield tab
        reports = request.node.stash.get(PHASE_REPORTS, {})
        if "call" in reports and reports["call"].failed:
            with contextlib.suppress(PlaywrightError):  # a dead page must not hide the real failure
                screenshot(tab, f"failed-{request.node.nodeid}")
    finally:
        context.close()


# --- live calendars ---------------------------------------------------------------------------------


@pytest.fixture
def no_system_keyring() -> Iterator[None]:
    """No test reaches the machine's real keyring: the fail backend stands in (the database fallback)."""
    with keyring_replaced(FailKeyring()):
        yield


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    """A calendar address served on 127.0.0.1 (tests/support/live_servers.py), stopped after the test."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """An engine on the test's fresh SQLite file, disposed after the test."""
    opened = store.open_engine(sqlite_url)
    yield opened
    opened.dispose()
