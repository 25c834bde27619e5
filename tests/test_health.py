"""health: every warning just under and just over its threshold, across midnight, DST and zones."""

from __future__ import annotations

import os
import time as time_module
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash.analytics import area_intervals, daily_hours, weekly_hours
from balance_dash.health import (
    CATALOG,
    DEFAULT_TARGETS,
    PRESETS,
    HealthWarning,
    evaluate,
    targets_document,
    targets_for_weeks,
)
from balance_dash.models import AREAS
from balance_dash.settings import Settings, Thresholds
from tests.test_analytics import all_day, make_occurrences, timed

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
LONG_AGO = datetime(2030, 1, 1, tzinfo=BERLIN)  # "now" after every test week: nothing scheduled
NO_SLEEP = Settings(sleep_enabled=False)


def targets_frame(table: dict[str, tuple[float | None, float | None]] | None = None,
                  effective_from: date = date(1970, 1, 1)) -> pd.DataFrame:
    rows = [
        {"area": area, "min_hours": low, "max_hours": high, "effective_from": effective_from}
        for area, (low, high) in (table or {}).items()
    ]
    frame = pd.DataFrame(rows, columns=["area", "min_hours", "max_hours", "effective_from"])
    return frame.astype({"min_hours": float, "max_hours": float})


def run(
    events: list[dict[str, Any]], first: str, last: str, *, now: datetime = LONG_AGO, tz: ZoneInfo = BERLIN,
    settings: Settings = NO_SLEEP, targets: pd.DataFrame | None = None,
) -> list[HealthWarning]:
    occ = make_occurrences(*events)
    sleep = (settings.sleep_start, settings.sleep_end) if settings.sleep_enabled else None
    daily = daily_hours(occ, tz=tz, first_day=date.fromisoformat(first), last_day=date.fromisoformat(last), sleep=sleep)
    weekly = weekly_hours(daily, week_starts_on=settings.week_starts_on)
    return evaluate(daily, weekly, area_intervals(occ), settings=settings,
                    targets=targets if targets is not None else targets_frame(), now=now, tz=tz)


def codes(warnings: list[HealthWarning], *wanted: str) -> list[tuple[str, str, float]]:
    return [(w.code, w.severity, w.figure) for w in warnings if w.code in wanted]


def workweek(hours_per_day: float, monday: str = "2024-10-07", days: int = 5, tz: ZoneInfo = BERLIN,
             start: str = "08:00") -> list[dict[str, Any]]:
    first = pd.Timestamp(monday)
    events = []
    for offset in range(days):
        day = first + pd.Timedelta(days=offset)
        begin = pd.Timestamp(f"{day.date()} {start}")
        end = begin + pd.Timedelta(hours=hours_per_day)
        events.append(timed("work", str(begin), str(end), tz=tz))
    return events


# --- catalog -----------------------------------------------------------------------------------

def test_catalog_holds_every_code_of_the_product_with_its_source() -> None:
    assert set(CATALOG) == {
        "week_over_48h", "week_55h", "avg_over_48h", "long_day", "short_daily_rest", "no_weekly_rest",
        "no_break", "after_hours", "work_on_rest_day", "short_sleep", "below_target", "above_target", "streak",
        "late_work", "weekend_work", "no_long_break", "back_to_back",
    }
    urls = {code: spec.url for code, spec in CATALOG.items()}
    assert urls["week_over_48h"] == urls["avg_over_48h"] == "https://eur-lex.europa.eu/eli/dir/2003/88/oj"
    assert urls["week_55h"] == "https://doi.org/10.1016/j.envint.2021.106595"
    assert urls["long_day"] == "https://www.gesetze-im-internet.de/arbzg/"
    assert urls["short_sleep"] == "https://doi.org/10.5665/sleep.4716"
    assert "Pencavel" in CATALOG["week_over_48h"].source
    assert "art. 3" in CATALOG["short_daily_rest"].source
    assert "art. 5" in CATALOG["no_weekly_rest"].source
    assert "art. 4" in CATALOG["no_break"].source
    for spec in CATALOG.values():
        assert spec.threshold_field is None or spec.threshold_field in Thresholds.model_fields


def test_presets() -> None:
    assert PRESETS["eu_directive"] == Thresholds()
    assert PRESETS["germany"].average_weeks == 24
    assert PRESETS["health_only"].week_caution_hours == 50.0


# --- weekly hours --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("hours_per_day", "expected"),
    [
        (9.6, []),  # exactly 48 h
        (9.7, [("week_over_48h", "caution", 48.5)]),
        (10.9, [("week_over_48h", "caution", 54.5)]),
        (11.0, [("week_55h", "high", 55.0)]),  # 55 h: high only, no repeat of the caution
    ],
)
def test_week_hours(hours_per_day: float, expected: list[tuple[str, str, float]]) -> None:
    warnings = run(workweek(hours_per_day), "2024-10-07", "2024-10-13")
    assert codes(warnings, "week_over_48h", "week_55h") == expected


def test_week_message_names_week_figure_threshold_and_source() -> None:
    [warning] = [w for w in run(workweek(10.5), "2024-10-07", "2024-10-13") if w.code == "week_over_48h"]
    assert warning.message == "Week 2024-W41: 52.5 h of work, above the 48 h limit of the EU Working Time Directive"
    assert (warning.period_start, warning.period_end) == (date(2024, 10, 7), date(2024, 10, 13))
    assert (warning.threshold, warning.scheduled) == (48.0, False)
    assert warning.url == "https://eur-lex.europa.eu/eli/dir/2003/88/oj"


@pytest.mark.parametrize(
    ("now", "prefix"),
    [
        (datetime(2024, 10, 2, 12, tzinfo=BERLIN), "Next week (2024-W41) already holds 52.5 h of work"),
        (datetime(2024, 10, 9, 12, tzinfo=BERLIN), "This week (2024-W41) already holds 52.5 h of work"),
        (datetime(2024, 9, 20, 12, tzinfo=BERLIN), "Week 2024-W41 (scheduled) already holds 52.5 h of work"),
        # Sunday 23:30 in Berlin: the week is not over yet, although it is Monday in UTC+13
        (datetime(2024, 10, 13, 23, 30, tzinfo=BERLIN), "This week (2024-W41) already holds"),
        (datetime(2024, 10, 14, 0, 0, tzinfo=BERLIN), "Week 2024-W41: 52.5 h"),
    ],
)
def test_scheduled_weeks(now: datetime, prefix: str) -> None:
    [warning] = [w for w in run(workweek(10.5), "2024-10-07", "2024-10-13", now=now) if w.code == "week_over_48h"]
    assert warning.message.startswith(prefix)
    assert warning.scheduled is ("already" in prefix)


def test_week_across_fall_back_counts_the_extra_hour() -> None:
    # Mon-Fri 9 h, then Sunday 2024-10-27 00:00-05:00 wall time holds 6 real hours
    events = [*workweek(9.0, monday="2024-10-21"), timed("work", "2024-10-27 00:00", "2024-10-27 05:00")]
    assert codes(run(events, "2024-10-21", "2024-10-27"), "week_over_48h") == [("week_over_48h", "caution", 51.0)]
    spring = [*workweek(9.0, monday="2024-03-25"), timed("work", "2024-03-31 00:00", "2024-03-31 04:00")]
    assert codes(run(spring, "2024-03-25", "2024-03-31"), "week_over_48h") == []  # 45 + 3 = 48


@pytest.mark.parametrize(
    ("weekly_work", "expected"),
    [
        ([47.5, 48.0, 48.5], []),  # average 48.0
        ([47.0, 49.0, 49.5], [("avg_over_48h", "caution", 48.5)]),
        ([49.0, 49.0], []),  # fewer weeks than the reference period
    ],
)
def test_rolling_average(weekly_work: list[float], expected: list[tuple[str, str, float]]) -> None:
    events: list[dict[str, Any]] = []
    mondays = pd.date_range("2024-09-02", periods=len(weekly_work), freq="7D")
    for monday, hours in zip(mondays, weekly_work, strict=True):
        events += workweek(hours / 5, monday=str(monday.date()))
    settings = NO_SLEEP.model_copy(update={"thresholds": Thresholds(average_weeks=3)})
    last = str((mondays[-1] + pd.Timedelta(days=6)).date())
    warnings = run(events, "2024-09-02", last, settings=settings)
    assert codes(warnings, "avg_over_48h") == expected
    if expected:
        assert warnings[0].period_start == date(2024, 9, 2)
        assert "The 3 weeks 2024-W36 to 2024-W38: 48.5 h of work a week on average" in next(
            w.message for w in warnings if w.code == "avg_over_48h"
        )


# --- daily hours -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-10-08 08:00", "2024-10-08 18:00", []),  # 10 h
        ("2024-10-08 08:00", "2024-10-08 18:30", [("long_day", "caution", 10.5)]),
        ("2024-10-08 08:00", "2024-10-08 19:00", [("long_day", "high", 11.0)]),
        ("2024-10-08 20:00", "2024-10-09 07:00", []),  # across midnight: 4 h + 7 h
        ("2024-10-27 00:00", "2024-10-27 10:00", [("long_day", "high", 11.0)]),  # fall back: 11 real h
        ("2024-03-31 00:00", "2024-03-31 11:00", []),  # spring forward: 10 real h
    ],
)
def test_long_day(start: str, end: str, expected: list[tuple[str, str, float]]) -> None:
    day = date.fromisoformat(start[:10])
    warnings = run([timed("work", start, end)], str(day), str(day + timedelta(days=1)))
    assert codes(warnings, "long_day") == expected


def test_long_day_messages_cite_their_own_source() -> None:
    caution, high = (
        next(
            w for w in run([timed("work", f"2024-10-0{d} 08:00", f"2024-10-0{d} {h}")], f"2024-10-0{d}", f"2024-10-0{d}")
            if w.code == "long_day"
        )
        for d, h in ((8, "18:30"), (9, "20:00"))
    )
    assert caution.message == (
        "Tuesday 2024-10-08: 10.5 h of work, above the 10 h daily cap of the German Working Hours Act (ArbZG section 3)"
    )
    assert high.message.startswith("Wednesday 2024-10-09: 12 h of work, at or above 11 h")
    assert high.url == "https://doi.org/10.1371/journal.pone.0030719"
    assert caution.url == "https://www.gesetze-im-internet.de/arbzg/"


@pytest.mark.parametrize("tz", [NEW_YORK, AUCKLAND])
def test_long_day_in_other_zones(tz: ZoneInfo) -> None:
    warnings = run([timed("work", "2024-10-08 08:00", "2024-10-08 18:30", tz=tz)], "2024-10-08", "2024-10-08", tz=tz)
    assert codes(warnings, "long_day") == [("long_day", "caution", 10.5)]
    assert next(w for w in warnings if w.code == "long_day").period_start == date(2024, 10, 8)


# --- rest and breaks -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("last_end", "next_start", "expected"),
    [
        ("2024-10-08 21:00", "2024-10-09 08:00", []),  # 11 h
        ("2024-10-08 21:30", "2024-10-09 08:00", [("short_daily_rest", "caution", 10.5)]),
        ("2024-10-09 01:00", "2024-10-09 08:00", [("short_daily_rest", "caution", 7.0)]),  # past midnight
        ("2024-10-26 22:00", "2024-10-27 08:00", []),  # fall back: 11 real hours
        ("2024-03-30 22:00", "2024-03-31 09:00", [("short_daily_rest", "caution", 10.0)]),  # spring forward
    ],
)
def test_short_daily_rest(last_end: str, next_start: str, expected: list[tuple[str, str, float]]) -> None:
    first_day = last_end[:10] if last_end[11:] > "12:00" else str(pd.Timestamp(last_end[:10]).date() - pd.Timedelta(days=1))
    events = [timed("work", f"{first_day} 14:00", last_end), timed("work", next_start, next_start[:10] + " 12:00")]
    warnings = run(events, first_day, next_start[:10])
    assert codes(warnings, "short_daily_rest") == expected


def test_short_daily_rest_message() -> None:
    events = [timed("work", "2024-10-08 14:00", "2024-10-08 23:00"), timed("work", "2024-10-09 07:00", "2024-10-09 12:00")]
    [warning] = [w for w in run(events, "2024-10-08", "2024-10-09") if w.code == "short_daily_rest"]
    assert warning.message == (
        "Night before Wednesday 2024-10-09: only 8 h of rest between work ending at 23:00 and starting again "
        "at 07:00, under the 11 h daily rest of the EU Working Time Directive (art. 3)"
    )
    assert (warning.period_start, warning.period_end) == (date(2024, 10, 8), date(2024, 10, 9))


def weekend_events(saturday: str | None, sunday: str | None) -> list[dict[str, Any]]:
    events = [*workweek(8.0, monday="2024-10-07", start="09:00"), *workweek(8.0, monday="2024-10-14", days=1, start="09:00")]
    events += [timed("work", "2024-10-04 09:00", "2024-10-04 17:00")]
    for day, hours in (("2024-10-12", saturday), ("2024-10-13", sunday)):
        if hours:
            events.append(timed("work", f"{day} {hours.split('-')[0]}", f"{day} {hours.split('-')[1]}"))
    return events


@pytest.mark.parametrize(
    ("saturday", "sunday", "expected"),
    [
        (None, None, []),
        ("09:00-10:00", None, []),  # Sat 10:00 -> Mon 09:00 = 47 h
        (None, "20:00-22:00", []),  # Fri 17:00 -> Sun 20:00 = 51 h
        ("09:00-10:00", "09:00-10:00", [("no_weekly_rest", "caution", 23.0)]),
        ("09:00-10:00", "20:00-21:00", [("no_weekly_rest", "caution", 34.0)]),  # Sat 10 -> Sun 20
        ("09:00-10:00", "21:00-22:00", []),  # exactly 35 h
    ],
)
def test_no_weekly_rest(saturday: str | None, sunday: str | None, expected: list[tuple[str, str, float]]) -> None:
    warnings = run(weekend_events(saturday, sunday), "2024-10-07", "2024-10-13")
    assert codes(warnings, "no_weekly_rest") == expected


def test_no_weekly_rest_for_sunday_start_weeks_uses_the_whole_weekend() -> None:
    settings = NO_SLEEP.model_copy(update={"week_starts_on": "sunday"})
    warnings = run(weekend_events(None, None), "2024-10-06", "2024-10-19", settings=settings)
    assert codes(warnings, "no_weekly_rest") == []


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([("08:00", "14:00")], []),  # exactly 6 h
        ([("08:00", "14:15")], [("no_break", "info", 6.25)]),
        ([("08:00", "12:00"), ("12:20", "14:30")], [("no_break", "info", 6.17)]),  # 20 min is no break
        ([("08:00", "12:00"), ("12:30", "15:00")], []),  # 30 min is a break
    ],
)
def test_no_break(events: list[tuple[str, str]], expected: list[tuple[str, str, float]]) -> None:
    occ = [timed("work", f"2024-10-08 {a}", f"2024-10-08 {b}") for a, b in events]
    assert codes(run(occ, "2024-10-08", "2024-10-08"), "no_break") == expected


def test_no_break_across_midnight_counts_once_for_the_day_it_starts() -> None:
    warnings = run([timed("work", "2024-10-08 21:00", "2024-10-09 04:00")], "2024-10-08", "2024-10-09")
    [warning] = [w for w in warnings if w.code == "no_break"]
    assert (warning.period_start, warning.figure) == (date(2024, 10, 8), 7.0)
    assert "from 21:00 to 04:00 without a 30-minute break" in warning.message


# --- boundaries --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([("2024-10-08 08:00", "2024-10-08 18:00")], []),
        ([("2024-10-08 08:00", "2024-10-08 18:30")], [("after_hours", "boundary", 0.5)]),
        ([("2024-10-08 07:15", "2024-10-08 12:00"), ("2024-10-09 17:00", "2024-10-09 19:00")],
         [("after_hours", "boundary", 1.75)]),
        ([("2024-10-12 20:00", "2024-10-12 21:00")], []),  # Saturday: a rest day, not after hours
        ([("2024-10-08 23:00", "2024-10-09 01:00")], [("after_hours", "boundary", 2.0)]),  # across midnight
    ],
)
def test_after_hours(events: list[tuple[str, str]], expected: list[tuple[str, str, float]]) -> None:
    warnings = run([timed("work", a, b) for a, b in events], "2024-10-07", "2024-10-13")
    assert codes(warnings, "after_hours") == expected


def test_after_hours_message_lists_the_days() -> None:
    events = [timed("work", "2024-10-08 07:00", "2024-10-08 12:00"), timed("work", "2024-10-10 17:00", "2024-10-10 20:30")]
    [warning] = [w for w in run(events, "2024-10-07", "2024-10-13") if w.code == "after_hours"]
    assert warning.message == (
        "Week 2024-W41: 3.5 h of work outside your 08:00-18:00 working hours: Tuesday 2024-10-08 (1 h), "
        "Thursday 2024-10-10 (2.5 h)"
    )


def test_work_on_rest_day_and_day_off() -> None:
    events = [
        timed("work", "2024-10-12 10:00", "2024-10-12 12:00"),  # Saturday
        all_day("rest", "2024-10-09", "2024-10-10", day_off=True),
        timed("work", "2024-10-09 09:00", "2024-10-09 10:00"),
        timed("family", "2024-10-13 10:00", "2024-10-13 12:00"),  # Sunday, but no work
    ]
    warnings = [w for w in run(events, "2024-10-07", "2024-10-13") if w.code == "work_on_rest_day"]
    assert [w.message for w in warnings] == [
        "Wednesday 2024-10-09, a day off, held 1 h of work",
        "Saturday 2024-10-12, a rest day, held 2 h of work",
    ]
    assert all(w.severity == "boundary" for w in warnings)
    assert codes(run(events, "2024-10-07", "2024-10-13"), "after_hours") == []


# --- sleep ---------------------------------------------------------------------------------------

SLEEP_ON = Settings()


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], []),
        ([("personal", "2024-10-08 23:00", "2024-10-09 00:00")], []),  # 7 h left
        ([("personal", "2024-10-08 23:00", "2024-10-09 00:30")], [("short_sleep", "caution", 6.5)]),
        ([("work", "2024-10-09 05:30", "2024-10-09 08:00")], [("short_sleep", "caution", 6.5)]),
        ([("rest", "2024-10-08 22:00", "2024-10-09 03:00")], []),  # logged rest does not shorten sleep
        ([("personal", "2024-03-30 23:00", "2024-03-30 23:15")], [("short_sleep", "caution", 6.75)]),  # spring: 7 h window
        ([("personal", "2024-10-26 23:00", "2024-10-27 01:00")], []),  # fall back: 9 h window, 7 left
    ],
)
def test_short_sleep(events: list[tuple[str, str, str]], expected: list[tuple[str, str, float]]) -> None:
    day = date.fromisoformat(events[0][1][:10] if events else "2024-10-08")
    first, last = str(day - timedelta(days=1)), str(day + timedelta(days=1))
    warnings = run([timed(*event) for event in events], first, last, settings=SLEEP_ON)
    assert codes(warnings, "short_sleep") == expected


def test_short_sleep_off_when_sleep_window_is_off() -> None:
    events = [timed("personal", "2024-10-08 23:00", "2024-10-09 03:00")]
    assert codes(run(events, "2024-10-08", "2024-10-09", settings=NO_SLEEP), "short_sleep") == []


def test_short_sleep_message_and_scheduling() -> None:
    events = [timed("work", "2024-10-08 22:00", "2024-10-09 01:00")]
    now = datetime(2024, 10, 9, 6, 0, tzinfo=BERLIN)  # the night is not over yet
    [warning] = [w for w in run(events, "2024-10-08", "2024-10-09", settings=SLEEP_ON, now=now) if w.code == "short_sleep"]
    assert warning.scheduled
    assert warning.message == (
        "Night of Tuesday 2024-10-08 (scheduled) already leaves 6 h of sleep opportunity in your 23:00-07:00 "
        "sleep window, under the 7 h adults need (AASM/SRS 2015)"
    )
    assert (warning.period_start, warning.period_end) == (date(2024, 10, 8), date(2024, 10, 9))


# --- targets and streaks -------------------------------------------------------------------------

def test_default_targets_cover_every_area() -> None:
    assert set(DEFAULT_TARGETS) == set(AREAS)
    for low, high in DEFAULT_TARGETS.values():
        assert low is None or high is None or low <= high


def test_targets_for_weeks_picks_the_row_in_force() -> None:
    targets = pd.concat(
        [targets_frame({"work": (35.0, 48.0)}, date(1970, 1, 1)), targets_frame({"work": (30.0, 40.0)}, date(2024, 10, 10))]
    )
    picked = targets_for_weeks(targets, [date(2024, 10, 7), date(2024, 10, 14)])
    assert list(picked.columns) == ["week_start", "area", "min_hours", "max_hours", "effective_from"]
    work = picked[picked["area"] == "work"]
    assert work["max_hours"].tolist() == [48.0, 40.0]
    assert picked[picked["area"] == "family"]["min_hours"].isna().all()


def test_below_target_only_for_complete_past_weeks_and_above_target_also_when_scheduled() -> None:
    targets = targets_frame({"family": (14.0, None), "work": (None, 40.0)})
    events = [*workweek(9.0), timed("family", "2024-10-12 10:00", "2024-10-12 20:00")]
    past = run(events, "2024-10-07", "2024-10-13", targets=targets)
    assert codes(past, "below_target", "above_target") == [("above_target", "info", 45.0), ("below_target", "info", 10.0)]
    assert "Week 2024-W41: 10 h of family, below your target of at least 14 h" in [w.message for w in past]
    planned = run(events, "2024-10-07", "2024-10-13", targets=targets, now=datetime(2024, 10, 1, tzinfo=BERLIN))
    assert codes(planned, "below_target", "above_target") == [("above_target", "info", 45.0)]
    partial = run(events, "2024-10-07", "2024-10-12", targets=targets)
    assert codes(partial, "below_target") == []


@pytest.mark.parametrize(("weeks", "expected"), [(2, []), (3, [("streak", "high", 3.0)]), (4, [("streak", "high", 4.0)])])
def test_streak_escalates_one_level(weeks: int, expected: list[tuple[str, str, float]]) -> None:
    events: list[dict[str, Any]] = []
    mondays = pd.date_range("2024-09-02", periods=weeks, freq="7D")
    for monday in mondays:
        events += workweek(10.0, monday=str(monday.date()))  # 50 h: week_over_48h every week
    events += workweek(8.0, monday=str((mondays[-1] + pd.Timedelta(days=14)).date()))
    last = str((mondays[-1] + pd.Timedelta(days=20)).date())
    warnings = run(events, "2024-09-02", last, settings=NO_SLEEP.model_copy(update={"thresholds": Thresholds(average_weeks=52)}))
    streaks = [w for w in warnings if w.code == "streak" and "(week_over_48h)" in w.message]
    assert codes(streaks, "streak") == expected
    if streaks:
        assert streaks[0].message.startswith(f"Weeks 2024-W36 to 2024-W{35 + weeks}: more than 48 h of work in a week (week_over_48h)")
        assert "raised from caution to high" in streaks[0].message


# --- zones and purity ------------------------------------------------------------------------------

def test_the_system_zone_never_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    events = [*workweek(10.5), timed("work", "2024-10-12 23:00", "2024-10-13 02:00")]
    results = []
    for name in ("Pacific/Auckland", "America/New_York", "UTC"):
        monkeypatch.setenv("TZ", name)
        time_module.tzset()
        results.append(run(events, "2024-10-07", "2024-10-13", settings=SLEEP_ON))
    monkeypatch.undo()
    time_module.tzset()
    assert results[0] == results[1] == results[2]
    assert os.environ.get("TZ") != "Test/Nowhere"


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        run([], "2024-10-07", "2024-10-13", now=datetime(2024, 10, 7))


def test_evaluate_does_not_mutate_its_inputs_and_orders_by_period() -> None:
    occ = make_occurrences(*workweek(11.0))
    daily = daily_hours(occ, tz=BERLIN, first_day=date(2024, 10, 7), last_day=date(2024, 10, 13), sleep=(time(23), time(7)))
    weekly = weekly_hours(daily)
    intervals = area_intervals(occ)
    copies = [frame.copy() for frame in (daily, weekly, intervals)]
    warnings = evaluate(daily, weekly, intervals, settings=Settings(), targets=targets_frame(DEFAULT_TARGETS),
                        now=LONG_AGO, tz=BERLIN)
    for frame, copy in zip((daily, weekly, intervals), copies, strict=True):
        pd.testing.assert_frame_equal(frame, copy)
    assert [w.period_start for w in warnings] == sorted(w.period_start for w in warnings)
    assert {w.code for w in warnings} >= {"week_55h", "long_day", "no_break", "after_hours", "above_target"}


def test_evaluate_accepts_occurrences_and_resolved_targets() -> None:
    occ = make_occurrences(*workweek(10.0))
    daily = daily_hours(occ, tz=BERLIN, first_day=date(2024, 10, 7), last_day=date(2024, 10, 13), sleep=None)
    weekly = weekly_hours(daily)
    table = targets_frame({"work": (None, 40.0)})
    expected = evaluate(daily, weekly, area_intervals(occ), settings=NO_SLEEP, targets=table, now=LONG_AGO, tz=BERLIN)
    in_force = targets_for_weeks(table, weekly.index)
    got = evaluate(daily, weekly, occ, settings=NO_SLEEP, targets=in_force, now=LONG_AGO, tz=BERLIN)
    assert got == expected
    assert "above_target" in {w.code for w in got}


def test_documents_for_the_summary_json() -> None:
    [warning] = [w for w in run(workweek(10.5), "2024-10-07", "2024-10-13") if w.code == "week_over_48h"]
    document = warning.to_document()
    assert {"code", "severity", "message", "source"} <= set(document)
    assert document["period_start"] == "2024-10-07"
    in_force = targets_for_weeks(targets_frame(DEFAULT_TARGETS), [date(2024, 10, 7)])
    assert targets_document(in_force, date(2024, 10, 7))["work"] == {"min_hours": 35.0, "max_hours": 48.0}
    assert targets_document(in_force, date(2024, 10, 7))["family"] == {"min_hours": 14.0, "max_hours": None}
