"""The command line, end to end: import, summary, demo, errors as one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from balance_dash import store
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLE = REPO / "balance_dash" / "data" / "sample.ics"


def table_counts(url: str) -> dict[str, int]:
    engine = store.make_engine(url)
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        counts = {name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}
    engine.dispose()
    return counts


def write_ics(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n")
    return path


def event(uid: str, title: str, start: str, end: str) -> str:
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:{title}\r\nDTSTART:{start}\r\nDTEND:{end}\r\nEND:VEVENT\r\n"


def test_import_then_summary_json_has_the_specified_shape(capsys, monkeypatch, tmp_path, sqlite_url):
    path = write_ics(tmp_path, "work.ics", event("a", "Planning", "20241007T080000Z", "20241007T100000Z"))
    code, out, err = run_cli(capsys, monkeypatch, "import", str(path), "--db", sqlite_url, "--tz", "Europe/Berlin", "--category", "work")
    assert code == 0, err
    assert "1 added" in out
    code, out, err = run_cli(capsys, monkeypatch, "summary", "--db", sqlite_url, "--tz", "Europe/Berlin", "--week", "2024-W41", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["timezone"] == "Europe/Berlin"
    [week] = document["weeks"]
    assert week["week"] == "2024-W41"
    assert week["start"] == "2024-10-07"
    assert week["scheduled"] is False
    assert set(week["hours"]) >= {"work", "family", "personal", "rest", "uncategorized", "integration", "unaccounted"}
    assert week["hours"]["work"] == 2.0
    assert isinstance(week["targets"], dict)
    assert isinstance(week["warnings"], list)


def test_same_file_twice_changes_nothing(capsys, monkeypatch, tmp_path, sqlite_url):
    path = write_ics(tmp_path, "cal.ics", event("a", "Standup", "20241007T080000Z", "20241007T081500Z"))
    run_cli(capsys, monkeypatch, "import", str(path), "--db", sqlite_url)
    before = table_counts(sqlite_url)
    code, out, _ = run_cli(capsys, monkeypatch, "import", str(path), "--db", sqlite_url)
    assert code == 0
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in out
    after = table_counts(sqlite_url)
    assert {k: v for k, v in after.items() if k not in {"importrun", "data_revision"}} == {
        k: v for k, v in before.items() if k not in {"importrun", "data_revision"}
    }


def test_reimport_replaces_the_snapshot(capsys, monkeypatch, tmp_path, sqlite_url):
    first = event("a", "Standup", "20241007T080000Z", "20241007T081500Z") + event("b", "Review", "20241008T080000Z", "20241008T090000Z")
    second = event("a", "Standup", "20241007T080000Z", "20241007T083000Z") + event("c", "Retro", "20241009T080000Z", "20241009T090000Z")
    run_cli(capsys, monkeypatch, "import", str(write_ics(tmp_path, "cal.ics", first)), "--db", sqlite_url)
    code, out, _ = run_cli(capsys, monkeypatch, "import", str(write_ics(tmp_path, "cal.ics", second)), "--db", sqlite_url)
    assert code == 0
    assert "1 added, 1 updated, 1 removed, 0 unchanged" in out


def test_broken_file_gives_one_line_and_changes_nothing(capsys, monkeypatch, tmp_path, sqlite_url):
    good = write_ics(tmp_path, "good.ics", event("a", "Standup", "20241007T080000Z", "20241007T081500Z"))
    run_cli(capsys, monkeypatch, "import", str(good), "--db", sqlite_url)
    before = table_counts(sqlite_url)
    broken = tmp_path / "broken.ics"
    broken.write_bytes(b"this is not a calendar at all\n\x00\xff")
    code, _out, err = run_cli(capsys, monkeypatch, "import", str(broken), "--db", sqlite_url)
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: broken.ics")
    assert "Traceback" not in err
    assert table_counts(sqlite_url) == before


def test_one_bad_file_does_not_stop_the_others(capsys, monkeypatch, tmp_path, sqlite_url):
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\r\nnonsense\r\n")
    good = write_ics(tmp_path, "good.ics", event("a", "Standup", "20241007T080000Z", "20241007T081500Z"))
    code, out, err = run_cli(capsys, monkeypatch, "import", str(broken), str(good), "--db", sqlite_url)
    assert code == 1
    assert "broken.ics" in err
    assert "good.ics" in out and "1 added" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "--week", "2026-47"], "is not an ISO week"),
        (["summary", "--from", "2026-13-01"], "is not a date"),
        (["summary", "--from", "2026-11-10", "--to", "2026-11-01"], "is before"),
        (["summary", "--tz", "Mars/Olympus_Mons"], "unknown time zone"),
        (["import", "missing.ics"], "cannot read the file"),
        (["import", "x.ics", "--category", "hobby"], "unknown area"),
        (["import", "x.ics", "--since", "99999-01-01"], "is not a date"),
        (["import", "x.ics", "--since", "1066-10-14"], "outside the years"),
    ],
)
def test_bad_arguments_say_what_and_where(capsys, monkeypatch, tmp_path, sqlite_url, args, message):
    (tmp_path / "x.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, monkeypatch, *args, "--db", sqlite_url)
    assert code != 0
    assert message in err
    assert "Traceback" not in err


def test_demo_loads_the_sample_and_summary_shows_it(capsys, monkeypatch, sqlite_url):
    code, out, err = run_cli(capsys, monkeypatch, "demo", "--db", sqlite_url, "--tz", "Europe/Berlin")
    assert code == 0, err
    assert "Sample calendar" in out
    code, out, _ = run_cli(
        capsys, monkeypatch, "summary", "--db", sqlite_url, "--tz", "Europe/Berlin", "--week", "2026-W46", "--json"
    )
    week = json.loads(out)["weeks"][0]
    # The sample's crunch week: standups, focus time, project work, evenings and a Saturday.
    assert week["hours"]["work"] >= 55
    assert {w["code"] for w in week["warnings"]} >= {"week_55h"}


# ---------------------------------------------------------------------------------------------
# The shared corpus: every real export imports with the expected hours, or is refused cleanly.


def corpus_files(kind: str) -> list[str]:
    if not (CORPUS / "expected.json").exists():
        return []
    expected = json.loads((CORPUS / "expected.json").read_text())
    names = sorted(name for name in expected if name != "_meta")
    if kind == "good":
        return [n for n in names if expected[n].get("parse_ok") and expected[n].get("expansion_ok")]
    return [n for n in names if not expected[n].get("parse_ok")]


def iso_week_start_utc(label: str) -> datetime:
    from zoneinfo import ZoneInfo

    year, week = label.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    return datetime(monday.year, monday.month, monday.day, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus ../shared/corpus is not present")
@pytest.mark.parametrize("name", corpus_files("good"))
def test_corpus_weekly_work_hours_match_the_reference(capsys, monkeypatch, tmp_path, name):
    expected = json.loads((CORPUS / "expected.json").read_text())[name]
    url = f"sqlite:///{tmp_path / 'corpus.db'}"
    since, until = expected["window"]
    code, _, err = run_cli(
        capsys, monkeypatch, "import", str(CORPUS / name), "--db", url, "--category", "work",
        "--tz", "Europe/Berlin", "--since", since, "--until", until,
    )
    assert code == 0, err
    code, out, err = run_cli(
        capsys, monkeypatch, "summary", "--db", url, "--tz", "Europe/Berlin", "--json",
        "--from", since[:10], "--to", until[:10],
    )
    assert code == 0, err
    got = {week["week"]: week["hours"]["work"] for week in json.loads(out)["weeks"]}
    window_start = datetime.fromisoformat(since.replace("Z", "+00:00"))
    window_end = datetime.fromisoformat(until.replace("Z", "+00:00"))
    inside = {
        label for label in got
        if iso_week_start_utc(label) >= window_start and iso_week_start_utc(label) + timedelta(days=7) <= window_end
    }
    assert inside, "the window holds no whole week"
    reference = expected["weekly_union_hours"]
    for label in sorted(inside):
        assert got[label] == pytest.approx(reference.get(label, 0.0), abs=0.01), label


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus ../shared/corpus is not present")
@pytest.mark.parametrize("name", corpus_files("broken"))
def test_corpus_broken_files_are_refused_clearly(capsys, monkeypatch, tmp_path, name):
    url = f"sqlite:///{tmp_path / 'corpus.db'}"
    run_cli(capsys, monkeypatch, "demo", "--db", url, "--tz", "Europe/Berlin")
    before = table_counts(url)
    code, _out, err = run_cli(capsys, monkeypatch, "import", str(CORPUS / name), "--db", url, "--tz", "Europe/Berlin")
    assert code == 1
    [line] = [line for line in err.splitlines() if line.strip()]
    assert line.startswith(f"error: {name}")
    assert "Traceback" not in err
    assert table_counts(url) == before


def test_summary_json_marks_the_days_of_the_sample_vacation(capsys, monkeypatch, sqlite_url):
    code, _, err = run_cli(capsys, monkeypatch, "demo", "--db", sqlite_url, "--tz", "Europe/Berlin")
    assert code == 0, err
    code, out, err = run_cli(
        capsys, monkeypatch, "summary", "--db", sqlite_url, "--tz", "Europe/Berlin", "--week", "2026-W43", "--json"
    )
    assert code == 0, err
    [week] = json.loads(out)["weeks"]
    # "Vacation - Lake Garda", all-day Monday 2026-10-19 to Friday 2026-10-23: a day-off rule places it in rest.
    assert week["days_marked"] == {"work": 0, "family": 0, "personal": 0, "rest": 5, "off": 5}
    assert set(week["hours"]) == {
        "work", "family", "personal", "rest", "uncategorized", "integration", "unaccounted",
        "sleep", "assumed_sleep", "tentative",
    }
    # Five working days off: a vacation week, its work target pro rata 0 h, and no "below target".
    assert (week["vacation"], week["days_off"], week["has_data"]) == (True, 5, True)
    assert week["targets"]["work"] == {"min_hours": 0.0, "max_hours": 0.0}
    assert week["targets"]["family"] == {"min_hours": 14.0, "max_hours": None}
    assert not [w for w in week["warnings"] if w["code"] == "below_target" and "work" in w["message"]]
    assert set(week["not_counted"]) == {"cancelled", "declined", "out_of_office", "free"}
    # Sleep is its own figure: rest holds only what the calendar holds as rest.
    assert week["hours"]["sleep"] >= week["hours"]["assumed_sleep"] > 40


def test_importing_the_command_leaves_the_cycle_collector_on():
    """The command turns the collector off only while its libraries are imported: a program (or
    the dashboard's process) that imports it keeps collecting cycles."""
    probe = "import gc, balance_dash.cli; print(gc.isenabled())"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert shown.stdout.strip() == "True"
