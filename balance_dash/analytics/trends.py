"""Trends across weeks and months, and the day-by-day timeline of one week (pure pandas/numpy).

Inputs are the frames of `analytics` (`area_intervals`, `daily_hours`, `weekly_hours`) and the
categorised occurrences; outputs are new frames for `charts`. Days and hours are local to the
display zone `tz`; every split at a local hour or midnight goes through
`analytics.intervals.local_instants_us`, so DST days hold 23 or 25 hours here as in analytics.

Frames returned here:

- `weekly_area_trend`: week_start, iso_week, area, hours, rolling_hours (tidy, one row per
  week and area).
- `work_heatmap`: index weekday (7 names, the week's first day first), columns 0..23 (local
  hour), values hours of work in the period.
- `after_hours_by_week`: index week_start, columns outside_hours, rest_day_hours, total_hours,
  iso_week.
- `compare_periods`: index area, columns current_hours, previous_hours, difference_hours.
- `day_pieces`: one row per event and local day it touches (see the function).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.models import AREAS, UNCATEGORIZED
from balance_dash.settings import WEEKDAY_NAMES, Settings

Period = Literal["12w", "6m", "1y", "all"]
# How many weeks each period of the Trends page shows, ending with the current week.
PERIOD_WEEKS: dict[Period, int | None] = {"12w": 12, "6m": 26, "1y": 52, "all": None}
PERIOD_LABELS: dict[Period, str] = {"12w": "Last 12 weeks", "6m": "Last 6 months", "1y": "Last year", "all": "All"}
ROLLING_WEEKS = 4
Span = Literal["month", "quarter"]
HOURS = tuple(range(24))
TIMELINE_COLUMNS = (
    "day", "start_hour", "end_hour", "title", "area", "all_day", "day_off", "event_start", "event_end",
)  # fmt: skip


def period_first_week(this_week: date, period: Period, first_data_day: date | None, week_starts_on: str) -> date:
    """The first week of a period that ends with `this_week`, never before the week the data starts.

    Weeks before the first event would show no work and only assumed sleep, which is no trend.
    """
    weeks = PERIOD_WEEKS[period]
    data_week = analytics.week_start_of(pd.DatetimeIndex([first_data_day or this_week]), _starts(week_starts_on))[0]
    first = this_week - timedelta(weeks=weeks - 1) if weeks else data_week.date()
    return min(max(first, data_week.date()), this_week)


def _starts(week_starts_on: str) -> Literal["monday", "sunday"]:
    return "sunday" if week_starts_on == "sunday" else "monday"


def weekly_area_trend(weekly: pd.DataFrame, *, since: date | None = None, window: int = ROLLING_WEEKS) -> pd.DataFrame:
    """Hours per area per week with their rolling mean over `window` weeks (tidy frame).

    The mean takes the weeks before `since` that `weekly` holds (so a 12-week view starts with
    a full mean) and averages fewer weeks at the very start of the data. Uncategorized appears
    only when it holds hours.
    """
    areas = [*AREAS, *([UNCATEGORIZED] if weekly[UNCATEGORIZED].gt(0).any() else [])]
    hours = weekly[areas].astype("float64")
    rolling = hours.rolling(window, min_periods=1).mean()
    keep = weekly.index >= pd.Timestamp(since) if since else np.ones(len(weekly), dtype=bool)
    def long(values: pd.DataFrame, name: str) -> pd.DataFrame:
        frame = values[keep].rename_axis("week_start").reset_index()
        return frame.melt(id_vars="week_start", value_vars=areas, var_name="area", value_name=name)

    tidy = long(hours, "hours")  # area by area, in `areas` order, each week in order
    iso = weekly["iso_week"].astype(str).reindex(pd.DatetimeIndex(tidy["week_start"])).to_numpy()
    tidy = tidy.assign(iso_week=iso, rolling_hours=long(rolling, "rolling_hours")["rolling_hours"].to_numpy())
    return tidy[["week_start", "iso_week", "area", "hours", "rolling_hours"]].astype({"area": "str"})


def _hour_bounds_us(first_day: date, last_day: date, tz: ZoneInfo) -> iv.Micros:
    """The instants of every local full hour from first_day 00:00 to the midnight after last_day.

    Like `local_instants_us`: an hour that does not exist (spring forward) has no length, the
    hour that exists twice (fall back) holds both.
    """
    days = iv.local_days(first_day, last_day)
    hours = pd.DatetimeIndex(days.as_unit("us").repeat(24) + pd.to_timedelta(np.tile(HOURS, len(days)), unit="h"))
    wall = pd.DatetimeIndex(hours.append(pd.DatetimeIndex([pd.Timestamp(last_day + timedelta(days=1))]).as_unit("us")))
    aware = wall.tz_localize(tz, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward")
    return np.asarray(aware.tz_convert("UTC").tz_localize(None).as_unit("us").asi8, dtype=np.int64)


def _weekday_order(week_starts_on: str) -> list[str]:
    first = 6 if week_starts_on == "sunday" else 0
    return [WEEKDAY_NAMES[(first + k) % 7] for k in range(7)]


def work_heatmap(
    intervals: pd.DataFrame, *, tz: ZoneInfo, first_day: date, last_day: date, week_starts_on: str = "monday"
) -> pd.DataFrame:
    """Hours of work per weekday and local hour over [first_day, last_day].

    The union of work intervals (double-booked time counts once) is cut at every local hour.
    """
    bounds_us = _hour_bounds_us(first_day, last_day, tz)
    hours = iv.window_hours(analytics.interval_set(intervals, ("work",)), bounds_us[:-1], bounds_us[1:])
    days = iv.local_days(first_day, last_day)
    weekday = np.repeat(np.asarray(days.day_of_week), 24)
    frame = pd.DataFrame({"weekday": weekday, "hour": np.tile(HOURS, len(days)), "hours": hours})
    table = frame.pivot_table(index="weekday", columns="hour", values="hours", aggfunc="sum", fill_value=0.0)
    table = table.reindex(index=range(7), columns=list(HOURS), fill_value=0.0).astype("float64")
    table.index = pd.Index([WEEKDAY_NAMES[d] for d in range(7)], name="weekday")
    table.columns = pd.Index(list(HOURS), name="hour")
    return table.loc[_weekday_order(week_starts_on)].round(9)


def after_hours_by_week(
    intervals: pd.DataFrame, daily: pd.DataFrame, *, tz: ZoneInfo, settings: Settings
) -> pd.DataFrame:
    """Per week of `daily`: work outside [workday_start, disconnect_time) on working days, and
    all work on rest days (settings) and days off (`daily.day_off`).

    The same reading as the `after_hours` and `work_on_rest_day` warnings of `health`.
    """
    work = analytics.interval_set(intervals, ("work",))
    days = pd.DatetimeIndex(daily.index)
    day_lo = iv.local_instants_us(days, time(0), tz)
    day_hi = iv.local_instants_us(pd.DatetimeIndex(days + pd.Timedelta(days=1)), time(0), tz)
    opens = iv.local_instants_us(days, settings.workday_start, tz)
    closes = iv.local_instants_us(days, settings.disconnect_time, tz)
    total = iv.window_hours(work, day_lo, day_hi)
    if settings.disconnect_time > settings.workday_start:
        inside = iv.window_hours(work, opens, closes)
    else:  # working hours that wrap past midnight (a night shift)
        inside = iv.window_hours(work, day_lo, closes) + iv.window_hours(work, opens, day_hi)
    rest = np.isin(np.asarray(days.day_of_week), list(settings.rest_days))
    off = daily["day_off"].astype(bool).to_numpy() if "day_off" in daily else np.zeros(len(days), dtype=bool)
    free = rest | off
    per_day = pd.DataFrame(
        {
            "outside_hours": np.where(free, 0.0, np.round(total - inside, 9)),
            "rest_day_hours": np.where(free, np.round(total, 9), 0.0),
        },
        index=days,
    )
    starts = analytics.week_start_of(days, _starts(settings.week_starts_on))
    weekly = per_day.groupby(starts).sum()
    weekly.index = pd.DatetimeIndex(weekly.index, name="week_start").as_unit("s")
    return weekly.assign(
        total_hours=weekly["outside_hours"] + weekly["rest_day_hours"],
        iso_week=analytics.iso_week_label(pd.DatetimeIndex(weekly.index), _starts(settings.week_starts_on)),
    )


@dataclass(frozen=True)
class PeriodSpans:
    """A period so far (its first day to `today`) and the same number of days of the one before."""

    span: Span
    current_first: date
    current_last: date
    previous_first: date
    previous_last: date

    @property
    def days(self) -> int:
        return (self.current_last - self.current_first).days + 1

    def label(self, which: Literal["current", "previous"]) -> str:
        first, last = (
            (self.current_first, self.current_last) if which == "current" else (self.previous_first, self.previous_last)
        )
        name = f"{first:%b %Y}" if self.span == "month" else f"Q{(first.month - 1) // 3 + 1} {first:%Y}"
        days = f"{first.day}–{last.day} {last:%b}" if first.month == last.month else f"{first.day} {first:%b}–{last.day} {last:%b}"
        return f"{name}, {days}"


def _period_start(day: date, span: Span) -> date:
    month = day.month if span == "month" else 3 * ((day.month - 1) // 3) + 1
    return day.replace(month=month, day=1)


def period_spans(today: date, span: Span) -> PeriodSpans:
    """This month (or quarter) up to `today`, and the previous one over as many days.

    Comparing like with like: 23 days of November against the first 23 days of October (a
    shorter previous period is taken whole).
    """
    current_first = _period_start(today, span)
    previous_first = _period_start(current_first - timedelta(days=1), span)
    elapsed = (today - current_first).days
    previous_last = min(previous_first + timedelta(days=elapsed), current_first - timedelta(days=1))
    return PeriodSpans(span, current_first, today, previous_first, previous_last)


def compare_periods(daily: pd.DataFrame, spans: PeriodSpans, *, data_since: date | None = None) -> pd.DataFrame:
    """Hours per area in the current and the previous span, and the difference (current - previous).

    A span that `daily` does not cover entirely, or that ends before `data_since` (the first
    day with data), gives NaN: no data is not zero hours.
    """
    days = pd.DatetimeIndex(daily.index)
    areas = [*AREAS, *([UNCATEGORIZED] if daily[UNCATEGORIZED].gt(0).any() else [])]

    def total(first: date, last: date) -> pd.Series:
        inside = (days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))
        covered = int(inside.sum()) == (last - first).days + 1 and (data_since is None or last >= data_since)
        sums = daily.loc[inside, areas].sum().astype("float64")
        return sums if covered else sums * np.nan

    current = total(spans.current_first, spans.current_last)
    previous = total(spans.previous_first, spans.previous_last)
    frame = pd.DataFrame(
        {"current_hours": current, "previous_hours": previous, "difference_hours": current - previous}
    )
    return frame.rename_axis("area").round(9)


def _wall_hours(instants_us: iv.Micros, days: pd.DatetimeIndex, tz: ZoneInfo) -> np.ndarray:
    """Hours on the local clock from each day's midnight to each instant (24 at the next midnight)."""
    wall = iv.to_utc(instants_us).tz_convert(tz).tz_localize(None)
    return np.asarray((wall - days.as_unit("us")) / pd.Timedelta(hours=1), dtype=np.float64)


def _spread(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows spanning days first..last: (row of each piece, day index of each piece)."""
    counts = np.maximum(last - first + 1, 0)
    rows = np.repeat(np.arange(len(counts)), counts)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, first[rows] + offset


def _areas(occ: pd.DataFrame) -> pd.Series:
    area = occ["area"] if "area" in occ else pd.Series(None, index=occ.index, dtype=object)
    return area.astype(object).where(area.isin(AREAS), UNCATEGORIZED)


def _titles(occ: pd.DataFrame) -> pd.Series:
    titles = occ["title"].astype(object) if "title" in occ else pd.Series(None, index=occ.index, dtype=object)
    return titles.where(titles.notna() & (titles.astype(str).str.strip() != ""), "(no title)").astype(str)


def _day_off(occ: pd.DataFrame) -> pd.Series:
    return occ["day_off"].eq(True) if "day_off" in occ else pd.Series(False, index=occ.index)


def day_pieces(occ: pd.DataFrame, *, tz: ZoneInfo, week_start: date) -> pd.DataFrame:
    """The week's events laid out per local day, for a day-by-day Gantt chart.

    One row per event and local day it touches: `day` (naive local midnight), `start_hour` and
    `end_hour` on that day's clock (0-24; an event crossing midnight gives a piece ending at 24
    and one starting at 0), `title`, `area` (unknown: uncategorized), `all_day` (all-day events
    span 0-24), `day_off`, and the whole event's `event_start`/`event_end` (naive local).
    """
    days = iv.local_days(week_start, week_start + timedelta(days=6))
    bounds_us = iv.day_bounds_us(week_start, week_start + timedelta(days=6), tz)
    all_day = occ["all_day"].astype(bool)
    timed = occ[~all_day & occ["start_utc"].notna() & occ["end_utc"].notna()]
    starts_us, ends_us = iv.micros(timed["start_utc"]), iv.micros(timed["end_utc"])
    inside = (ends_us > bounds_us[0]) & (starts_us < bounds_us[-1]) & (ends_us > starts_us)
    timed, starts_us, ends_us = timed[inside], starts_us[inside], ends_us[inside]
    lo_us, hi_us = np.clip(starts_us, bounds_us[0], bounds_us[-1]), np.clip(ends_us, bounds_us[0], bounds_us[-1])
    rows, day = _spread(
        np.searchsorted(bounds_us, lo_us, side="right") - 1, np.searchsorted(bounds_us, hi_us, side="left") - 1
    )
    piece_days = days[day]
    timed_pieces = pd.DataFrame(
        {
            "day": piece_days,
            "start_hour": _wall_hours(np.maximum(lo_us[rows], bounds_us[day]), piece_days, tz),
            "end_hour": _wall_hours(np.minimum(hi_us[rows], bounds_us[day + 1]), piece_days, tz),
            "title": _titles(timed).to_numpy()[rows],
            "area": _areas(timed).to_numpy()[rows],
            "all_day": False,
            "day_off": _day_off(timed).to_numpy()[rows],
            "event_start": iv.to_utc(starts_us[rows]).tz_convert(tz).tz_localize(None),
            "event_end": iv.to_utc(ends_us[rows]).tz_convert(tz).tz_localize(None),
        }
    )
    # A fall-back hour can put a piece's end before its start on the clock; it keeps no width.
    timed_pieces = timed_pieces.assign(end_hour=np.maximum(timed_pieces["end_hour"], timed_pieces["start_hour"]))

    marked = occ[all_day & occ["day_start"].notna()]
    first_day = pd.Timestamp(week_start)
    day_start = pd.DatetimeIndex(marked["day_start"])
    day_end = pd.DatetimeIndex(marked["day_end"].fillna(marked["day_start"] + pd.Timedelta(days=1)))
    first = np.asarray((day_start - first_day) // pd.Timedelta(days=1), dtype=np.int64)
    stop = np.maximum(np.asarray((day_end - first_day) // pd.Timedelta(days=1), dtype=np.int64), first + 1)
    rows, day = _spread(np.clip(first, 0, 7), np.clip(stop, 0, 7) - 1)
    all_day_pieces = pd.DataFrame(
        {
            "day": days[day],
            "start_hour": 0.0,
            "end_hour": 24.0,
            "title": _titles(marked).to_numpy()[rows],
            "area": _areas(marked).to_numpy()[rows],
            "all_day": True,
            "day_off": _day_off(marked).to_numpy()[rows],
            "event_start": day_start[rows],
            "event_end": day_end[rows],
        }
    )
    pieces = [frame for frame in (all_day_pieces, timed_pieces) if len(frame)]
    if not pieces:
        return _empty_timeline()
    frame = pd.concat(pieces, ignore_index=True).astype({"day": "datetime64[s]", "title": "str", "area": "str"})
    return frame.sort_values(["day", "all_day", "start_hour"], ascending=[True, False, True], ignore_index=True)


def _empty_timeline() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.Series(dtype="datetime64[s]"),
            "start_hour": pd.Series(dtype="float64"),
            "end_hour": pd.Series(dtype="float64"),
            "title": pd.Series(dtype="str"),
            "area": pd.Series(dtype="str"),
            "all_day": pd.Series(dtype=bool),
            "day_off": pd.Series(dtype=bool),
            "event_start": pd.Series(dtype="datetime64[us]"),
            "event_end": pd.Series(dtype="datetime64[us]"),
        }
    )[list(TIMELINE_COLUMNS)]


def first_data_day(occ: pd.DataFrame, tz: ZoneInfo) -> date | None:
    """The local day of the earliest event (timed or all-day), None without any."""
    timed = occ["start_utc"].dropna()
    candidates = []
    if len(timed):
        candidates.append(pd.Timestamp(timed.min()).tz_convert(tz).date())
    all_day = occ.loc[occ["all_day"].astype(bool), "day_start"].dropna()
    if len(all_day):
        candidates.append(pd.Timestamp(all_day.min()).date())
    return min(candidates) if candidates else None
