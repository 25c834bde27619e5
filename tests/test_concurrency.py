"""Several dashboard users and a CLI import write at the same time: nothing is lost.

Runs on SQLite (WAL, busy timeout: writers queue, never "database is locked") and on PostgreSQL.
The CLI import is a real `balance-dash import` process; the dashboard users are threads sharing
one engine, as Streamlit's sessions share the cached one.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from balance_dash import store, workflows
from balance_dash.ingest.ics import read_ics
from balance_dash.models import Occurrence, Source
from balance_dash.settings import Settings
from tests.bench.generate import generate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
ENTRIES_PER_USER = 12
SETTINGS_WRITES = 8


def _calendar(seed: int) -> bytes:
    return generate(0.04, seed=seed, now=NOW, ahead_days=3)


def _expected_rows(data: bytes) -> int:
    """Rows the import stores: every occurrence, the cancelled ones too (kept to report them)."""
    parsed = read_ics(data, file_name="x.ics", tz=BERLIN, now=NOW)
    return len(parsed.frame) + len(parsed.cancelled_frame)


def test_concurrent_imports_logs_and_settings_lose_nothing(db_url: str, tmp_path: Path) -> None:
    engine = store.open_engine(db_url)
    start_revision = store.data_revision(engine)
    cli_file = tmp_path / "cli-calendar.ics"
    cli_file.write_bytes(_calendar(1))
    dashboard_calendars = {f"Dashboard calendar {n}": _calendar(seed) for n, seed in ((1, 2), (2, 3))}
    gate = threading.Barrier(1 + len(dashboard_calendars) + 2 + 2)
    failures: list[BaseException] = []
    revisions_seen: dict[int, list[int]] = {1: [], 2: []}

    def user(work: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                gate.wait(timeout=60)
                work()
            except BaseException as error:  # reported below, with every other thread's
                failures.append(error)

        return run

    def cli_import() -> None:
        command = [sys.executable, "-c", "from balance_dash.cli import main; main()", "import", str(cli_file),
                   "--db", db_url, "--tz", "Europe/Berlin", "--calendar", "CLI calendar"]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert completed.returncode == 0, completed.stderr

    def dashboard_import(name: str, data: bytes) -> Callable[[], object]:
        return lambda: workflows.import_calendar(
            engine, data, file_name=f"{name}.ics", tz=BERLIN, settings=Settings(), now=NOW, source_name=name
        ) and None

    def log_entries(user_number: int) -> None:
        for n in range(ENTRIES_PER_USER):
            start = NOW - timedelta(days=n, hours=user_number * 3)
            workflows.log_time(engine, tz=BERLIN, area="personal", start=start, end=start + timedelta(minutes=45),
                               note=f"user {user_number} entry {n}")
            revisions_seen[user_number].append(store.data_revision(engine))
            workflows.balance(workflows.Scope.of(engine, tz=BERLIN, now=NOW),
                              first_day=(NOW - timedelta(days=14)).date(), last_day=NOW.date())

    def write_settings() -> None:
        for n in range(SETTINGS_WRITES):
            store.save_settings(engine, Settings(timezone="Europe/Berlin", sleep_enabled=n % 2 == 0))

    threads = [threading.Thread(target=user(cli_import))]
    threads += [threading.Thread(target=user(dashboard_import(name, data))) for name, data in dashboard_calendars.items()]
    threads += [threading.Thread(target=user(lambda n=n: log_entries(n))) for n in (1, 2)]
    threads += [threading.Thread(target=user(write_settings)), threading.Thread(target=user(lambda: None))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not failures, failures

    with engine.connect() as connection:
        counts: dict[str, int] = dict(
            connection.execute(
                sa.select(Source.name, sa.func.count(Occurrence.id))  # type: ignore[arg-type]
                .join(Occurrence, Occurrence.source_id == Source.id)  # type: ignore[arg-type]
                .group_by(Source.name)
            ).all()
        )
    assert counts["CLI calendar"] == _expected_rows(cli_file.read_bytes())
    for name, data in dashboard_calendars.items():
        assert counts[name] == _expected_rows(data)
    assert counts[workflows.MANUAL_SOURCE_NAME] == 2 * ENTRIES_PER_USER
    assert store.load_settings(engine).timezone == "Europe/Berlin"
    # Every write bumped the revision exactly once: none was lost or applied twice.
    writes = 1 + len(dashboard_calendars) + 2 * ENTRIES_PER_USER + SETTINGS_WRITES
    assert store.data_revision(engine) == start_revision + writes
    for seen in revisions_seen.values():  # each user saw the counter only move forward
        assert seen == sorted(seen)
        assert len(seen) == ENTRIES_PER_USER
    engine.dispose()


def test_sqlite_engines_wait_for_each_other_instead_of_failing(sqlite_url: str) -> None:
    engine = store.open_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()
