"""The command line for what the user sets (targets, settings) and for an empty database."""

from __future__ import annotations

from pathlib import Path

import pytest

from balance_dash import store
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "balance_dash" / "data" / "sample.ics"


def test_targets_are_shown_and_set(capsys, monkeypatch, sqlite_url):
    code, out, _ = run_cli(capsys, monkeypatch, "targets", "--db", sqlite_url, "--tz", "Europe/Berlin")
    assert code == 0
    assert "work      35–48 h" in out and "rest      at least 7 h" in out
    code, out, _ = run_cli(capsys, monkeypatch, "targets", "set", "work", "35-45", "--from", "2026-12-01", "--db", sqlite_url)
    assert (code, out.strip()) == (0, "work from 2026-12-01: 35–45 h")
    code, out, _ = run_cli(capsys, monkeypatch, "targets", "set", "family", "14-", "--from", "2026-12-01", "--db", sqlite_url)
    assert out.strip() == "family from 2026-12-01: at least 14 h"
    code, out, _ = run_cli(capsys, monkeypatch, "targets", "set", "rest", "-", "--from", "2026-12-01", "--db", sqlite_url)
    assert out.strip() == "rest from 2026-12-01: no target"
    targets = store.load_targets(store.open_engine(sqlite_url))
    latest = targets[targets["effective_from"].astype(str) == "2026-12-01"].set_index("area")
    assert latest.loc["work", ["min_hours", "max_hours"]].tolist() == [35.0, 45.0]
    assert latest.loc["rest", ["min_hours", "max_hours"]].isna().all()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("targets", "set", "work", "50-45"), "'50-45': 'at least' 50 h is above 'at most' 45 h"),
        (("targets", "set", "chores", "5-"), "'chores' is not an area"),
        (("targets", "set", "work", "lots"), "'lots' is not a target range"),
        (("targets", "set", "work", "200-"), "between 0 and 168 hours"),
        (("settings", "set", "nope", "1"), "there is no setting called 'nope'"),
        (("settings", "set", "sleep_start", "25:00"), "setting sleep_start: '25:00' is not accepted"),
        (("settings", "set", "my_addresses", "bob"), "'bob' is not an e-mail address"),
        (("settings", "set", "rest_days", "someday"), "'someday' is not a day of the week"),
        (("settings", "set", "week_caution_hours", "500"), "setting week_caution_hours: '500' is not accepted"),
    ],
)
def test_a_wrong_name_or_value_is_one_line_and_exit_2(capsys, monkeypatch, sqlite_url, args, words):
    before = store.data_revision(store.open_engine(sqlite_url))
    code, out, err = run_cli(capsys, monkeypatch, *args, "--db", sqlite_url)
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith("error: ") and words in line, line
    assert "Traceback" not in err and out == ""
    assert store.data_revision(store.open_engine(sqlite_url)) == before


def test_settings_are_listed_with_help_and_set(capsys, monkeypatch, sqlite_url):
    code, out, _ = run_cli(capsys, monkeypatch, "settings", "--db", sqlite_url)
    assert code == 0
    assert "my_addresses = (none)" in out and "rest_days = Saturday, Sunday" in out
    assert "week_caution_hours = 48.0" in out and "(EU Working Time Directive art. 6)" in out
    for name, value, shown in (
        ("my_addresses", "Me@Example.com; mailto:me@work.example", "me@example.com, me@work.example"),
        ("sleep_start", "23:30", "23:30"),
        ("week_starts_on", "Sunday", "sunday"),
        ("rest_days", "fri, sat", "Friday, Saturday"),
        ("sleep_enabled", "no", "no"),
        ("week_caution_hours", "50", "50.0"),
        ("timezone", "", "(none)"),
    ):
        code, out, err = run_cli(capsys, monkeypatch, "settings", "set", name, value, "--db", sqlite_url)
        assert (code, out.strip()) == (0, f"{name} = {shown}"), err
    saved = store.load_settings(store.open_engine(sqlite_url))
    assert saved.my_addresses == ("me@example.com", "me@work.example")
    assert (saved.week_starts_on, saved.rest_days, saved.sleep_enabled) == ("sunday", (4, 5), False)
    assert saved.thresholds.week_caution_hours == 50.0


def test_an_empty_database_says_nothing_is_imported(capsys, monkeypatch, sqlite_url):
    for command in ("summary", "warnings"):
        code, out, _ = run_cli(capsys, monkeypatch, command, "--db", sqlite_url, "--tz", "Europe/Berlin")
        assert code == 0
        assert out.startswith("Nothing imported yet.") and "balance-dash demo" in out
        assert "below" not in out
    code, out, _ = run_cli(capsys, monkeypatch, "summary", "--json", "--db", sqlite_url, "--tz", "Europe/Berlin")
    document = __import__("json").loads(out)
    assert document["has_data"] is False
    assert all(not week["has_data"] and not week["warnings"] for week in document["weeks"])


def test_a_database_in_a_missing_folder_is_refused(capsys, monkeypatch, tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    code, out, err = run_cli(capsys, monkeypatch, "summary", "--db", f"sqlite:///{missing}/x.db")
    assert code != 0 and out == ""
    assert f"the folder {missing} does not exist" in err
    assert not (tmp_path / "no").exists()


def test_a_new_category_on_reimport_is_reported(capsys, monkeypatch, sqlite_url):
    code, out, _ = run_cli(capsys, monkeypatch, "import", str(SAMPLE), "--db", sqlite_url, "--tz", "Europe/Berlin")
    assert code == 0 and "moved to" not in out
    code, out, _ = run_cli(
        capsys, monkeypatch, "import", str(SAMPLE), "--category", "work", "--db", sqlite_url, "--tz", "Europe/Berlin"
    )
    assert code == 0
    [headline] = [line for line in out.splitlines() if "->" in line]
    assert "; 0 added, 0 updated, 0 removed, 1638 unchanged" in headline
    count = int(headline.split(" unchanged")[0].rsplit(" ", 1)[1])
    assert f"({count} moved to the calendar's new area)" in headline
    assert f"note: The calendar's area changed: {count:,} occurrences moved with it." in out
