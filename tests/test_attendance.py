"""Hours that were lived: declined, free, out-of-office and cancelled time left out, days off
shaping the work target, sleep apart from rest, and weeks without data left unjudged.

Each named fixture is imported through the facade into a fresh SQLite file and read back as
the summary document; the tables give the figures a person whose calendar it is would agree with.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from balance_dash import attendance, store, workflows
from balance_dash.ingest import ics
from balance_dash.workflows import preferences

FIXTURES = Path(__file__).parent / "data" / "ics"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
SINCE = datetime(2026, 10, 1, tzinfo=UTC)
ME = "me@example.com"


def imported(url: str, name: str, *, addresses: str = ME, count_free: bool = False) -> Any:
    engine = store.open_engine(url)
    if addresses:
        preferences.set_setting(engine, "my_addresses", addresses)
    settings = store.load_settings(engine)
    report = workflows.import_calendar(
        engine, (FIXTURES / name).read_bytes(), file_name=name, tz=BERLIN, settings=settings,
        category="work", now=NOW, since=SINCE,
    )
    if count_free:
        source_id = int(store.load_sources(engine)["id"].iloc[0])
        workflows.set_source_area(engine, source_id, area="work", forced=True, count_free=True)
    return engine, report


def weeks(engine: Any, first: str, last: str) -> dict[str, dict[str, Any]]:
    result = workflows.balance(
        workflows.Scope.of(engine, tz=BERLIN, now=NOW), first_day=date.fromisoformat(first), last_day=date.fromisoformat(last)
    )
    return {week["week"]: week for week in workflows.summary_document(result)["weeks"]}


# (fixture, addresses, count free, week, work hours, declined, free, cancelled, out of office, tentative)
HOURS_CASES = [
    # Accepted 2 h + tentative 1 h + unanswered 1 h + organised 1 h + the weekly sync 1 h count;
    # the declined 8 h offsite, the 10 h free hold and the cancelled 2 h workshop do not.
    ("attendance_google_meetings.ics", ME, False, "2026-W45", 6.0, 8.0, 10.0, 2.0, 0.0, 2.0),
    # The one instance of the accepted weekly series that the user declined.
    ("attendance_google_meetings.ics", ME, False, "2026-W46", 0.0, 1.0, 0.0, 0.0, 0.0, 0.0),
    ("attendance_google_meetings.ics", ME, False, "2026-W47", 1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    # Without the user's address nothing can be told declined: the declined hours count.
    ("attendance_google_meetings.ics", "", False, "2026-W45", 14.0, 0.0, 10.0, 2.0, 0.0, 0.0),
    # A calendar that says "count events shown as free".
    ("attendance_google_meetings.ics", ME, True, "2026-W45", 16.0, 8.0, 0.0, 2.0, 0.0, 2.0),
    # Outlook: an 8 h out-of-office afternoon and a 1 h FREE lunch are not work; the 2 h review is.
    ("outlook_out_of_office.ics", ME, False, "2026-W46", 2.0, 0.0, 1.0, 0.0, 8.0, 0.0),
    # The week away: the 30-minute standup is the only work.
    ("outlook_out_of_office.ics", ME, False, "2026-W47", 0.5, 0.0, 0.0, 0.0, 0.0, 0.0),
]


@pytest.mark.parametrize(
    ("name", "addresses", "count_free", "week", "work", "declined", "free", "cancelled", "away", "tentative"),
    HOURS_CASES,
)
def test_lived_hours_per_week(
    sqlite_url: str, name: str, addresses: str, count_free: bool, week: str, work: float,
    declined: float, free: float, cancelled: float, away: float, tentative: float,
) -> None:
    engine, _ = imported(sqlite_url, name, addresses=addresses, count_free=count_free)
    got = weeks(engine, "2026-11-02", "2026-11-22")[week]
    assert got["hours"]["work"] == work
    assert got["not_counted"] == {"cancelled": cancelled, "declined": declined, "out_of_office": away, "free": free}
    assert got["hours"]["tentative"] == tentative


def test_days_off_shape_the_work_target(sqlite_url: str) -> None:
    engine, _ = imported(sqlite_url, "outlook_out_of_office.ics")
    got = weeks(engine, "2026-11-09", "2026-11-22")
    # One working day (the 8 h out-of-office Tuesday) off: 35-48 h becomes 4/5 of it.
    assert (got["2026-W46"]["days_off"], got["2026-W46"]["vacation"]) == (1, False)
    assert got["2026-W46"]["targets"]["work"] == {"min_hours": 28.0, "max_hours": 38.4}
    # Five days away: a vacation week, a work target of 0 h and no "below target" for work.
    away = got["2026-W47"]
    assert (away["days_off"], away["vacation"]) == (5, True)
    assert away["targets"]["work"] == {"min_hours": 0.0, "max_hours": 0.0}
    codes = {(w["code"], "work" in w["message"]) for w in away["warnings"]}
    assert ("below_target", True) not in codes and ("above_target", True) not in codes
    # The standup on a day off is the boundary it breaks.
    assert any(w["code"] == "work_on_rest_day" for w in away["warnings"])
    # The family target is not pro-rated: a day off is a day off work.
    assert away["targets"]["family"] == {"min_hours": 14.0, "max_hours": None}


def test_weeks_before_the_first_data_are_not_judged(sqlite_url: str) -> None:
    engine, _ = imported(sqlite_url, "attendance_google_meetings.ics")
    got = weeks(engine, "2026-10-12", "2026-11-08")
    before = got["2026-W42"]
    assert before["has_data"] is False
    assert before["warnings"] == []
    assert before["hours"]["sleep"] == 0.0
    assert all(value == {"min_hours": None, "max_hours": None} for value in before["targets"].values())
    first = got["2026-W45"]
    assert first["has_data"] is True
    assert first["hours"]["sleep"] > 40  # the assumed nights of a week with data
    assert first["hours"]["rest"] == 0.0  # and none of it is rest


def test_the_import_report_says_what_was_left_out(sqlite_url: str) -> None:
    _, report = imported(sqlite_url, "attendance_google_meetings.ics")
    assert report.not_counted["declined"] == (2, 9.0)
    assert report.not_counted["free"] == (1, 10.0)
    assert report.not_counted["cancelled"] == (1, 2.0)
    notes = report.notes()
    assert "2 meetings you declined (9.0 h) are not counted." in notes
    assert "1 event shown as free (10.0 h) is not counted." in notes


def test_events_before_the_window_are_reported(sqlite_url: str) -> None:
    engine = store.open_engine(sqlite_url)
    data = (FIXTURES / "window_old_events.ics").read_bytes()
    report = workflows.import_calendar(
        engine, data, file_name="old.ics", tz=BERLIN, settings=store.load_settings(engine), now=NOW,
        since=datetime(2020, 1, 1, tzinfo=UTC),
    )
    assert (report.occurrences, report.events_before, report.events_after) == (1, 2, 0)
    [note] = [n for n in report.notes() if "before" in n]
    assert note.startswith("2 events before 2020-01-01 were left out: the import reads 2020-01-01 to 2027-11-30.")
    wider = workflows.import_calendar(
        engine, data, file_name="old.ics", tz=BERLIN, settings=store.load_settings(engine), now=NOW,
        since=datetime(2009, 1, 1, tzinfo=UTC),
    )
    assert (wider.occurrences, wider.events_before, wider.added) == (3, 0, 2)


def test_an_end_typed_before_the_start_is_swapped_and_said() -> None:
    parsed = ics.read_ics(
        (FIXTURES / "end_typed_backwards.ics").read_bytes(), file_name="b.ics", tz=BERLIN, now=NOW, since=SINCE
    )
    [row] = parsed.frame.to_dict("records")
    assert (row["end_utc"] - row["start_utc"]) == pd.Timedelta(minutes=15)
    assert row["start_utc"] == pd.Timestamp("2026-11-02 09:00", tz="UTC")
    [issue] = parsed.issues
    assert issue.kind == "warning" and "swapped" in issue.message and "0.25 h" in issue.message


def test_addresses_are_proposed_from_the_calendar(sqlite_url: str) -> None:
    engine, _ = imported(sqlite_url, "attendance_google_meetings.ics", addresses="")
    # Google names the main calendar after the account; the address on most meetings comes next.
    assert workflows.propose_my_addresses(engine)[0] == ME


def test_a_second_address_and_letter_case_do_not_matter() -> None:
    occ = pd.DataFrame({
        "all_day": [False, False], "attendees": ["DECLINED:me@work.example ACCEPTED:x@y.z", "ACCEPTED:me@work.example"],
        "organizer": ["x@y.z", ""], "transparent": [False, False], "busy_status": ["", ""], "cancelled": [False, False],
    })
    decided = attendance.assign_attendance(occ, ["Me@Home.example", "mailto:ME@work.example"])
    assert decided["participation"].tolist() == ["declined", "accepted"]
    assert decided["not_counted"].tolist() == ["declined", ""]


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(detour=st.sampled_from(["", "someone@else.example", "ann@example.com", "me@example.com, ann@example.com"]))
def test_changing_the_addresses_and_back_gives_the_same_figures(tmp_path_factory: pytest.TempPathFactory, detour: str) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('addresses') / 'balance.db'}"
    engine, _ = imported(url, "attendance_google_meetings.ics")
    before = weeks(engine, "2026-11-02", "2026-11-22")
    preferences.set_setting(engine, "my_addresses", detour)
    preferences.set_setting(engine, "my_addresses", ME)
    assert weeks(engine, "2026-11-02", "2026-11-22") == before


def test_declined_plus_counted_is_the_raw_union(sqlite_url: str) -> None:
    engine, _ = imported(sqlite_url, "attendance_google_meetings.ics")
    lived = weeks(engine, "2026-11-02", "2026-11-22")
    preferences.set_setting(engine, "my_addresses", "")
    raw = weeks(engine, "2026-11-02", "2026-11-22")
    for week, figures in lived.items():  # the declined meetings overlap nothing else
        assert figures["hours"]["work"] + figures["not_counted"]["declined"] == raw[week]["hours"]["work"]
