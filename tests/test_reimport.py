"""Re-imports by hashes: the same bytes are not read again, a changed file has only its changed
events read, and either way the database and the report are what reading the whole file gives."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash import store, workflows
from balance_dash.ingest import ics
from balance_dash.ingest.ics import split as feed_split
from balance_dash.settings import Settings
from tests.bench import generate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(timezone="Europe/Berlin")
CONTENT_COLUMNS = [
    "uid", "recurrence_key", "title", "location", "description", "all_day", "start_utc", "end_utc", "day_start",
    "day_end", "transparent", "busy_status", "organizer", "attendees", "cancelled",
]
REPORT_FIELDS = (
    "source_name", "events", "occurrences", "cancelled", "issues", "window", "first_day", "last_day", "not_counted",
    "events_before", "events_after", "invitations",
)


@pytest.fixture(scope="module")
def export() -> bytes:
    return generate.generate(0.1, seed=5, now=NOW, ahead_days=21)


class Reads:
    """Counts the files `ics.read_ics` reads and the events each held."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[int] = []
        original = ics.read_ics

        def counting(data: bytes, **options: Any) -> ics.ParsedCalendar:
            parsed = original(data, **options)
            self.events.append(parsed.event_count)
            return parsed

        monkeypatch.setattr(ics, "read_ics", counting)


def _engine(tmp_path: Path, name: str) -> Any:
    return store.open_engine(f"sqlite:///{tmp_path / name}")


def _import(engine: Any, data: bytes, **options: Any) -> workflows.ImportReport:
    arguments: dict[str, Any] = {"file_name": "busy.ics", "tz": BERLIN, "settings": SETTINGS, "now": NOW, **options}
    return workflows.import_calendar(engine, data, **arguments)


def _rows(engine: Any) -> pd.DataFrame:
    frame = store.load_occurrences(engine, with_cancelled=True)[CONTENT_COLUMNS]
    return frame.sort_values(["uid", "recurrence_key"]).reset_index(drop=True)


def _facts(report: workflows.ImportReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in REPORT_FIELDS}


def _groups(data: bytes) -> feed_split.FeedParts:
    parts = feed_split.split_feed(data.decode("utf-8"))
    assert parts is not None
    return parts


def _series_uid(data: bytes) -> str:
    """A weekly series with moved instances (several VEVENTs under one UID)."""
    parts = _groups(data)
    return next(uid for uid, text in parts.groups.items() if "RRULE:" in text and text.count("BEGIN:VEVENT") > 1)


def _retitle(data: bytes, uid: str, title: str) -> bytes:
    """The file with every VEVENT of `uid` given a new SUMMARY (its bytes otherwise as they were)."""
    group = _groups(data).groups[uid].replace("\n", "\r\n")
    assert group in data.decode("utf-8")
    changed = re.sub(r"(?m)^SUMMARY:[^\r]*(\r\n [^\r]*)*", f"SUMMARY:{title}", group)
    return data.decode("utf-8").replace(group, changed).encode("utf-8")


def test_the_same_bytes_are_not_read_again(export: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _engine(tmp_path, "a.db")
    first = _import(engine, export)
    rows = _rows(engine)
    revision = store.data_revision(engine)
    reads = Reads(monkeypatch)
    again = _import(engine, export, now=NOW + timedelta(days=2))
    assert reads.events == []  # nothing was parsed
    assert _facts(again) == _facts(first)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, first.occurrences)
    pd.testing.assert_frame_equal(_rows(engine), rows)
    runs = store.load_import_runs(engine)
    assert len(runs) == 2 and int(runs.iloc[0]["unchanged"]) == first.occurrences
    assert store.data_revision(engine) == revision + 1  # the run is a write the dashboard sees


def test_the_same_bytes_are_read_again_when_what_the_rows_depend_on_changed(
    export: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(tmp_path, "a.db")
    _import(engine, export)
    reads = Reads(monkeypatch)
    _import(engine, export, now=NOW + timedelta(days=30))  # the window moved by a month
    _import(engine, export, now=NOW + timedelta(days=30), tz=ZoneInfo("America/New_York"))  # floating times move
    _import(engine, export, now=NOW + timedelta(days=30), tz=ZoneInfo("America/New_York"),
            settings=SETTINGS.model_copy(update={"future_years": 2}))
    assert len(reads.events) == 3


def test_a_new_area_or_a_new_name_is_taken_even_when_the_bytes_are_the_same(export: bytes, tmp_path: Path) -> None:
    engine = _engine(tmp_path, "a.db")
    first = _import(engine, export)
    moved = _import(engine, export, category="work")
    assert moved.area_changed == first.occurrences
    sources = store.load_sources(engine)
    assert sources.loc[sources["name"] == first.source_name, "area"].tolist() == ["work"]
    other = _import(engine, export, source_name="Copy")  # another source: read and stored in full
    assert other.added == first.occurrences


def test_one_changed_series_is_read_alone_and_gives_what_a_whole_read_gives(
    export: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = _series_uid(export)
    changed = _retitle(export, uid, "Renamed weekly")
    fresh = _engine(tmp_path, "b.db")
    whole = _import(fresh, changed)
    first = _rows(_whole(tmp_path, export, "c.db"))
    engine = _engine(tmp_path, "a.db")
    _import(engine, export)
    reads = Reads(monkeypatch)
    partial = _import(engine, changed)
    assert reads.events == [_groups(export).groups[uid].count("BEGIN:VEVENT")]  # only that series was read
    assert _facts(partial) == _facts(whole)
    rows = _rows(fresh)
    assert (partial.added, partial.removed) == (0, 0)
    assert partial.updated == int(((rows["uid"] == uid) & ~rows["cancelled"]).sum()) > 1
    assert partial.unchanged == whole.occurrences - partial.updated
    pd.testing.assert_frame_equal(_rows(engine), rows)
    # The state it left serves the next re-import: the first file again reads that series alone.
    back = _import(engine, export)
    assert reads.events == [reads.events[0]] * 2 and back.updated == partial.updated
    pd.testing.assert_frame_equal(_rows(engine), first)


def test_added_and_removed_events_are_read_alone(export: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = _groups(export)
    single = next(uid for uid, text in parts.groups.items() if "RRULE" not in text and "RECURRENCE-ID" not in text)
    without = export.decode("utf-8").replace(parts.groups[single].replace("\n", "\r\n"), "").encode("utf-8")
    expected_with, expected_without = _rows(_whole(tmp_path, export)), _rows(_whole(tmp_path, without, "d.db"))
    engine = _engine(tmp_path, "a.db")
    _import(engine, without)
    reads = Reads(monkeypatch)
    added = _import(engine, export)
    assert reads.events == [1] and added.added == 1
    pd.testing.assert_frame_equal(_rows(engine), expected_with)
    removed = _import(engine, without)
    assert reads.events == [1, 0] and removed.removed == 1
    pd.testing.assert_frame_equal(_rows(engine), expected_without)


def _whole(tmp_path: Path, data: bytes, name: str = "whole.db") -> Any:
    engine = _engine(tmp_path, name)
    _import(engine, data)
    return engine


def test_a_change_that_brings_an_issue_or_moves_the_window_reads_the_whole_file(
    export: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = _series_uid(export)
    group = _groups(export).groups[uid].replace("\n", "\r\n")
    broken = export.decode("utf-8").replace(group, group.replace("RRULE:", "RRULE:FREQ=NEVER;X=", 1)).encode("utf-8")
    start = re.search(r"(?m)^DTSTART;TZID=[^:]+:(\d{8})", group)
    assert start is not None
    # An event long before the others moves the window's start: every series is read over the new window.
    moved = export.decode("utf-8").replace(group, group.replace(start.group(1), "20200106")).encode("utf-8")
    whole = _import(_engine(tmp_path, "b.db"), broken)
    expected_moved = _rows(_whole(tmp_path, moved, "e.db"))
    engine = _engine(tmp_path, "a.db")
    _import(engine, export)
    engine2 = _engine(tmp_path, "c.db")
    _import(engine2, export)
    reads = Reads(monkeypatch)
    report = _import(engine, broken)
    assert len(reads.events) == 2 and reads.events[1] > reads.events[0]  # the series alone, then the whole file
    assert report.issues and _facts(report) == _facts(whole)
    reads.events.clear()
    _import(engine2, moved)
    assert len(reads.events) == 2
    pd.testing.assert_frame_equal(_rows(engine2), expected_moved)


def test_a_live_write_drops_the_state_of_a_file_import(export: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _engine(tmp_path, "a.db")
    _import(engine, export)
    assert store.load_import_states(engine)
    _import(engine, export, scope=lambda parsed: None)  # a caller that writes by its own rules
    assert store.load_import_states(engine) == []
    reads = Reads(monkeypatch)
    _import(engine, export)
    assert len(reads.events) == 1


def test_an_import_that_lost_a_race_reads_the_whole_file(
    export: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another import of the same calendar wrote between reading the import state and writing:
    the write worked out against the old state is refused and the whole file is read instead."""
    parts = _groups(export)
    first, second = [uid for uid, text in parts.groups.items() if "RRULE:" in text][:2]
    changed = _retitle(export, first, "Renamed first")
    other = _retitle(export, second, "Renamed second")
    expected_export, expected_other = _rows(_whole(tmp_path, export, "x.db")), _rows(_whole(tmp_path, other, "y.db"))
    for data, expected in ((export, expected_export), (other, expected_other)):
        engine = _engine(tmp_path, f"race-{len(expected)}-{data is export}.db")
        _import(engine, export)
        stale = store.load_import_states(engine)
        _import(engine, changed)  # the other import, which wins the race
        with monkeypatch.context() as patch:
            patch.setattr(store, "load_import_states", lambda _engine, stale=stale: stale)
            reads = Reads(patch)
            _import(engine, data)
        assert reads.events[-1] == _import_count(export)  # the whole file was read after all
        pd.testing.assert_frame_equal(_rows(engine), expected)


def _import_count(data: bytes) -> int:
    return sum(_groups(data).counts.values())
