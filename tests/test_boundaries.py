"""Boundaries kept or broken per week: at the edges, across midnight, across DST, in any zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash import analytics, boundaries, health
from balance_dash.boundaries import BoundaryRule
from balance_dash.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
AUCKLAND = ZoneInfo("Pacific/Auckland")  # the suite also runs with TZ=Pacific/Auckland: use others too


def occurrences(rows: list[tuple[str, str, str]], tz: ZoneInfo) -> pd.DataFrame:
    """(area, local start, local end) -> an occurrence frame with areas decided."""
    start = pd.to_datetime([r[1] for r in rows]).tz_localize(tz).tz_convert("UTC").as_unit("us")
    end = pd.to_datetime([r[2] for r in rows]).tz_localize(tz).tz_convert("UTC").as_unit("us")
    return pd.DataFrame(
        {
            "title": [f"{r[0]} {i}" for i, r in enumerate(rows)],
            "area": [r[0] for r in rows],
            "all_day": False,
            "start_utc": start,
            "end_utc": end,
            "day_start": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[s]"),
            "day_end": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[s]"),
            "day_off": False,
        }
    )


def check(rows, rules, tz=BERLIN, first=date(2024, 3, 25), last=date(2024, 4, 7), settings=None):
    occ = occurrences(rows, tz)
    daily = analytics.daily_hours(occ, tz=tz, first_day=first, last_day=last, sleep=None)
    return boundaries.check_boundaries(analytics.area_intervals(occ), daily, rules, tz=tz), occ, daily


DISCONNECT = BoundaryRule("Disconnect", "forbid", "work", (0, 1, 2, 3, 4), time(18), time(0))
NO_SUNDAY = BoundaryRule("No work on Sunday", "forbid", "work", (6,), time(0), time(0))
DINNER = BoundaryRule("Family dinner", "protect", "family", (0, 1, 2, 3, 4), time(19), time(20))
NIGHT = BoundaryRule("Quiet night", "forbid", "work", (0, 1, 2, 3, 4, 5, 6), time(22), time(6))


@pytest.mark.parametrize(
    ("rows", "broken_hours"),
    [
        ([("work", "2024-03-25 09:00", "2024-03-25 18:00")], 0.0),  # ends exactly at the disconnect time
        ([("work", "2024-03-25 18:00", "2024-03-25 18:30")], 0.5),  # starts exactly at it
        ([("work", "2024-03-25 17:00", "2024-03-25 19:15")], 1.25),
        ([("family", "2024-03-25 18:00", "2024-03-25 23:00")], 0.0),  # another area
        ([("work", "2024-03-25 23:00", "2024-03-26 01:00")], 1.0),  # only the hour before midnight
    ],
)
def test_disconnect_time_at_the_edges(rows, broken_hours):
    report, _occ, _daily = check(rows, [DISCONNECT], first=date(2024, 3, 25), last=date(2024, 3, 31))
    [week] = report.weekly.to_dict("records")
    assert week["broken_hours"] == pytest.approx(broken_hours)
    assert week["kept"] is (broken_hours == 0)
    assert week["days"] == 5


def test_a_span_across_midnight_belongs_to_the_day_it_starts():
    rows = [("work", "2024-03-26 05:00", "2024-03-26 07:00")]  # Tuesday early: Monday night's span
    report, _occ, _daily = check(rows, [NIGHT], first=date(2024, 3, 25), last=date(2024, 3, 31))
    [broken] = report.breaks().to_dict("records")
    assert broken["day"] == pd.Timestamp("2024-03-25") and broken["hours"] == pytest.approx(1.0)


def test_dst_spring_forward_whole_day_and_night_spans_in_berlin():
    # Sunday 2024-03-31 has 23 hours in Berlin; work all of it breaks "no work on Sunday" by 23 h.
    rows = [("work", "2024-03-31 00:00", "2024-04-01 00:00"), ("work", "2024-03-30 21:00", "2024-03-31 07:00")]
    report, _occ, _daily = check(rows, [NO_SUNDAY, NIGHT])
    weekly = report.weekly.set_index(["week_start", "boundary"])
    assert weekly.loc[(pd.Timestamp("2024-03-25"), "No work on Sunday"), "broken_hours"] == pytest.approx(23.0)
    # The night of Saturday 30 March, 22:00 to 06:00, lasts 7 h; work covered all of it.
    night = report.windows[(report.windows["boundary"] == "Quiet night") & (report.windows["day"] == "2024-03-30")]
    assert (night["end_utc"] - night["start_utc"]).iloc[0] == pd.Timedelta(hours=7)
    assert night["hours"].iloc[0] == pytest.approx(7.0)


def test_protected_block_is_broken_by_other_areas_only():
    rows = [
        ("family", "2024-03-25 19:00", "2024-03-25 20:00"),  # Monday: family at dinner, kept
        ("work", "2024-03-26 19:30", "2024-03-26 20:30"),  # Tuesday: a call at dinner, broken by 0.5 h
    ]
    report, occ, _daily = check(rows, [DINNER], first=date(2024, 3, 25), last=date(2024, 3, 31))
    breaks = boundaries.events_in_breaks(report.breaks(), occ, [DINNER])
    assert breaks[["day", "hours", "events"]].to_dict("records") == [
        {"day": pd.Timestamp("2024-03-26"), "hours": 0.5, "events": "work 1"}
    ]


def test_score_and_streaks_per_week_in_a_zone_other_than_the_machines():
    rows = [
        ("work", "2024-04-07 10:00", "2024-04-07 12:00"),  # Sunday of week 2: broken
    ]
    report, _occ, _daily = check(rows, [NO_SUNDAY, DISCONNECT], tz=AUCKLAND, first=date(2024, 3, 25), last=date(2024, 4, 21))
    scores = report.scores.set_index("week_start")
    assert list(scores["score"]) == [1.0, 0.5, 1.0, 1.0]
    assert list(scores["all_kept_streak"]) == [1, 0, 1, 2]
    sunday = report.weekly[report.weekly["boundary"] == "No work on Sunday"]
    assert list(sunday["streak"]) == [1, 0, 1, 2] and list(sunday["broken_hours"]) == [0.0, 2.0, 0.0, 0.0]


def test_versions_apply_from_their_week_and_retiring_ends_them():
    versions = pd.DataFrame(
        {
            "name": ["Sundays", "Sundays", "Sundays"],
            "kind": ["forbid"] * 3,
            "area": ["work"] * 3,
            "weekdays": ["6", "5,6", "6"],
            "start_local": [time(0)] * 3,
            "end_local": [time(0)] * 3,
            "effective_from": [date(2024, 3, 25), date(2024, 4, 1), date(2024, 4, 8)],
            "active": [True, True, False],
        }
    )
    rules = boundaries.user_rules(versions)
    assert [(r.weekdays, r.effective_from, r.until) for r in rules] == [
        ((6,), date(2024, 3, 25), date(2024, 4, 1)),
        ((5, 6), date(2024, 4, 1), date(2024, 4, 8)),
    ]
    report, _occ, _daily = check([], rules, first=date(2024, 3, 25), last=date(2024, 4, 14))
    assert report.weekly.groupby("week_start")["days"].sum().to_dict() == {
        pd.Timestamp("2024-03-25"): 1, pd.Timestamp("2024-04-01"): 2,
    }


def test_built_in_boundaries_agree_with_the_health_warnings():
    settings = Settings()
    rows = [
        ("work", "2024-03-25 07:00", "2024-03-25 19:30"),  # 1 h before the start, 1.5 h after disconnect
        ("work", "2024-03-30 10:00", "2024-03-30 13:00"),  # a Saturday (rest day)
    ]
    occ = occurrences(rows, BERLIN)
    daily = analytics.daily_hours(occ, tz=BERLIN, first_day=date(2024, 3, 25), last_day=date(2024, 3, 31), sleep=None)
    weekly = analytics.weekly_hours(daily)
    intervals = analytics.area_intervals(occ)
    report = boundaries.check_boundaries(intervals, daily, boundaries.settings_rules(settings), tz=BERLIN)
    found = health.evaluate(daily, weekly, intervals, settings=settings, targets=pd.DataFrame(),
                            now=datetime(2030, 1, 1, tzinfo=BERLIN), tz=BERLIN)
    figure = {w.code: w.figure for w in found}
    hours = report.weekly.set_index("boundary")["broken_hours"]
    assert hours["Start time"] + hours["Disconnect time"] == pytest.approx(figure["after_hours"]) == 2.5
    assert hours["Rest days"] == pytest.approx(figure["work_on_rest_day"]) == 3.0
    assert "Days off" not in hours  # no day off that week: the boundary does not count
    assert report.scores["score"].iloc[0] == pytest.approx(1 / 4)
