"""health.rhythm: late work, weekend work, weeks without a break, long runs of back-to-back meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash.analytics import daily_hours, weekly_hours
from balance_dash.attendance import assign_attendance
from balance_dash.health import CATALOG, PRESETS, HealthWarning, evaluate
from balance_dash.settings import Settings, Thresholds
from tests.test_analytics import make_occurrences, timed
from tests.test_health import targets_frame, workweek

BERLIN = ZoneInfo("Europe/Berlin")
LONG_AGO = datetime(2030, 1, 1, tzinfo=BERLIN)
ME = "me@example.com"


def run(events: list[dict[str, Any]], first: str, last: str, **thresholds: Any) -> list[HealthWarning]:
    settings = Settings(sleep_enabled=False, my_addresses=(ME,), thresholds=Thresholds(**thresholds))
    occ = make_occurrences(*events).assign(
        attendees=[event.get("attendees", "") for event in events],
        organizer=[event.get("organizer", "") for event in events],
    )
    occ = assign_attendance(occ, (ME,))
    daily = daily_hours(occ, tz=BERLIN, first_day=date.fromisoformat(first), last_day=date.fromisoformat(last), sleep=None)
    weekly = weekly_hours(daily)
    return evaluate(daily, weekly, occ, settings=settings, targets=targets_frame(), now=LONG_AGO, tz=BERLIN)


def found(warnings: list[HealthWarning], code: str) -> list[tuple[date, float]]:
    return [(w.period_start, w.figure) for w in warnings if w.code == code]


def meeting(start: str, end: str) -> dict[str, Any]:
    return timed("work", start, end, attendees=f"ACCEPTED:{ME} ACCEPTED:sam@example.com", organizer=ME)


def test_the_new_codes_have_their_sources_and_thresholds() -> None:
    urls = {code: CATALOG[code].url for code in ("late_work", "weekend_work", "no_long_break", "back_to_back")}
    assert urls == {
        "late_work": "https://doi.org/10.1016/j.obhdp.2014.01.001",
        "weekend_work": "https://doi.org/10.3109/07420528.2011.565896",
        "no_long_break": "https://doi.org/10.1539/joh.k8004",
        "back_to_back": "https://www.microsoft.com/en-us/worklab/work-trend-index/brain-research",
    }
    assert "Lanaj, Johnson & Barnes 2014" in CATALOG["late_work"].source
    assert "de Bloom et al. 2009" in CATALOG["no_long_break"].source
    for preset in PRESETS.values():  # every preset carries the new thresholds
        assert (preset.late_work_hour, preset.weekend_work_weekends, preset.long_break_weeks) == (21.0, 3, 16)


@pytest.mark.parametrize(
    ("end", "limit", "expected"),
    [("21:00", 21.0, []), ("22:30", 21.0, [1.5]), ("22:30", 22.0, [0.5]), ("23:59", 24.0, [])],
)
def test_work_late_in_the_evening(end, limit, expected) -> None:
    warnings = run([timed("work", "2024-10-08 19:00", f"2024-10-08 {end}")], "2024-10-07", "2024-10-13",
                   late_work_hour=limit)
    assert [figure for _, figure in found(warnings, "late_work")] == expected


def test_work_after_midnight_belongs_to_the_next_day_not_to_late_work() -> None:
    warnings = run([timed("work", "2024-10-08 23:00", "2024-10-09 01:00")], "2024-10-07", "2024-10-13")
    assert found(warnings, "late_work") == [(date(2024, 10, 8), 1.0)]


@pytest.mark.parametrize(("saturdays", "expected"), [(2, []), (3, [(date(2024, 10, 21), 3.0)])])
def test_work_on_most_of_the_last_four_weekends(saturdays, expected) -> None:
    events = [timed("work", f"{day} 10:00", f"{day} 12:00")
              for day in ("2024-10-12", "2024-10-19", "2024-10-26")[3 - saturdays:]]
    warnings = run(events, "2024-09-30", "2024-10-27")
    assert found(warnings, "weekend_work") == expected


def test_weeks_without_a_break_of_five_days_off() -> None:
    # Work every weekday for 20 weeks, a week of vacation in the 10th (9 days in a row without work).
    mondays = [pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=n) for n in range(20)]
    events = [event for monday in mondays if monday != pd.Timestamp("2024-03-04")
              for event in workweek(8, monday=str(monday.date()))]
    warnings = run(events, "2024-01-01", "2024-05-19", long_break_weeks=8)
    flagged = [start for start, _ in found(warnings, "no_long_break")]
    # Before the break: from the 9th week of the history shown on; after it, 8 weeks later again.
    assert flagged[0] == date(2024, 2, 26)
    assert date(2024, 3, 11) not in flagged and date(2024, 4, 29) not in flagged
    assert flagged[-1] == date(2024, 5, 13)
    assert found(run(events, "2024-01-01", "2024-05-19", long_break_weeks=30), "no_long_break") == []


@pytest.mark.parametrize(("meetings", "expected"), [(3, []), (4, [(date(2024, 10, 8), 2.0)])])
def test_a_long_run_of_back_to_back_meetings(meetings, expected) -> None:
    starts = pd.date_range("2024-10-08 09:00", periods=meetings, freq="30min")
    events = [meeting(str(start), str(start + pd.Timedelta(minutes=30))) for start in starts]  # no gap between them
    warnings = run(events, "2024-10-07", "2024-10-13")
    assert found(warnings, "back_to_back") == expected
    if expected:
        [warning] = [w for w in warnings if w.code == "back_to_back"]
        assert warning.message.startswith("Tuesday 2024-10-08: 4 meetings back to back from 09:00")
