"""read_ics against the shared corpus of 78 real .ics files and their reference figures.

Reference figures (expected.json) come from icalendar, x-wr-timezone and recurring-ical-events
in Europe/Berlin. Where the reference could not expand a file cleanly (`expansion_ok` false),
DECISIONS below records what balance-dash gives the user instead, and why.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from balance_dash.errors import CalendarError
from balance_dash.ingest.ics import ParsedCalendar, read_ics

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"
EXPECTED: dict[str, Any] = (
    json.loads((CORPUS / "expected.json").read_text("utf-8")) if (CORPUS / "expected.json").exists() else {}
)
FILES = sorted(name for name in EXPECTED if name != "_meta") or ["corpus-missing"]
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.fromisoformat("2026-01-15T00:00:00+00:00")

pytestmark = pytest.mark.corpus

# file -> (timed occurrences, all-day occurrences, timed hours, issue kind, words in the issue, how many)
DECISIONS: dict[str, tuple[int, int, float, str, str, int]] = {
    # Two DTSTART lines: the start is ambiguous, so the event is left out and named.
    "icalendar__america_new_york_forward_reference.ics": (0, 0, 0.0, "skipped", "2 DTSTART lines", 1),
    "icalendar__pacific_fiji.ics": (0, 0, 0.0, "skipped", "2 DTSTART lines", 1),
    # No usable start: nothing to place on a day.
    "icalendar__broken_dtstart.ics": (0, 0, 0.0, "skipped", "DTSTART 'INVALID-DATE'", 1),
    "icalendar__broken_ical.ics": (0, 0, 0.0, "skipped", "no DTSTART", 1),
    "icalendar__issue_1050_multiple_calendars.ics": (0, 0, 0.0, "skipped", "no DTSTART", 2),
    "icalendar__issue_722_missing_timezones.ics": (1, 0, 3.0, "skipped", "no DTSTART", 2),
    "icalendar__rfc_5545_RDATE_example.ics": (0, 0, 0.0, "skipped", "no DTSTART", 6),
    # A length of 19 quintillion weeks: the event's hours are unknowable.
    "icalendar__invalid_duration.ics": (0, 0, 0.0, "skipped", "DURATION 'P999999999999999999W'", 1),
    # An unreadable rule or a non-Gregorian calendar scale: its days cannot be known.
    "icalendar__issue_1081_invalid_rrule_freq.ics": (0, 0, 0.0, "skipped", "RRULE 'FREQ=INVALID", 1),
    "icalendar__rfc_7529.ics": (0, 0, 0.0, "skipped", "RSCALE", 4),
    # Exchange CDO writes "BYDAY=MO, TU, ..."; read without the spaces it is a plain weekday
    # standup (3-22 July 2015, 14 x 30 min), which the user deserves to see.
    "icalendar__issue_165_missing_event.ics": (14, 0, 7.0, "warning", "stray spaces", 1),
    # An unreadable RDATE/EXDATE value is ignored; the rest of the series is imported.
    "icalendar__issue_464_invalid_rdate.ics": (1, 0, 4.0, "warning", "RDATE", 1),
    "icalendar__multiple_timezones.ics": (3, 0, 0.0, "warning", "RDATE", 3),
    "icalendar__parsing_error.ics": (0, 40, 0.0, "warning", "EXDATE ''", 1),
}


def _read(name: str, window: list[str]) -> ParsedCalendar:
    since, until = (datetime.fromisoformat(value.replace("Z", "+00:00")) for value in window)
    data = (CORPUS / name).read_bytes()
    return read_ics(data, file_name=name, tz=BERLIN, now=NOW, since=since, until=until)


def _figures(parsed: ParsedCalendar) -> tuple[int, int, float]:
    """Timed count, all-day count, timed hours clipped to the window."""
    frame = parsed.frame
    timed = frame[~frame["all_day"]]
    since, until = parsed.window
    start = timed["start_utc"].clip(lower=since, upper=until)
    end = timed["end_utc"].clip(lower=since, upper=until)
    hours = float((end - start).dt.total_seconds().sum() / 3600)
    return len(timed), int(frame["all_day"].sum()), hours


@pytest.mark.parametrize("name", FILES)
def test_corpus_file(name: str) -> None:
    if not EXPECTED:
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    expected = EXPECTED[name]
    if not expected["parse_ok"]:
        with pytest.raises(CalendarError) as caught:
            read_ics((CORPUS / name).read_bytes(), file_name=name, tz=BERLIN, now=NOW)
        assert caught.value.path == name
        assert "nothing was imported" in str(caught.value)
        return
    parsed = _read(name, expected["window"])
    timed, all_day, hours = _figures(parsed)
    if expected["expansion_ok"]:
        # The reference counts cancelled occurrences too; the frame leaves them out.
        assert parsed.cancelled == expected["cancelled_occurrences"]
        assert (timed + parsed.cancelled, all_day) == (
            expected["timed_occurrences"],
            expected["allday_occurrences"],
        )
        assert hours == pytest.approx(expected["timed_hours_excl_cancelled"], abs=0.01)
        assert not [issue for issue in parsed.issues if issue.kind == "skipped"]
        for tzid in expected.get("pinned_to_local_tz", []):
            assert any(f"'{tzid}' is not known" in issue.message for issue in parsed.issues)
        return
    want_timed, want_days, want_hours, kind, words, count = DECISIONS[name]
    assert (timed, all_day) == (want_timed, want_days)
    assert hours == pytest.approx(want_hours, abs=0.01)
    matching = [issue for issue in parsed.issues if issue.kind == kind and words in issue.message]
    assert len(matching) == count
    assert parsed.event_count == expected["vevent_components"]


def test_every_reference_decision_is_for_a_hard_file() -> None:
    if not EXPECTED:
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    hard = {name for name in FILES if EXPECTED[name]["parse_ok"] and not EXPECTED[name]["expansion_ok"]}
    assert set(DECISIONS) == hard
