"""The pure trend computations: rolling means, the work heatmap, after-hours work, period
comparisons and the week timeline (times written in Europe/Berlin; nothing reads the machine's zone)."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash import analytics
from balance_dash.analytics import trends
from balance_dash.models import AREAS, UNCATEGORIZED
from balance_dash.settings import Settings

BERLIN = "Europe/Berlin"
ZONE = ZoneInfo(BERLIN)


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=BERLIN)


def occurrences(*events: tuple, all_day: tuple = ()) -> pd.DataFrame:
    """Timed events as (start, end, area[, title]) in Berlin time; all-day ones as (first, end, area, day_off)."""
    rows = [
        {"title": event[3] if len(event) > 3 else "event", "all_day": False, "start_utc": at(event[0]),
         "end_utc": at(event[1]), "day_start": pd.NaT, "day_end": pd.NaT, "area": event[2], "day_off": False}
        for event in events
    ] + [
        {"title": "all day", "all_day": True, "start_utc": pd.NaT, "end_utc": pd.NaT,
         "day_start": pd.Timestamp(first), "day_end": pd.Timestamp(end), "area": area, "day_off": off}
        for first, end, area, off in all_day
    ]
    frame = pd.DataFrame(rows, columns=["title", "all_day", "start_utc", "end_utc", "day_start", "day_end", "area", "day_off"])
    for column in ("start_utc", "end_utc"):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    return frame.astype({"day_start": "datetime64[s]", "day_end": "datetime64[s]", "all_day": bool, "day_off": bool})


# --- weekly lines and their rolling mean ----------------------------------------------------------


def weekly_frame(work: list[float], uncategorized: list[float] | None = None) -> pd.DataFrame:
    starts = pd.date_range("2024-01-01", periods=len(work), freq="7D", name="week_start").as_unit("s")
    frame = pd.DataFrame(dict.fromkeys(AREAS, 0.0), index=starts).assign(
        work=work, **{UNCATEGORIZED: uncategorized or [0.0] * len(work)}
    )
    return frame.assign(iso_week=analytics.iso_week_label(starts, "monday"))


@pytest.mark.parametrize(
    ("work", "since", "expected_weeks", "expected_mean"),
    [
        ([10, 20, 30, 40, 50], None, ["2024-W01", "2024-W02", "2024-W03", "2024-W04", "2024-W05"], [10, 15, 20, 25, 35]),
        # The weeks before `since` feed the mean of the first weeks shown.
        ([10, 20, 30, 40, 50], date(2024, 1, 15), ["2024-W03", "2024-W04", "2024-W05"], [20, 25, 35]),
        ([0, 0, 0, 8], None, ["2024-W01", "2024-W02", "2024-W03", "2024-W04"], [0, 0, 0, 2]),
        ([12], None, ["2024-W01"], [12]),
    ],
)
def test_weekly_area_trend_rolls_four_weeks(work, since, expected_weeks, expected_mean):
    trend = trends.weekly_area_trend(weekly_frame(work), since=since)
    rows = trend[trend["area"] == "work"]
    assert rows["iso_week"].tolist() == expected_weeks
    assert rows["rolling_hours"].tolist() == pytest.approx(expected_mean)
    assert rows["hours"].tolist() == pytest.approx(work[len(work) - len(expected_weeks):])
    assert trend["area"].unique().tolist() == list(AREAS)


def test_weekly_area_trend_shows_uncategorized_only_with_hours():
    trend = trends.weekly_area_trend(weekly_frame([1, 2], uncategorized=[0, 3]))
    assert trend["area"].unique().tolist() == [*AREAS, UNCATEGORIZED]
    assert trend.loc[trend["area"] == UNCATEGORIZED, "rolling_hours"].tolist() == [0, 1.5]


# --- the weekday x hour heatmap -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "events", "first_day", "expected"),
    [
        ("half hours", [("2024-03-04 09:30", "2024-03-04 10:15", "work")], date(2024, 3, 4),
         {("Monday", 9): 0.5, ("Monday", 10): 0.25}),
        ("across midnight", [("2024-03-04 22:00", "2024-03-05 02:00", "work")], date(2024, 3, 4),
         {("Monday", 22): 1, ("Monday", 23): 1, ("Tuesday", 0): 1, ("Tuesday", 1): 1}),
        ("double-booked counts once", [("2024-03-04 10:00", "2024-03-04 11:00", "work"),
                                       ("2024-03-04 10:30", "2024-03-04 11:00", "work")], date(2024, 3, 4),
         {("Monday", 10): 1}),
        ("other areas are not work", [("2024-03-04 10:00", "2024-03-04 11:00", "family")], date(2024, 3, 4), {}),
        # Berlin springs forward on 2024-03-31 at 02:00: the hour 02:00-03:00 does not exist.
        ("spring forward", [("2024-03-31 00:00", "2024-03-31 06:00", "work")], date(2024, 3, 25),
         {("Sunday", 0): 1, ("Sunday", 1): 1, ("Sunday", 3): 1, ("Sunday", 4): 1, ("Sunday", 5): 1}),
        # ... and falls back on 2024-10-27 at 03:00: the hour 02:00-03:00 happens twice.
        ("fall back", [("2024-10-27 00:00", "2024-10-27 06:00", "work")], date(2024, 10, 21),
         {("Sunday", 0): 1, ("Sunday", 1): 1, ("Sunday", 2): 2, ("Sunday", 3): 1, ("Sunday", 4): 1, ("Sunday", 5): 1}),
    ],
)
def test_work_heatmap(name, events, first_day, expected):
    intervals = analytics.area_intervals(occurrences(*events))
    heat = trends.work_heatmap(intervals, tz=ZONE, first_day=first_day, last_day=first_day + pd.Timedelta(days=6))
    assert heat.shape == (7, 24)
    assert heat.index.tolist()[0] == "Monday"
    found = {(day, hour): value for (day, hour), value in heat.stack().items() if value}
    assert found == pytest.approx(expected), name


def test_work_heatmap_starts_the_week_on_sunday_when_asked_and_sums_over_weeks():
    events = [("2024-03-04 10:00", "2024-03-04 12:00", "work"), ("2024-03-11 10:00", "2024-03-11 11:00", "work")]
    intervals = analytics.area_intervals(occurrences(*events))
    heat = trends.work_heatmap(intervals, tz=ZONE, first_day=date(2024, 3, 3), last_day=date(2024, 3, 16),
                               week_starts_on="sunday")
    assert heat.index.tolist() == ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    assert heat.loc["Monday", 10] == 2 and heat.loc["Monday", 11] == 1
    assert heat.to_numpy().sum() == 3


def test_work_heatmap_of_nothing_is_zero():
    heat = trends.work_heatmap(analytics.area_intervals(occurrences()), tz=ZONE, first_day=date(2024, 3, 4),
                               last_day=date(2024, 3, 10))
    assert heat.to_numpy().sum() == 0


# --- after-hours work -----------------------------------------------------------------------------

NIGHT_SHIFT = Settings(workday_start=time(22), disconnect_time=time(6))


@pytest.mark.parametrize(
    ("name", "events", "all_day", "settings", "outside", "rest_day"),
    [
        ("inside the working hours", [("2024-03-04 08:00", "2024-03-04 18:00", "work")], (), Settings(), 0, 0),
        ("an hour before the start", [("2024-03-04 07:00", "2024-03-04 08:00", "work")], (), Settings(), 1, 0),
        ("half an hour past the disconnect", [("2024-03-04 17:30", "2024-03-04 18:30", "work")], (), Settings(), 0.5, 0),
        ("family time is not work", [("2024-03-04 19:00", "2024-03-04 21:00", "family")], (), Settings(), 0, 0),
        ("a rest day", [("2024-03-09 10:00", "2024-03-09 12:00", "work")], (), Settings(), 0, 2),
        ("a day off", [("2024-03-05 10:00", "2024-03-05 12:00", "work")],
         (("2024-03-05", "2024-03-06", "rest", True),), Settings(), 0, 2),
        ("Friday night into Saturday", [("2024-03-08 23:00", "2024-03-09 01:00", "work")], (), Settings(), 1, 1),
        ("no rest days", [("2024-03-09 10:00", "2024-03-09 12:00", "work")], (), Settings(rest_days=()), 0, 0),
        ("a night shift inside its hours", [("2024-03-04 23:00", "2024-03-05 05:00", "work")], (), NIGHT_SHIFT, 0, 0),
        ("a night shift worker at noon", [("2024-03-04 12:00", "2024-03-04 13:00", "work")], (), NIGHT_SHIFT, 1, 0),
    ],
)
def test_after_hours_by_week(name, events, all_day, settings, outside, rest_day):
    occ = occurrences(*events, all_day=all_day)
    daily = analytics.daily_hours(occ, tz=ZONE, first_day=date(2024, 3, 4), last_day=date(2024, 3, 10), sleep=None)
    weekly = trends.after_hours_by_week(analytics.area_intervals(occ), daily, tz=ZONE, settings=settings)
    assert weekly.index.tolist() == [pd.Timestamp("2024-03-04")]
    row = weekly.iloc[0]
    assert (row["outside_hours"], row["rest_day_hours"]) == pytest.approx((outside, rest_day)), name
    assert row["total_hours"] == pytest.approx(outside + rest_day)
    assert row["iso_week"] == "2024-W10"


def test_after_hours_on_the_short_spring_day_counts_real_hours():
    # 2024-03-31 is a Sunday: move the rest days so it is a working day; 01:00-04:00 is 2 real hours.
    occ = occurrences(("2024-03-31 01:00", "2024-03-31 04:00", "work"))
    daily = analytics.daily_hours(occ, tz=ZONE, first_day=date(2024, 3, 25), last_day=date(2024, 3, 31), sleep=None)
    weekly = trends.after_hours_by_week(analytics.area_intervals(occ), daily, tz=ZONE, settings=Settings(rest_days=(5,)))
    assert weekly["outside_hours"].tolist() == [2.0]


# --- this period against the last -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "span", "current", "previous", "labels"),
    [
        (date(2026, 11, 23), "month", (date(2026, 11, 1), date(2026, 11, 23)), (date(2026, 10, 1), date(2026, 10, 23)),
         ("Nov 2026, 1–23 Nov", "Oct 2026, 1–23 Oct")),
        # A shorter previous month is taken whole.
        (date(2026, 3, 31), "month", (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
         ("Mar 2026, 1–31 Mar", "Feb 2026, 1–28 Feb")),
        (date(2026, 1, 1), "month", (date(2026, 1, 1), date(2026, 1, 1)), (date(2025, 12, 1), date(2025, 12, 1)),
         ("Jan 2026, 1–1 Jan", "Dec 2025, 1–1 Dec")),
        (date(2026, 11, 23), "quarter", (date(2026, 10, 1), date(2026, 11, 23)), (date(2026, 7, 1), date(2026, 8, 23)),
         ("Q4 2026, 1 Oct–23 Nov", "Q3 2026, 1 Jul–23 Aug")),
        (date(2026, 2, 15), "quarter", (date(2026, 1, 1), date(2026, 2, 15)), (date(2025, 10, 1), date(2025, 11, 15)),
         ("Q1 2026, 1 Jan–15 Feb", "Q4 2025, 1 Oct–15 Nov")),
        # 61 days of Q2 against the first 61 days of Q1 (January and February hold 59).
        (date(2026, 5, 31), "quarter", (date(2026, 4, 1), date(2026, 5, 31)), (date(2026, 1, 1), date(2026, 3, 2)),
         ("Q2 2026, 1 Apr–31 May", "Q1 2026, 1 Jan–2 Mar")),
    ],
)
def test_period_spans(today, span, current, previous, labels):
    spans = trends.period_spans(today, span)
    assert (spans.current_first, spans.current_last) == current
    assert (spans.previous_first, spans.previous_last) == previous
    assert (spans.label("current"), spans.label("previous")) == labels


def daily_frame(first: str, last: str, work: float = 0.0) -> pd.DataFrame:
    days = pd.date_range(first, last, freq="D", name="day").as_unit("s")
    frame = pd.DataFrame(dict.fromkeys((*AREAS, UNCATEGORIZED), 0.0), index=days)
    return frame.assign(work=work, rest=8.0, day_off=False)


def test_compare_periods_sums_each_span_and_takes_the_difference():
    daily = daily_frame("2026-10-01", "2026-11-23", work=2.0)
    daily.loc["2026-11-01":"2026-11-23", "work"] = 3.0
    frame = trends.compare_periods(daily, trends.period_spans(date(2026, 11, 23), "month"))
    assert frame.index.tolist() == list(AREAS)
    assert frame.loc["work"].tolist() == pytest.approx([69.0, 46.0, 23.0])
    assert frame.loc["rest"].tolist() == pytest.approx([184.0, 184.0, 0.0])
    assert frame.loc["family"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("first", "data_since", "previous_known"),
    [
        ("2026-10-01", None, True),
        ("2026-10-01", date(2026, 10, 20), True),  # the data starts inside the previous span
        ("2026-10-01", date(2026, 10, 24), False),  # ... or only after it: no data is not 0 h
        ("2026-10-05", None, False),  # the frame does not reach back far enough
    ],
)
def test_compare_periods_leaves_unknown_spans_empty(first, data_since, previous_known):
    daily = daily_frame(first, "2026-11-23", work=1.0)
    frame = trends.compare_periods(daily, trends.period_spans(date(2026, 11, 23), "month"), data_since=data_since)
    assert frame["current_hours"].notna().all()
    assert frame["previous_hours"].notna().all() == previous_known
    assert frame["difference_hours"].isna().all() == (not previous_known)


# --- which weeks a period shows -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "data_since", "expected"),
    [
        ("12w", date(2020, 1, 1), date(2026, 9, 7)),
        ("6m", date(2020, 1, 1), date(2026, 6, 1)),
        ("1y", date(2020, 1, 1), date(2025, 12, 1)),
        ("all", date(2020, 1, 1), date(2019, 12, 30)),
        ("1y", date(2026, 10, 21), date(2026, 10, 19)),  # never before the week the data starts
        ("12w", None, date(2026, 11, 23)),
        ("all", date(2027, 3, 1), date(2026, 11, 23)),  # only future events: just this week
    ],
)
def test_period_first_week(period, data_since, expected):
    assert trends.period_first_week(date(2026, 11, 23), period, data_since, "monday") == expected


# --- the week day by day --------------------------------------------------------------------------


def test_day_pieces_split_at_midnight_and_keeps_the_week():
    occ = occurrences(
        ("2024-03-09 22:00", "2024-03-10 06:00", "work", "On call <b>"),
        ("2024-03-04 09:30", "2024-03-04 10:00", "nonsense", None),
        ("2024-03-03 23:00", "2024-03-04 01:00", "family"),  # starts in the week before
        ("2024-03-10 23:30", "2024-03-11 02:00", "personal"),  # ends in the week after
        ("2024-03-12 10:00", "2024-03-12 11:00", "work"),  # outside the week
        all_day=(("2024-03-01", "2024-03-06", "rest", True), ("2024-03-20", "2024-03-21", "rest", True)),
    )
    frame = trends.day_pieces(occ, tz=ZONE, week_start=date(2024, 3, 4))
    assert list(frame.columns) == list(trends.TIMELINE_COLUMNS)
    rows = frame.assign(day=frame["day"].dt.strftime("%a %d"))[["day", "start_hour", "end_hour", "title", "area", "all_day"]]
    assert rows.values.tolist() == [
        ["Mon 04", 0.0, 24.0, "all day", "rest", True],
        ["Mon 04", 0.0, 1.0, "event", "family", False],
        ["Mon 04", 9.5, 10.0, "(no title)", "uncategorized", False],
        ["Tue 05", 0.0, 24.0, "all day", "rest", True],
        ["Sat 09", 22.0, 24.0, "On call <b>", "work", False],
        ["Sun 10", 0.0, 6.0, "On call <b>", "work", False],
        ["Sun 10", 23.5, 24.0, "event", "personal", False],
    ]
    on_call = frame[frame["title"] == "On call <b>"]
    assert on_call["event_start"].tolist() == [pd.Timestamp("2024-03-09 22:00")] * 2
    assert on_call["event_end"].tolist() == [pd.Timestamp("2024-03-10 06:00")] * 2
    assert frame.loc[frame["all_day"], "day_off"].all()


def test_day_pieces_use_the_local_clock_on_dst_days():
    occ = occurrences(
        ("2024-03-31 01:00", "2024-03-31 04:00", "work"),  # 2 real hours, 01:00-04:00 on the clock
        ("2024-03-30 23:00", "2024-03-31 03:30", "family"),
    )
    frame = trends.day_pieces(occ, tz=ZONE, week_start=date(2024, 3, 25))
    pieces = frame[["start_hour", "end_hour", "area"]].values.tolist()
    assert pieces == [[23.0, 24.0, "family"], [0.0, 3.5, "family"], [1.0, 4.0, "work"]]


def test_day_pieces_of_an_empty_week():
    frame = trends.day_pieces(occurrences(), tz=ZONE, week_start=date(2024, 3, 4))
    assert frame.empty and list(frame.columns) == list(trends.TIMELINE_COLUMNS)


def test_first_data_day_reads_timed_and_all_day_events():
    # 00:30 in Berlin on 3 March is still 2 March in UTC: the local day counts.
    occ = occurrences(("2024-03-03 00:30", "2024-03-03 01:00", "work"), all_day=(("2024-03-05", "2024-03-06", "rest", False),))
    assert trends.first_data_day(occ, ZONE) == date(2024, 3, 3)
    assert trends.first_data_day(occurrences(all_day=(("2024-03-05", "2024-03-06", "rest", False),)), ZONE) == date(2024, 3, 5)
    assert trends.first_data_day(occurrences(), ZONE) is None
