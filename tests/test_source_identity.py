"""Sources are matched by name only within their kind: a calendar, a CSV log and the manual log
never replace one another, whatever their names (issue 11, "names that delete data")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from balance_dash import store, workflows
from balance_dash.errors import SourceClashError
from tests.support.apptest import seed_sample
from tests.support.cli import run_cli
from tests.test_cli import table_counts, write_ics

BERLIN = ZoneInfo("Europe/Berlin")
OWN_CSV = "start,end,area,note\n2026-11-16 09:00,2026-11-16 12:00,work,Writing\n"


def snapshot(url: str) -> tuple[dict[str, int], list[tuple[object, ...]]]:
    engine = store.open_engine(url)
    sources = store.load_sources(engine)[["name", "kind", "occurrences"]]
    engine.dispose()
    return table_counts(url), [tuple(row) for row in sources.itertuples(index=False)]


def test_a_csv_log_named_like_a_calendar_is_refused_and_the_calendar_kept(capsys, monkeypatch, tmp_path, sqlite_url):
    seed_sample(sqlite_url)
    before = snapshot(sqlite_url)
    assert ("Sample calendar", "ics") in [(name, kind) for name, kind, _ in before[1]]
    path = tmp_path / "Sample calendar.csv"
    path.write_text(OWN_CSV)
    code, out, err = run_cli(capsys, monkeypatch, "log", "--db", sqlite_url, "--csv", str(path))
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "'Sample calendar' is already the name of a calendar; a CSV time log cannot replace it" in err
    assert snapshot(sqlite_url) == before


def test_a_calendar_named_manual_log_is_refused_and_the_entries_kept(capsys, monkeypatch, tmp_path, sqlite_url):
    engine = store.open_engine(sqlite_url)
    workflows.log_time(
        engine, tz=BERLIN, area="family", note="Zoo",
        start=datetime(2026, 11, 14, 9, tzinfo=UTC), end=datetime(2026, 11, 14, 12, tzinfo=UTC),
    )
    engine.dispose()
    before = snapshot(sqlite_url)
    body = (
        "X-WR-CALNAME:Manual log\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:Standup\r\n"
        "DTSTART:20261116T080000Z\r\nDTEND:20261116T081500Z\r\nEND:VEVENT\r\n"
    )
    path = write_ics(tmp_path, "work.ics", body)
    code, out, err = run_cli(capsys, monkeypatch, "import", "--db", sqlite_url, str(path))
    assert (code, out) == (1, "")
    assert "'Manual log' is already the name of a manual log; a calendar cannot replace it" in err
    assert snapshot(sqlite_url) == before


@pytest.mark.parametrize(
    ("first_kind", "second_kind"), [("ics", "csv"), ("csv", "ics"), ("csv", "manual"), ("manual", "csv")]
)
def test_no_kind_replaces_another_in_the_store(sqlite_url, first_kind, second_kind):
    engine = store.open_engine(sqlite_url)
    frame = workflows.manual_entries(engine).iloc[0:0]
    store.replace_occurrences(engine, source={"name": "Work", "kind": first_kind}, frame=frame)
    with pytest.raises(SourceClashError) as caught:
        store.replace_occurrences(engine, source={"name": "Work", "kind": second_kind}, frame=frame)
    assert caught.value.existing_kind == first_kind
    assert caught.value.new_kind == second_kind
    with pytest.raises(SourceClashError):
        store.append_occurrences(engine, source={"name": "Work", "kind": second_kind}, frame=frame)
    assert store.load_sources(engine)[["name", "kind"]].values.tolist() == [["Work", first_kind]]
    engine.dispose()


def test_the_same_kind_still_replaces_its_own_snapshot(sqlite_url, tmp_path):
    engine = store.open_engine(sqlite_url)
    settings = store.load_settings(engine)
    first = workflows.import_log_csv(engine, OWN_CSV.encode(), file_name="Work.csv", tz=BERLIN, settings=settings)
    again = workflows.import_log_csv(engine, OWN_CSV.encode(), file_name="Work.csv", tz=BERLIN, settings=settings)
    assert (first.added, again.unchanged) == (1, 1)
    engine.dispose()


def test_the_clash_message_is_one_line_in_the_dashboard_too(sqlite_url, tmp_path: Path):
    engine = store.open_engine(sqlite_url)
    seed_sample(sqlite_url)
    with pytest.raises(SourceClashError) as caught:
        workflows.import_log_csv(
            engine, OWN_CSV.encode(), file_name="Sample calendar.csv", tz=BERLIN, settings=store.load_settings(engine)
        )
    assert "\n" not in str(caught.value)
    assert str(caught.value).endswith("Import the CSV time log under another name (or rename the file).")
    engine.dispose()
