"""Restore validates before it replaces: each crafted backup of issue 11 is refused with one clear
message, quickly, and the database in use stays exactly as it was."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from balance_dash import store, workflows
from balance_dash.errors import BalanceDashError, SettingsError
from balance_dash.settings import Settings
from balance_dash.workflows import data as data_workflows
from tests.support import hostile
from tests.support.cli import run_cli
from tests.test_cli import table_counts

BERLIN = workflows.resolve_zone("Europe/Berlin")


@pytest.fixture
def good_backup(tmp_path: Path, frozen_now) -> Path:
    """A real backup of a small database: one calendar, a manual entry, the default rules."""
    engine = store.open_engine(f"sqlite:///{tmp_path / 'source.db'}")
    store.save_settings(engine, Settings(timezone="Europe/Berlin"))
    workflows.import_calendar(engine, hostile.calendar(hostile.event("a", title="Planning"), name="Work"),
                              file_name="w.ics", tz=BERLIN, settings=store.load_settings(engine), now=frozen_now)
    path = tmp_path / "good.db"
    path.write_bytes(data_workflows.backup(engine).data)
    engine.dispose()
    return path


def crafted(good: Path, tmp_path: Path, name: str, *statements: str) -> bytes:
    path = tmp_path / name
    path.write_bytes(good.read_bytes())
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return path.read_bytes()


RECURSIVE_VIEW = (
    "CREATE VIEW placement AS WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n) "
    "SELECT id, 1 AS source_id, 'u' AS uid, '*' AS recurrence_key, 'work' AS area, '2026-01-01' AS created_at FROM n"
)
CASES = {
    "recursive_view.db": (("DROP TABLE placement", RECURSIVE_VIEW), "'placement' is a view, not a table"),
    "bad_settings_json.db": (("UPDATE settings SET payload = '{not json'",), "the settings cannot be read"),
    "unknown_zone.db": (("UPDATE settings SET payload = '{\"timezone\": \"Mars/Olympus\"}'",), "unknown time zone 'Mars/Olympus'"),
    "catastrophic_rule.db": (
        ("INSERT INTO rule (position, field, pattern, is_regex, area, marks_day_off, enabled) VALUES (99, 'title', '(a+)+$', 1, 'work', 0, 1)",),
        "could take minutes to match",
    ),
    "unknown_area.db": (("UPDATE rule SET area = 'hobby'",), "area 'hobby' is not one of"),
    "missing_column.db": (("ALTER TABLE rule DROP COLUMN pattern",), "table 'rule' lacks the column(s) pattern"),
    "missing_table.db": (("DROP TABLE journalentry",), "it has no table 'journalentry'"),
    "text_instant.db": (("UPDATE occurrence SET start_utc = 'yesterday'",), "table 'occurrence'"),
    "text_in_integer.db": (("UPDATE rule SET position = 'first'",), "table 'rule' row 1: position holds 'first', not a int"),
    "trigger.db": (("CREATE TRIGGER t AFTER INSERT ON rule BEGIN DELETE FROM rule; END",), "it holds a trigger"),
    "bad_weekdays.db": (
        ("INSERT INTO boundary (name, kind, area, weekdays, start_local, end_local, effective_from, active, created_at) "
         "VALUES ('b', 'forbid', 'work', '0,9', '18:00:00.000000', '08:00:00.000000', '2026-01-05', 1, '2026-01-05 00:00:00.000000')",),
        "weekdays '0,9' are not days 0 to 6",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_crafted_backup_is_refused_and_changes_nothing(name, good_backup, tmp_path, seeded_url):
    statements, words = CASES[name]
    data = crafted(good_backup, tmp_path, name, *statements)
    engine = store.open_engine(seeded_url)
    before = table_counts(seeded_url)
    started = time.monotonic()
    with pytest.raises(BalanceDashError) as caught:
        data_workflows.restore(engine, data, file_name=name, settings=Settings())
    assert time.monotonic() - started < 15
    message = str(caught.value)
    assert message.startswith(f"{name}: "), message
    assert words in message, message
    assert "\n" not in message
    assert table_counts(seeded_url) == before
    engine.dispose()


def test_the_good_backup_restores(good_backup, seeded_url):
    engine = store.open_engine(seeded_url)
    report = data_workflows.restore(engine, good_backup.read_bytes(), file_name="good.db", settings=Settings())
    assert report.rows["source"] == 1
    assert store.load_sources(engine)["name"].tolist() == ["Work"]
    engine.dispose()


def test_cli_backup_then_restore_round_trips(capsys, monkeypatch, tmp_path, seeded_url, sqlite_url):
    target = f"sqlite:///{tmp_path / 'other.db'}"
    copy = tmp_path / "copy.db"
    code, out, _err = run_cli(capsys, monkeypatch, "backup", str(copy), "--db", seeded_url)
    assert code == 0 and out.startswith("Wrote a backup of ")
    code, out, err = run_cli(capsys, monkeypatch, "restore", str(copy), "--db", target, "--yes")
    assert (code, err) == (0, ""), err
    assert out.startswith("Restored copy.db: 1 calendars")
    assert table_counts(target)["occurrence"] == table_counts(seeded_url)["occurrence"]


def test_cli_restore_of_a_crafted_backup_is_one_line(capsys, monkeypatch, tmp_path, good_backup, seeded_url):
    path = tmp_path / "view.db"
    path.write_bytes(crafted(good_backup, tmp_path, "v.db", "DROP TABLE placement", RECURSIVE_VIEW))
    before = table_counts(seeded_url)
    code, out, err = run_cli(capsys, monkeypatch, "restore", str(path), "--db", seeded_url, "--yes")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "'placement' is a view, not a table" in err
    assert table_counts(seeded_url) == before


@pytest.mark.parametrize("payload", ["{not json", json.dumps({"timezone": "Mars/Olympus"}), json.dumps({"max_occurrences": -1})])
def test_settings_the_app_cannot_read_warn_and_can_be_reset(capsys, monkeypatch, seeded_url, payload):
    engine = store.open_engine(seeded_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE settings SET payload = ?", (payload,))
    with pytest.raises(SettingsError):
        store.load_settings(engine)
    code, out, err = run_cli(capsys, monkeypatch, "summary", "--db", seeded_url, "--json", "--tz", "UTC")
    assert code == 0
    assert json.loads(out)["timezone"] == "UTC"
    assert err.startswith("warning: the saved settings cannot be read (")
    assert "balance-dash reset-settings" in err
    code, out, err = run_cli(capsys, monkeypatch, "reset-settings", "--db", seeded_url)
    assert (code, err) == (0, "")
    assert store.load_settings(engine) == Settings()
    engine.dispose()


def test_the_dashboard_starts_on_unreadable_settings_and_offers_a_reset(monkeypatch, seeded_url):
    from tests.support.apptest import PAGES, make_app, no_exception, shown

    engine = store.open_engine(seeded_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE settings SET payload = ?", ('{"timezone": "Mars/Olympus"}',))
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    assert any("the saved settings cannot be read" in shown(w.value) for w in at.sidebar.warning)
    no_exception(at.switch_page(f"{PAGES}/data.py").run())
    assert at.title[0].value == "Data"
    [reset] = [b for b in at.sidebar.button if b.label == "Reset the settings to the defaults"]
    no_exception(reset.click().run())
    assert not at.sidebar.warning
    assert store.load_settings(engine) == Settings()
    engine.dispose()
