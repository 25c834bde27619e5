"""balance_dash.ingest.ics: one named .ics file per edge case in tests/data/ics/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance_dash.errors import BalanceDashError, CalendarError, InvalidValueError, LimitError
from balance_dash.ingest.ics import OCCURRENCE_COLUMNS, ParsedCalendar, read_ics

ICS = Path(__file__).parent / "data" / "ics"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 9, 1, tzinfo=UTC)


def read(name: str, **options: Any) -> ParsedCalendar:
    options.setdefault("tz", BERLIN)
    options.setdefault("now", NOW)
    return read_ics((ICS / name).read_bytes(), file_name=name, **options)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def timed_rows(parsed: ParsedCalendar) -> list[tuple[str, str, pd.Timestamp, pd.Timestamp]]:
    timed = parsed.frame[~parsed.frame["all_day"]]
    return list(
        zip(timed["title"], timed["recurrence_key"], timed["start_utc"], timed["end_utc"], strict=True)
    )


def day_rows(parsed: ParsedCalendar) -> list[tuple[str, str, str]]:
    days = parsed.frame[parsed.frame["all_day"]]
    return [
        (title, f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")
        for title, start, end in zip(days["title"], days["day_start"], days["day_end"], strict=True)
    ]


# (file, [(title, recurrence_key, start UTC, end UTC), ...]) for the timed occurrences.
TIMED_CASES = [
    (
        "dst_weekly_standup.ics",  # 09:00 Berlin stays 09:00 across the end of DST (27 Oct)
        [
            ("Standup", "20241014T070000Z", "2024-10-14T07:00", "2024-10-14T07:15"),
            ("Standup", "20241021T070000Z", "2024-10-21T07:00", "2024-10-21T07:15"),
            ("Standup", "20241028T080000Z", "2024-10-28T08:00", "2024-10-28T08:15"),
            ("Standup", "20241104T080000Z", "2024-11-04T08:00", "2024-11-04T08:15"),
        ],
    ),
    (
        "override_moved_instance.ics",  # the moved instance keeps its original identity
        [
            ("Review", "20240902T080000Z", "2024-09-02T08:00", "2024-09-02T09:00"),
            ("Review (moved)", "20240909T080000Z", "2024-09-10T13:00", "2024-09-10T15:00"),
            ("Review", "20240916T080000Z", "2024-09-16T08:00", "2024-09-16T09:00"),
        ],
    ),
    (
        "thisandfuture.ics",  # RANGE=THISANDFUTURE moves the 3rd and every later instance by 2 h
        [
            ("Gym", "20240101T170000Z", "2024-01-01T17:00", "2024-01-01T18:00"),
            ("Gym", "20240102T170000Z", "2024-01-02T17:00", "2024-01-02T18:00"),
            ("Gym later", "20240103T170000Z", "2024-01-03T19:00", "2024-01-03T20:00"),
            ("Gym later", "20240104T170000Z", "2024-01-04T19:00", "2024-01-04T20:00"),
            ("Gym later", "20240105T170000Z", "2024-01-05T19:00", "2024-01-05T20:00"),
        ],
    ),
    (
        "cancelled_instance.ics",  # the cancelled instance and the cancelled party are left out
        [
            ("Planning", "20240902T080000Z", "2024-09-02T08:00", "2024-09-02T09:00"),
            ("Planning", "20240916T080000Z", "2024-09-16T08:00", "2024-09-16T09:00"),
        ],
    ),
    (
        "exdate.ics",  # one EXDATE in the event's zone, one in UTC
        [
            ("Swimming", "20240902T050000Z", "2024-09-02T05:00", "2024-09-02T06:00"),
            ("Swimming", "20240905T050000Z", "2024-09-05T05:00", "2024-09-05T06:00"),
        ],
    ),
    (
        "rdate_period.ics",  # RDATE periods carry their own length
        [
            ("Workshop", "20240902T080000Z", "2024-09-02T08:00", "2024-09-02T09:00"),
            ("Workshop", "20240905T120000Z", "2024-09-05T12:00", "2024-09-05T15:00"),
            ("Workshop", "20240906T120000Z", "2024-09-06T12:00", "2024-09-06T12:30"),
            ("Workshop", "20240910T080000Z", "2024-09-10T08:00", "2024-09-10T09:00"),
        ],
    ),
    (
        "floating.ics",  # 07:00 wall-clock in Berlin, on both sides of the DST start (31 Mar)
        [
            ("Morning walk", "20240325T060000Z", "2024-03-25T06:00", "2024-03-25T07:00"),
            ("Morning walk", "20240326T060000Z", "2024-03-26T06:00", "2024-03-26T07:00"),
        ],
    ),
    (
        "unknown_tzid.ics",  # read in Berlin, so the UTC EXDATE still removes the 3 Sep instance
        [
            ("Call with Mars office", "20240902T080000Z", "2024-09-02T08:00", "2024-09-02T08:30"),
            ("Call with Mars office", "20240904T080000Z", "2024-09-04T08:00", "2024-09-04T08:30"),
        ],
    ),
    (
        "google_x_wr_timezone.ics",  # floating in New York; the UTC series repeats in New York time
        [
            ("Piano lesson", "20241026T140000Z", "2024-10-26T14:00", "2024-10-26T15:00"),
            ("Dinner", "", "2024-11-01T22:00", "2024-11-01T23:00"),
            ("Piano lesson", "20241102T140000Z", "2024-11-02T14:00", "2024-11-02T15:00"),
            ("Piano lesson", "20241109T150000Z", "2024-11-09T15:00", "2024-11-09T16:00"),
        ],
    ),
    (
        "outlook_windows_zone.ics",  # 'Pacific Standard Time' is America/Los_Angeles
        [("Quarterly review", "", "2024-07-10T16:00", "2024-07-10T17:00")],
    ),
    (
        "outlook_no_tzname_with_x_wr_timezone.ics",  # X-WR-TIMEZONE must not relabel a zone without TZNAME
        [("Team lunch", "", "2024-10-07T10:00", "2024-10-07T11:00")],
    ),
    ("duration.ics", [("Focus block", "", "2024-09-02T08:00", "2024-09-02T09:30")]),
    ("no_dtend.ics", [("Pay rent", "", "2024-09-02T08:00", "2024-09-02T08:00")]),  # zero length
    ("overnight.ics", [("Night deploy", "", "2024-09-05T20:00", "2024-09-06T00:00")]),
    (
        "multi_vcalendar.ics",
        [
            ("One", "", "2024-09-02T08:00", "2024-09-02T09:00"),
            ("Two", "", "2024-09-03T08:00", "2024-09-03T09:00"),
        ],
    ),
    ("bare_vevent.ics", [("Bare event", "", "2024-09-02T08:00", "2024-09-02T08:30")]),
    ("bom_crlf.ics", [("Café chat", "", "2024-09-02T08:00", "2024-09-02T09:00")]),
    ("latin1.ics", [("Réunion déjà prévue", "", "2024-09-02T08:00", "2024-09-02T09:00")]),
    ("broken_events.ics", [("Good", "", "2024-09-02T08:00", "2024-09-02T09:00")]),
    (
        "end_before_start.ics",  # the end is ignored rather than swapped into year 24
        [
            ("Mistyped year", "20240902T080000Z", "2024-09-02T08:00", "2024-09-02T08:00"),
            ("Mistyped year", "20240909T080000Z", "2024-09-09T08:00", "2024-09-09T08:00"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "expected"), TIMED_CASES, ids=[case[0] for case in TIMED_CASES])
def test_timed_occurrences(name: str, expected: list[tuple[str, str, str, str]]) -> None:
    rows = [(title, key, utc(start), utc(end)) for title, key, start, end in expected]
    assert timed_rows(read(name)) == rows


DAY_CASES = [
    ("duration.ics", [("Retreat", "2024-09-06", "2024-09-08")]),  # DURATION:P2D
    ("no_dtend.ics", [("Public holiday", "2024-10-03", "2024-10-04")]),  # date without end: one day
    ("overnight.ics", [("Vacation", "2024-09-09", "2024-09-12")]),  # end exclusive
]


@pytest.mark.parametrize(("name", "expected"), DAY_CASES, ids=[case[0] for case in DAY_CASES])
def test_all_day_occurrences(name: str, expected: list[tuple[str, str, str]]) -> None:
    assert day_rows(read(name)) == expected


def test_endless_all_day_series_stops_at_the_window() -> None:
    parsed = read("endless_allday_series.ics")  # yearly since 1990, no end
    assert parsed.window == (datetime(2014, 9, 1, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC))
    assert [start for _, start, _ in day_rows(parsed)] == [f"{year}-03-15" for year in range(2015, 2026)]
    assert set(parsed.frame["recurrence_key"]) == {f"{year}0315" for year in range(2015, 2026)}


# (file, expected issue kind, words the message must contain, uid, line)
ISSUE_CASES = [
    ("floating.ics", "warning", "floating times", None, None),
    ("unknown_tzid.ics", "warning", "'Mars/Olympus_Mons' is not known", None, None),
    ("latin1.ics", "warning", "Latin-1", None, None),
    ("broken_events.ics", "skipped", "DTSTART 'INVALID'", "bad-start@example.com", 10),
    ("broken_events.ics", "skipped", "no DTSTART", "no-start@example.com", 16),
    ("broken_events.ics", "skipped", "RRULE 'FREQ=FORTNIGHTLY'", "bad-rule@example.com", 21),
    ("end_before_start.ics", "warning", "ends before DTSTART", "typo@example.com", 4),
]


@pytest.mark.parametrize(("name", "kind", "words", "uid", "line"), ISSUE_CASES)
def test_issues_say_what_happened(
    name: str, kind: str, words: str, uid: str | None, line: int | None
) -> None:
    matching = [issue for issue in read(name).issues if words in issue.message]
    assert len(matching) == 1
    issue = matching[0]
    assert (issue.kind, issue.uid, issue.line) == (kind, uid, line)
    assert issue.message.endswith(".")


def test_clean_files_have_no_issues() -> None:
    for name in (
        "dst_weekly_standup.ics",
        "override_moved_instance.ics",
        "thisandfuture.ics",
        "rdate_period.ics",
    ):
        assert read(name).issues == ()


def test_cancelled_occurrences_are_counted() -> None:
    parsed = read("cancelled_instance.ics")
    assert (parsed.cancelled, parsed.event_count) == (2, 3)


def test_calendar_name_comes_from_the_first_calendar() -> None:
    assert read("multi_vcalendar.ics").name == "First"
    assert read("google_x_wr_timezone.ics").name == "Family"
    assert read("bare_vevent.ics").name is None


def test_events_without_uid_get_stable_distinct_uids() -> None:
    first, second = read("no_uid.ics").frame, read("no_uid.ics").frame
    pd.testing.assert_frame_equal(first, second)
    assert first["uid"].is_unique
    assert all(uid.startswith("nouid-") for uid in first["uid"])


def test_custom_zones_do_not_leak_between_files() -> None:
    # Same TZID, three files: defined as +05:00, undefined, defined as -03:00.
    assert timed_rows(read("custom_zone_plus5.ics"))[0][2] == utc("2024-09-02T05:00")
    undefined = read("custom_zone_undefined.ics")
    assert timed_rows(undefined)[0][2] == utc("2024-09-02T08:00")  # read in Berlin, not +05:00
    assert any("'Office Time' is not known" in issue.message for issue in undefined.issues)
    assert timed_rows(read("custom_zone_minus3.ics"))[0][2] == utc("2024-09-02T13:00")


def test_frame_has_the_contract_columns_and_types() -> None:
    frame = read("overnight.ics").frame
    assert tuple(frame.columns) == OCCURRENCE_COLUMNS
    assert str(frame["start_utc"].dtype) == "datetime64[us, UTC]"
    assert str(frame["end_utc"].dtype) == "datetime64[us, UTC]"
    assert str(frame["day_start"].dtype) == "datetime64[s]"
    assert str(frame["day_end"].dtype) == "datetime64[s]"
    assert frame["all_day"].dtype == bool
    for column in ("uid", "recurrence_key", "title", "location", "description"):
        assert all(type(value) is str for value in frame[column])
    timed, days = frame[~frame["all_day"]], frame[frame["all_day"]]
    assert timed["day_start"].isna().all() and days["start_utc"].isna().all()


def test_empty_calendar_gives_an_empty_frame_with_the_right_types() -> None:
    data = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    frame = read_ics(data, file_name="empty.ics", tz=BERLIN, now=NOW).frame
    assert frame.empty and tuple(frame.columns) == OCCURRENCE_COLUMNS
    assert str(frame["start_utc"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize(
    "name", sorted(path.name for path in ICS.glob("*.ics") if path.name != "truncated.ics")
)
def test_identity_is_unique_and_reimport_is_identical(name: str) -> None:
    try:
        first = read(name, max_occurrences=20_000)
    except LimitError:
        return
    assert not first.frame.duplicated(["uid", "recurrence_key"]).any()
    pd.testing.assert_frame_equal(first.frame, read(name, max_occurrences=20_000).frame)


def test_explicit_window_keeps_overlapping_occurrences_whole() -> None:
    parsed = read(
        "overnight.ics",
        since=datetime(2024, 9, 5, 23, tzinfo=UTC),
        until=datetime(2024, 9, 10, tzinfo=UTC),
    )
    assert timed_rows(parsed) == [("Night deploy", "", utc("2024-09-05T20:00"), utc("2024-09-06T00:00"))]
    assert day_rows(parsed) == [("Vacation", "2024-09-09", "2024-09-12")]


def test_too_many_occurrences_raise_limit_error() -> None:
    with pytest.raises(LimitError, match="more than 100 occurrences"):
        read("hourly_flood.ics", max_occurrences=100)


def test_a_flood_is_refused_before_it_is_expanded() -> None:
    data = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART:20240101T000000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    with pytest.raises(LimitError, match="500,000"):
        read_ics(data, file_name="flood.ics", tz=BERLIN, now=NOW)


@pytest.mark.parametrize(
    ("data", "words", "line"),
    [
        (b"", "empty", None),
        (b"date,title\n2024-01-01,Dentist\n", "not an iCalendar file", 1),
        ((ICS / "truncated.ics").read_bytes(), "END:VCALENDAR is missing", 10),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nX\nEND:VCALENDAR\n", "not valid iCalendar", 3),
    ],
)
def test_unreadable_files_raise_calendar_error(data: bytes, words: str, line: int | None) -> None:
    with pytest.raises(CalendarError, match=words) as caught:
        read_ics(data, file_name="bad.ics", tz=BERLIN, now=NOW)
    assert caught.value.path == "bad.ics"
    if line is not None:
        assert caught.value.line == line


@pytest.mark.parametrize(
    "options",
    [
        {"now": datetime(2024, 9, 1)},
        {"since": datetime(2024, 9, 1)},
        {"since": datetime(2024, 9, 2, tzinfo=UTC), "until": datetime(2024, 9, 1, tzinfo=UTC)},
        {"max_occurrences": 0},
    ],
)
def test_bad_arguments_raise_invalid_value_error(options: dict[str, object]) -> None:
    with pytest.raises(InvalidValueError):
        read("bare_vevent.ics", **options)


SEEDS = [(ICS / name).read_bytes() for name in ("override_moved_instance.ics", "dst_weekly_standup.ics")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 255), st.sampled_from("rid")
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_corrupted_files_raise_only_balance_dash_errors(
    seed: bytes, edits: list[tuple[float, int, str]]
) -> None:
    data = bytearray(seed)
    for position, byte, how in edits:
        index = int(position * len(data))
        if how == "r" and data:
            data[index] = byte
        elif how == "i":
            data.insert(index, byte)
        elif data:
            del data[index]
    try:
        parsed = read_ics(bytes(data), file_name="corrupt.ics", tz=BERLIN, now=NOW, max_occurrences=5_000)
    except BalanceDashError:
        return
    assert tuple(parsed.frame.columns) == OCCURRENCE_COLUMNS
