"""The data workflows: exports (CSV, JSON, PNG), backup and restore, and `balance-dash export`."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from balance_dash import store, workflows
from balance_dash.errors import BalanceDashError, InvalidValueError, SchemaError, StoreError
from balance_dash.models import JournalEntry
from balance_dash.settings import Settings
from balance_dash.workflows import data as data_workflows
from balance_dash.workflows import rules as rule_workflows
from balance_dash.workflows.scope import Scope
from tests.support.cli import run_cli

BERLIN = "Europe/Berlin"
ZONE = workflows.resolve_zone(BERLIN)


def seeded(url: str, frozen_now):
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=BERLIN))
    workflows.load_sample(engine, tz=ZONE, settings=store.load_settings(engine), now=frozen_now)
    return engine


def contents(engine) -> dict[str, list[dict[str, object]]]:
    """Every row of every table but the revision counter, comparable across databases."""
    dump = store.dump_tables(engine)
    dump.pop("data_revision")
    return {name: sorted(json.dumps(row, default=str, sort_keys=True) for row in rows) for name, rows in dump.items()}


# --- exports ----------------------------------------------------------------------------------------


def test_entries_export_round_trips_through_csv_and_json(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    settings = store.load_settings(engine)
    expected = data_workflows.entries(Scope.of(engine, tz=ZONE))
    assert len(expected) == store.count_occurrences(engine)
    csv_back = pd.read_csv(
        io.BytesIO(data_workflows.export(Scope.of(engine, settings=settings, tz=ZONE), what="entries", fmt="csv")),
        keep_default_na=False,
    )
    pd.testing.assert_frame_equal(csv_back, expected, check_dtype=False)
    json_back = pd.read_json(
        io.BytesIO(data_workflows.export(Scope.of(engine, settings=settings, tz=ZONE), what="entries", fmt="json")),
        orient="records", dtype=False,
    )
    pd.testing.assert_frame_equal(json_back, expected, check_dtype=False)
    sam = expected[expected["title"] == "Catch-up with Sam"].iloc[0]
    assert (sam["start"], sam["end"], sam["duration_hours"], sam["area"]) == (
        "2026-11-19T12:45+01:00", "2026-11-19T13:15+01:00", 0.5, "uncategorized",
    )


def test_entries_export_of_a_period(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    week = data_workflows.entries(Scope.of(engine, tz=ZONE), first_day=date(2026, 11, 16), last_day=date(2026, 11, 22))
    starts = pd.to_datetime(week.loc[~week["all_day"], "start"].str[:10])
    assert len(week) and starts.min() >= pd.Timestamp("2026-11-15") and starts.max() <= pd.Timestamp("2026-11-22")
    assert "Catch-up with Sam" in week["title"].tolist()


def test_weeks_export_is_the_summary_document(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    settings = store.load_settings(engine)
    scope = Scope.of(engine, settings=settings, tz=ZONE, now=frozen_now)
    period = {"first_day": date(2026, 11, 2), "last_day": date(2026, 11, 22)}
    document = json.loads(data_workflows.export(scope, what="weeks", fmt="json", **period))
    assert [week["week"] for week in document["weeks"]] == ["2026-W45", "2026-W46", "2026-W47"]
    assert document["timezone"] == BERLIN and document["weeks"][1]["hours"]["work"] >= 55
    table = pd.read_csv(io.BytesIO(data_workflows.export(scope, what="weeks", fmt="csv", **period)))
    assert table["week"].tolist() == ["2026-W45", "2026-W46", "2026-W47"]
    assert table["work_hours"].tolist() == [w["hours"]["work"] for w in document["weeks"]]
    assert "week_55h" in table.loc[1, "warning_codes"]


def test_weeks_export_of_an_empty_database(sqlite_url):
    engine = store.open_engine(sqlite_url)
    document = data_workflows.weeks(Scope.of(engine, settings=Settings(), tz=ZONE))
    assert document["weeks"] == []
    assert data_workflows.export(Scope.of(engine, settings=Settings(), tz=ZONE), what="entries", fmt="csv").startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("what", "fmt", "message"), [("people", "csv", "cannot export 'people'"), ("entries", "xlsx", "unknown export format")]
)
def test_unknown_export_kinds_are_refused(sqlite_url, what, fmt, message):
    engine = store.open_engine(sqlite_url)
    with pytest.raises(InvalidValueError, match=message):
        data_workflows.export(Scope.of(engine, settings=Settings(), tz=ZONE), what=what, fmt=fmt)


def test_chart_png_uses_the_local_chromium(sqlite_url, frozen_now):
    if data_workflows.chart_browser() is None:
        pytest.skip("no Chromium on this machine")
    engine = seeded(sqlite_url, frozen_now)
    image = data_workflows.chart_png(
        Scope.of(engine, tz=ZONE, now=frozen_now), first_day=date(2026, 9, 7), last_day=date(2026, 11, 22)
    )
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert (width, height) == data_workflows.PNG_SIZE


def test_chart_png_without_a_browser_says_so(sqlite_url, frozen_now, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium-here"))
    assert data_workflows.chart_browser() is None
    engine = seeded(sqlite_url, frozen_now)
    with pytest.raises(BalanceDashError, match="needs Chromium or Chrome, and none was found") as caught:
        data_workflows.chart_png(Scope.of(engine, settings=Settings(), tz=ZONE), first_day=date(2026, 11, 2), last_day=date(2026, 11, 8))
    assert "apt install chromium" in str(caught.value)


# --- backup and restore ----------------------------------------------------------------------------


def test_backup_then_restore_brings_back_every_row(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    store.save_journal(engine, JournalEntry(week_start=date(2026, 11, 16), notes="A calm week"))
    original = contents(engine)
    backup = data_workflows.backup(engine, now=frozen_now)
    assert backup.file_name == "balance-dash-backup-20261123-120000.db" and backup.data.startswith(store.SQLITE_HEADER)
    # Change everything the backup holds, then restore.
    rule_workflows.place_series(engine, source_id=1, title="Catch-up with Sam", area="family")
    rule_workflows.save_rules(engine, [{"field": "title", "pattern": "x", "area": "work"}])
    store.delete_source(engine, 1)
    revision = store.data_revision(engine)
    report = data_workflows.restore(engine, backup.data, file_name=backup.file_name, settings=Settings())
    assert contents(engine) == original
    assert store.data_revision(engine) > revision  # the dashboard's caches see the change
    assert report.rows["occurrence"] == len(original["occurrence"]) and report.headline().startswith("Restored")
    assert rule_workflows.uncategorized_events(Scope.of(engine))["title"].tolist() == ["Catch-up with Sam"]


def test_a_backup_restores_into_another_database(sqlite_url, db_url, frozen_now, tmp_path):
    source = seeded(sqlite_url, frozen_now)
    backup = data_workflows.backup(source)
    target = store.open_engine(db_url)
    data_workflows.restore(target, backup.data, file_name="b.db", settings=Settings())
    assert contents(target) == contents(source)
    # New rows still get fresh ids after the restore (PostgreSQL's sequences moved past the copies).
    workflows.log_time(target, tz=ZONE, area="family", note="walk", start=frozen_now, end=frozen_now + pd.Timedelta(hours=1))
    store.place(target, source_id=1, uid="coffee@sample.balance-dash", recurrence_key="*", area="family")
    assert len(store.load_placements(target)) == 1
    target.dispose()


def test_backup_of_a_database_in_use_is_consistent(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    other = store.open_engine(sqlite_url)  # a second process's engine writing meanwhile
    with other.begin() as connection:
        connection.execute(sa.text("UPDATE source SET name = 'Renamed'"))
        data = data_workflows.backup(engine).data  # the uncommitted rename is not in the copy
    with sqlite3.connect(":memory:") as copy:
        copy.deserialize(data)
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] in {"memory", "delete"}
        assert copy.execute("SELECT name FROM source").fetchall() == [("Sample calendar",)]
    other.dispose()


def test_a_non_sqlite_backend_gets_a_json_dump(db_url, frozen_now):
    engine = seeded(db_url, frozen_now)
    backup = data_workflows.backup(engine, now=frozen_now)
    if engine.dialect.name == "sqlite":
        assert backup.file_name.endswith(".db")
    else:
        assert backup.file_name.endswith(".json") and backup.mime == "application/json"
        dump = json.loads(backup.data)
        assert dump["alembic_version"][0]["version_num"] == store.schema_state(engine)[1]
        assert len(dump["occurrence"]) == store.count_occurrences(engine, with_cancelled=True)
    engine.dispose()


def sqlite_file(tmp_path, statements: list[str]) -> bytes:
    path = tmp_path / "upload.db"
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda tmp, good: b"start,end,area\n2026-11-01,2026-11-02,work\n", InvalidValueError, "not a SQLite database"),
        (lambda tmp, good: b"", InvalidValueError, "not a SQLite database"),
        (lambda tmp, good: sqlite_file(tmp, ["CREATE TABLE notes (x TEXT)"]), InvalidValueError, "not a balance-dash backup"),
        (
            lambda tmp, good: sqlite_file(tmp, ["CREATE TABLE alembic_version (version_num TEXT)",
                                                "INSERT INTO alembic_version VALUES ('9999_future')"]),
            SchemaError, "schema revision 9999_future",
        ),
        (lambda tmp, good: good[: len(good) // 3], InvalidValueError, "cannot be read|damaged"),
    ],
    ids=["csv", "empty", "other-sqlite", "newer-schema", "truncated"],
)
def test_a_bad_upload_is_refused_and_changes_nothing(sqlite_url, frozen_now, tmp_path, make, error, message):
    engine = seeded(sqlite_url, frozen_now)
    good = data_workflows.backup(engine).data
    before, revision = contents(engine), store.data_revision(engine)
    with pytest.raises(error, match=message):
        data_workflows.restore(engine, make(tmp_path, good), file_name="upload.db", settings=Settings())
    assert contents(engine) == before and store.data_revision(engine) == revision


def test_a_backup_that_fails_halfway_leaves_the_database_as_it_was(sqlite_url, frozen_now, tmp_path):
    engine = seeded(sqlite_url, frozen_now)
    backup = tmp_path / "broken.db"
    backup.write_bytes(data_workflows.backup(engine).data)
    with sqlite3.connect(backup) as connection:  # an occurrence whose calendar is gone: the insert fails late
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("UPDATE occurrence SET source_id = 99 WHERE id = (SELECT max(id) FROM occurrence)")
    connection.close()
    store.place(engine, source_id=1, uid="coffee@sample.balance-dash", recurrence_key="*", area="rest")
    before = contents(engine)
    with pytest.raises(StoreError, match="nothing was changed"):
        data_workflows.restore(engine, backup.read_bytes(), file_name="broken.db", settings=Settings())
    assert contents(engine) == before


def test_an_oversized_upload_is_refused(sqlite_url):
    engine = store.open_engine(sqlite_url)
    with pytest.raises(BalanceDashError, match="above the limit of 1 MB"):
        data_workflows.restore(engine, b"x" * (1024 * 1024 + 1), file_name="big.db", settings=Settings(max_upload_mb=1))


# --- the command line ---------------------------------------------------------------------------------


def test_cli_export_writes_csv_to_a_file_and_json_to_stdout(sqlite_url, frozen_now, tmp_path, capsys, monkeypatch):
    seeded(sqlite_url, frozen_now).dispose()
    output = tmp_path / "entries.csv"
    code, _out, err = run_cli(
        capsys, monkeypatch, "export", "--db", sqlite_url, "--from", "2026-11-16", "--to", "2026-11-22", "--output", str(output)
    )
    assert code == 0, err
    entries = pd.read_csv(output)
    assert "Catch-up with Sam" in entries["title"].tolist() and str(output) in err
    code, out, err = run_cli(
        capsys, monkeypatch, "export", "--db", sqlite_url, "--what", "weeks", "--format", "json", "--from", "2026-11-16",
        "--to", "2026-11-22",
    )
    assert code == 0, err
    assert [week["week"] for week in json.loads(out)["weeks"]] == ["2026-W47"]
    code, _out, err = run_cli(capsys, monkeypatch, "export", "--db", sqlite_url, "--format", "xlsx")
    assert code == 1 and "unknown export format 'xlsx'" in err
