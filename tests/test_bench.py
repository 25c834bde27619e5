"""The benchmark's generator and phases at a tiny size (a smoke test: no timing is asserted)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash.ingest.ics import parse as ics_parse
from balance_dash.ingest.ics import read_ics
from balance_dash.ingest.ics.skim import Skimmed
from tests.bench import generate, live, phases, runner
from tests.bench.__main__ import parse

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def export() -> bytes:
    """About three weeks of a busy calendar and one week ahead."""
    return generate.generate(0.06, seed=11, now=NOW, ahead_days=7)


def test_the_generator_is_seeded_and_writes_what_real_exports_hold(export: bytes) -> None:
    assert generate.generate(0.06, seed=11, now=NOW, ahead_days=7) == export
    assert generate.generate(0.06, seed=12, now=NOW, ahead_days=7) != export
    text = export.decode("utf-8")
    for marker in (
        "TZID:Europe/Berlin", "X-LIC-LOCATION", "TZID:W. Europe Standard Time", "X-WR-TIMEZONE:",
        "RRULE:FREQ=WEEKLY", "INTERVAL=2", "EXDATE;", "RECURRENCE-ID;", "STATUS:CANCELLED",
        "DTSTART;VALUE=DATE:", "BEGIN:VALARM", "ATTENDEE;", "X-MICROSOFT-CDO", "On-call",
    ):
        assert marker in text, marker
    lines = export.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long lines are folded
    assert re.search(r"DESCRIPTION:[^\r]*\r\n( [^\r]*\r\n){30,}", text)  # some are invitations of 2000+ characters


def test_skimming_what_the_product_never_reads_changes_no_result(export: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    skimmed = read_ics(export, file_name="busy.ics", tz=BERLIN, now=NOW)
    monkeypatch.setattr(ics_parse, "skim", Skimmed)  # nothing left out
    whole = read_ics(export, file_name="busy.ics", tz=BERLIN, now=NOW)
    pd.testing.assert_frame_equal(skimmed.frame, whole.frame)
    assert (skimmed.issues, skimmed.event_count, skimmed.cancelled) == (whole.issues, whole.event_count, whole.cancelled)
    assert skimmed.frame["description"].str.len().max() == 2000  # long invitations are kept to their first 2000


def test_the_phases_run_and_agree_with_the_library(export: bytes, tmp_path: Path) -> None:
    path = tmp_path / "busy.ics"
    path.write_bytes(export)
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    floor = phases.floor(str(path), (NOW - timedelta(days=3650), NOW + timedelta(days=365)))
    imported = phases.import_calendar(str(path), url, "Europe/Berlin", NOW)
    assert imported["occurrences"] > 500
    assert imported["occurrences"] + imported["cancelled"] == floor["occurrences"]
    assert imported["issues"] == 0
    cold = phases.dashboard_cold(url, "Europe/Berlin", NOW)
    assert cold["rows"] == imported["occurrences"]
    assert cold["weeks"] >= 17  # the data's weeks, a quarter back and four weeks ahead
    shape = phases.patterns_cold(url, "Europe/Berlin", NOW)
    assert shape["weeks"] == cold["weeks"] and shape["meetings"] > 0 and shape["series"] > 0
    warm = phases.dashboard_warm(url, "Europe/Berlin", NOW, 2, 2)
    summary = phases.summary(url, "Europe/Berlin", NOW)
    same = phases.reimport_unchanged(str(path), url, "Europe/Berlin", NOW)
    assert (same["added"], same["updated"], same["unchanged"]) == (0, 0, imported["occurrences"])
    changed = phases.reimport_one_change(str(path), url, "Europe/Berlin", NOW)
    assert changed["added"] == changed["removed"] == 0 and 1 < changed["updated"] < imported["occurrences"] / 4
    assert phases.reimport_unchanged(str(path), url, "Europe/Berlin", NOW)["unchanged"] == imported["occurrences"]
    for figures in (floor, imported, cold, shape, warm, summary, same, changed):
        assert figures["peak_mb"] > 0
    assert summary["bytes"] > 100


def test_the_table_shows_the_phases_that_ran() -> None:
    result = {
        "years": 10, "file": "f.ics", "file_mb": 49.2, "load_before": 0.4, "load_after": 0.9,
        "floor": {"seconds": 36.0, "cpu_s": 35.0, "peak_mb": 1024.0},
        "import": {"seconds": 14.0, "cpu_s": 20.0, "peak_mb": 500.0, "parts_peak_mb": 300.0, "occurrences": 93726},
        "import_ratio": 14.0 / 36.0, "import_cpu_ratio": 20.0 / 35.0,
    }
    shown = runner.table([result], "sqlite")
    assert "93,726" in shown and "0.39" in shown and "load average 0.4 before" in shown
    assert "10y import ratio: 0.39 ok" in shown and "10y import peak: 500 MB ok" in shown
    assert not any("summary" in line for line in runner.verdicts(result))  # a phase that did not run is not judged


def test_the_live_phases_sync_an_address_and_a_caldav_calendar(export: bytes, tmp_path: Path) -> None:
    path = tmp_path / "busy.ics"
    path.write_bytes(export)
    address = live.sync_address(str(path), "Europe/Berlin", NOW)
    assert address["occurrences"] > 500 and address["one_change_updated"] == 1
    assert address["unchanged_304_s"] < address["subscribe_s"]
    assert address["whole_file_unchanged"] == address["occurrences"]  # a new name changes no occurrence
    caldav = live.sync_caldav(str(path), "Europe/Berlin", NOW, limit=30)
    assert caldav["objects"] == 30 and caldav["occurrences"] > 0
    # Only the renamed series is re-expanded: its occurrences (overrides keep their own titles).
    assert 1 <= caldav["one_change_updated"] <= caldav["one_change_series_occurrences"] < caldav["occurrences"]


def test_options() -> None:
    assert parse([]).sizes == (1, 5, 10)
    assert parse(["--quick"]).sizes == (1,)
    assert parse(["--sizes", "5,10", "--db", "postgres"]).db == "postgres"
    with pytest.raises(SystemExit):
        parse(["--sizes", "ten"])
    assert parse(["--phases", "floor,import"]).phases == ("floor", "import")
    assert parse([]).phases == ()
    with pytest.raises(SystemExit):
        parse(["--phases", "floor,lunch"])


def test_descriptions_read_by_the_skim_are_what_icalendar_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Escapes, colons, quotes, folds and long texts: the skim's own reading of a plain DESCRIPTION
    line gives icalendar's text; one with parameters, or two of them, is left to icalendar."""
    long = "Join: https://meet.example/abc?x=1\\, y=2\\; z \\\\ \\n" * 60
    events = [
        ("plain", "DESCRIPTION:Agenda\\nItem one\\, two\\; three \\\\ done \\N\"quoted\" a:b"),
        ("empty", "DESCRIPTION:"),
        ("long", "DESCRIPTION:" + long),
        ("lower", "description:lower case name"),
        ("param", "DESCRIPTION;LANGUAGE=en-US:With a parameter\\, kept by icalendar"),
        ("two", "DESCRIPTION:First\r\nDESCRIPTION:Second"),
        ("cut", "DESCRIPTION:" + "x" * 1999 + "\\nafter"),
    ]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for uid, description in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTART:20261102T090000Z", "DTEND:20261102T100000Z",
                  f"SUMMARY:{uid}", description, "END:VEVENT"]
    text = "\r\n".join([*lines, "END:VCALENDAR", ""])
    folded = re.sub(r"([^\r\n]{70})(?=[^\r\n])", "\\1\r\n ", text)  # fold every long line
    data = folded.encode("utf-8")
    skimmed = read_ics(data, file_name="texts.ics", tz=BERLIN, now=NOW)
    monkeypatch.setattr(ics_parse, "skim", Skimmed)  # nothing left out
    whole = read_ics(data, file_name="texts.ics", tz=BERLIN, now=NOW)
    pd.testing.assert_frame_equal(skimmed.frame, whole.frame)
    descriptions = dict(zip(whole.frame["uid"], whole.frame["description"], strict=True))
    assert descriptions["plain"] == 'Agenda\nItem one, two; three \\ done \n"quoted" a:b'
    assert len(descriptions["long"]) == 2000 and len(descriptions["cut"]) == 2000
