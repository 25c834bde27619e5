"""Occurrences -> hours per area per local day and week (pure, vectorised pandas and numpy).

Time semantics (PRODUCT.md section 3): days and weeks are local to the display zone `tz`;
timed occurrences are split at local midnight, so DST days hold 23 or 25 hours; within one area
overlapping time counts once; the time shared by several areas is `integration`; `accounted`
is the union of all areas (and of the assumed sleep); the rest of the day is `unaccounted`.
All-day occurrences add no hours (they only mark days: `day_off`, and `<area>_day` for the area
they are placed in).

Frames returned here:

- `area_intervals(occ)`: area, start_utc, end_utc — per area the union of its timed occurrences.
- `daily_hours(...)`: index `day` (naive local midnight, `datetime64[s]`), columns
  `DAILY_COLUMNS`: the four areas, uncategorized, assumed_sleep, integration, accounted,
  unaccounted, day_length (all float hours), day_off (bool) and the day marks `work_day`,
  `family_day`, `personal_day`, `rest_day` (bool: an all-day occurrence of that area covers
  the day). Only `HOUR_COLUMNS` hold hours; never sum the other columns with them.
- `weekly_hours(daily, ...)`: index `week_start` (naive local midnight of the week's first day),
  the hour columns summed, plus `days_off` (int), the marked-day counts `work_days`,
  `family_days`, `personal_days`, `rest_days` (int), `days` (int, days of the week inside the
  range) and `iso_week` ("2024-W40").
- `sleep_nights(...)`: the nightly sleep window and the sleep opportunity left in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from balance_dash.analytics import intervals as iv
from balance_dash.attendance import MARKED_PARTICIPATION, NOT_COUNTED_REASONS
from balance_dash.models import AREAS, UNCATEGORIZED

AREA_COLUMNS: tuple[str, ...] = (*AREAS, UNCATEGORIZED)
HOUR_COLUMNS: tuple[str, ...] = (
    *AREA_COLUMNS, "sleep", "assumed_sleep", "integration", "accounted", "unaccounted", "day_length",
)
# Hours the calendar holds but the user did not live (see `attendance`), per reason, and the
# counted hours the user has not said yes to (tentative or unanswered). Reported beside the
# hours, never part of them.
NOT_COUNTED_COLUMNS: tuple[str, ...] = tuple(f"not_counted_{reason}" for reason in NOT_COUNTED_REASONS)
SIDE_HOUR_COLUMNS: tuple[str, ...] = (*NOT_COUNTED_COLUMNS, "tentative")
# A timed out-of-office event makes a day off when it takes at least this much of the day.
OUT_OF_OFFICE_DAY_HOURS = 4.0
# Logged sleep: a rest event whose title says so is sleep, not waking rest.
LOGGED_SLEEP = re.compile(r"\b(?:sleep|slept|nap|naps|bedtime|night'?s rest)\b", re.IGNORECASE)
# Per area, a day covered by an all-day occurrence placed in it (daily, bool) and the count of
# such days (weekly, int). Marks, not hours: they stay out of HOUR_COLUMNS.
DAY_MARK_COLUMNS: tuple[str, ...] = tuple(f"{area}_day" for area in AREAS)
MARKED_DAYS_COLUMNS: tuple[str, ...] = tuple(f"{area}_days" for area in AREAS)
DAILY_COLUMNS: tuple[str, ...] = (*HOUR_COLUMNS, *SIDE_HOUR_COLUMNS, "day_off", "has_data", *DAY_MARK_COLUMNS)
WEEKLY_COLUMNS: tuple[str, ...] = (
    *HOUR_COLUMNS, *SIDE_HOUR_COLUMNS, "days_off", "workdays", "workdays_off", "vacation", "has_data", "data_days",
    *MARKED_DAYS_COLUMNS, "days", "iso_week",
)
# Areas whose events do not shorten the night's sleep opportunity (a logged "Sleep" is rest).
_SLEEP_NEUTRAL_AREAS = ("rest",)


def counted(occ: pd.DataFrame) -> pd.Series:
    """Per occurrence, whether it counts as lived time (no `not_counted` reason; see `attendance`)."""
    if "not_counted" not in occ:
        return pd.Series(True, index=occ.index)
    reasons = occ["not_counted"].to_numpy(dtype=object)
    return pd.Series(pd.isna(reasons) | (reasons == ""), index=occ.index)


def logged_sleep(occ: pd.DataFrame) -> pd.Series:
    """Per occurrence, whether it is logged sleep: placed in rest, with a title that says sleep."""
    if "area" not in occ or "title" not in occ or not len(occ):
        return pd.Series(False, index=occ.index)
    rest = (occ["area"] == "rest").to_numpy(dtype=bool)
    titles = occ.loc[rest, "title"].fillna("").astype(str)
    marked = np.zeros(len(occ), dtype=bool)
    marked[rest] = titles.str.contains(LOGGED_SLEEP, regex=True).to_numpy(dtype=bool)
    return pd.Series(marked, index=occ.index)


def _timed_rows(occ: pd.DataFrame) -> pd.Series:
    return ~occ["all_day"].astype(bool) & occ["start_utc"].notna() & occ["end_utc"].notna()


def _area_codes(occ: pd.DataFrame) -> npt.NDArray[np.intp]:
    """Per occurrence, the position of its area in `AREA_COLUMNS`; missing or unknown: uncategorized."""
    if "area" not in occ:
        return np.full(len(occ), AREA_COLUMNS.index(UNCATEGORIZED), dtype=np.intp)
    # The few distinct names are looked up, not every row.
    codes, names = pd.factorize(occ["area"])
    positions = pd.Index(list(AREAS), dtype=object).get_indexer(pd.Index(names, dtype=object))
    positions = np.where(positions < 0, AREA_COLUMNS.index(UNCATEGORIZED), positions)
    return np.append(positions, AREA_COLUMNS.index(UNCATEGORIZED))[codes]  # code -1 (missing): the last


def _union_of(rows: pd.DataFrame) -> iv.IntervalSet:
    return iv.union(iv.micros(rows["start_utc"]), iv.micros(rows["end_utc"]))


def _union_where(occ: pd.DataFrame, chosen: pd.Series | np.ndarray) -> iv.IntervalSet:
    """The union of the chosen rows' spans (column by column: filtering the whole frame copies every column)."""
    return iv.union(iv.micros(occ["start_utc"][chosen]), iv.micros(occ["end_utc"][chosen]))


def area_intervals(occ: pd.DataFrame, *, chosen: pd.Series | None = None) -> pd.DataFrame:
    """Per area, the union of its timed occurrences: columns area, start_utc, end_utc.

    Sorted by area (in `AREA_COLUMNS` order) then start; `start_utc`/`end_utc` are
    `datetime64[us, UTC]`. Rows whose area is missing or unknown count as uncategorized.
    Logged sleep is left out (it is sleep, not rest). `chosen`: the rows that count as area time
    (a mask over `occ`, row by row), when the caller has worked them out already.
    """
    if chosen is None:
        chosen = _timed_rows(occ) & counted(occ) & ~logged_sleep(occ)
    rows = chosen.to_numpy(dtype=bool)
    codes = _area_codes(occ)[rows]
    starts_us, ends_us = iv.micros(occ["start_utc"][rows]), iv.micros(occ["end_utc"][rows])
    sets = [iv.union(starts_us[codes == code], ends_us[codes == code]) for code in range(len(AREA_COLUMNS))]
    frame = pd.DataFrame(
        {
            "area": np.repeat(np.asarray(AREA_COLUMNS, dtype=object), [len(starts) for starts, _ in sets]),
            "start_utc": iv.to_utc(np.concatenate([starts for starts, _ in sets])),
            "end_utc": iv.to_utc(np.concatenate([ends for _, ends in sets])),
        }
    )
    return frame.astype({"area": "str"})


def interval_set(intervals: pd.DataFrame, areas: tuple[str, ...] = AREA_COLUMNS) -> iv.IntervalSet:
    """The union, as an interval set, of the `area_intervals` rows of the given areas."""
    rows = intervals[intervals["area"].isin(areas)]
    return iv.union(iv.micros(rows["start_utc"]), iv.micros(rows["end_utc"]))


def sleep_windows(
    tz: ZoneInfo, first_night: date, last_night: date, sleep: tuple[time, time]
) -> tuple[pd.DatetimeIndex, iv.Micros, iv.Micros]:
    """Each night's assumed sleep window in wall time: (nights, starts_us, ends_us).

    A night is named by the local date its window starts on; a window whose end is not after
    its start (23:00 -> 07:00) ends the next day. Equal start and end mean no window.
    """
    nights = iv.local_days(first_night, last_night).rename("night")
    bed, wake = sleep
    starts_us = iv.local_instants_us(nights, bed, tz)
    wake_days = nights + pd.Timedelta(days=1) if wake <= bed else nights
    ends_us = iv.local_instants_us(pd.DatetimeIndex(wake_days), wake, tz)
    if bed == wake:
        ends_us = starts_us.copy()
    return nights, starts_us, ends_us


def daily_hours(
    occ: pd.DataFrame,
    *,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    sleep: tuple[time, time] | None,
    coverage: pd.DataFrame | None = None,
    intervals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hours per area for every local day in [first_day, last_day] (see the module docstring).

    `occ` needs `area` (as set by `categorize.assign_areas`); `day_off`, `not_counted` and
    `participation` (`attendance.assign_attendance`) are optional. All-day occurrences add no
    hours; they set `day_off` (when marked) and their area's `<area>_day`. Occurrences with a
    `not_counted` reason add no hours: their hours are reported per reason instead.

    `coverage` (start_utc, end_utc spans; see `store.load_coverage`) says which days hold data:
    a day outside every span has `has_data` False and no assumed sleep. None: every day holds data.
    `intervals`: `area_intervals(occ)` when the caller has it already (the warnings need it too).
    """
    days = iv.local_days(first_day, last_day)
    bounds_us = iv.day_bounds_us(first_day, last_day, tz)
    lo_us, hi_us = bounds_us[:-1], bounds_us[1:]
    is_counted = counted(occ)  # decided once for every use below
    lived = _timed_rows(occ) & is_counted
    slept_rows = logged_sleep(occ)  # a regex over the rest titles: decided once
    if intervals is None:
        intervals = area_intervals(occ, chosen=lived & ~slept_rows)
    has_data = _has_data(coverage, lo_us, hi_us)

    hours = {area: iv.window_hours(interval_set(intervals, (area,)), lo_us, hi_us) for area in AREA_COLUMNS}
    everything = interval_set(intervals)
    union_hours = iv.window_hours(everything, lo_us, hi_us)
    integration = np.sum([hours[area] for area in AREA_COLUMNS], axis=0) - union_hours

    slept = _union_where(occ, lived & slept_rows)
    awake_or_slept = iv.union(*_concat(everything, slept))
    sleep_set = slept
    if sleep is not None and len(days):
        _, starts_us, ends_us = sleep_windows(tz, first_day - timedelta(days=1), last_day, sleep)
        free_sleep = iv.subtract(iv.union(starts_us, ends_us), awake_or_slept)
        # Nights of days without data are not assumed: nothing says the user was there at all.
        free_sleep = iv.intersect(free_sleep, _day_set(bounds_us, has_data))
        sleep_set = iv.union(*_concat(slept, free_sleep))
        assumed = iv.window_hours(free_sleep, lo_us, hi_us)
    else:
        assumed = np.zeros(len(days))
    sleep_hours = iv.window_hours(sleep_set, lo_us, hi_us)
    accounted = iv.window_hours(iv.union(*_concat(everything, sleep_set)), lo_us, hi_us)
    day_length = (hi_us - lo_us) / iv.US_PER_HOUR
    side = _side_hours(occ, lo_us, hi_us, is_counted)
    frame = pd.DataFrame(
        {
            **hours,
            "sleep": sleep_hours,
            "assumed_sleep": assumed,
            # Rounding keeps float noise (1e-13) out of a figure defined as a difference.
            "integration": np.round(integration, 9),
            "accounted": accounted,
            "unaccounted": np.round(day_length - accounted, 9),
            "day_length": day_length,
            **side,
            "day_off": _days_off(occ, first_day, bounds_us, is_counted)
            | (side["not_counted_out_of_office"] >= OUT_OF_OFFICE_DAY_HOURS),
            "has_data": has_data,
            **_area_day_marks(occ, first_day, len(days), is_counted),
        },
        index=days,
    )
    return frame.astype(dict.fromkeys((*HOUR_COLUMNS, *SIDE_HOUR_COLUMNS), "float64"))


def coverage_spans(coverage: pd.DataFrame, tz: ZoneInfo) -> pd.DataFrame:
    """`store.load_coverage` rows as instants (start_utc, end_utc): all-day bounds are local days in `tz`."""
    if coverage.empty:
        return pd.DataFrame({"start_utc": pd.Series([], dtype="datetime64[us, UTC]"),
                             "end_utc": pd.Series([], dtype="datetime64[us, UTC]")})

    def local(days: pd.Series) -> pd.Series:
        converted: pd.Series = days.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").dt.tz_convert("UTC")
        return converted

    starts = pd.concat([coverage["start_utc"], local(coverage["first_day"])], axis=1).min(axis=1)
    ends = pd.concat([coverage["end_utc"], local(coverage["last_day"])], axis=1).max(axis=1)
    spans = pd.DataFrame({"start_utc": starts, "end_utc": ends}).dropna()
    spans = spans[spans["end_utc"] > spans["start_utc"]]
    return spans.astype({"start_utc": "datetime64[us, UTC]", "end_utc": "datetime64[us, UTC]"}).reset_index(drop=True)


def _concat(first: iv.IntervalSet, second: iv.IntervalSet) -> tuple[iv.Micros, iv.Micros]:
    return np.concatenate((first[0], second[0])), np.concatenate((first[1], second[1]))


def _has_data(coverage: pd.DataFrame | None, lo_us: iv.Micros, hi_us: iv.Micros) -> np.ndarray:
    if coverage is None:
        return np.ones(len(lo_us), dtype=bool)
    spans = _union_of(coverage) if len(coverage) else (np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    return np.asarray(iv.window_hours(spans, lo_us, hi_us) > 0)


def _day_set(bounds_us: iv.Micros, chosen: np.ndarray) -> iv.IntervalSet:
    """The chosen days (per position) as an interval set."""
    starts, ends = bounds_us[:-1][chosen], bounds_us[1:][chosen]
    return iv.union(starts, ends)


def _side_hours(
    occ: pd.DataFrame, lo_us: iv.Micros, hi_us: iv.Micros, is_counted: pd.Series
) -> dict[str, np.ndarray]:
    """Per day, the hours left out per reason, and the counted hours marked tentative or unanswered."""
    timed = _timed_rows(occ).to_numpy(dtype=bool)
    # The few distinct reasons are compared once each as integer codes, not as text per row.
    reasons = occ["not_counted"].fillna("").astype(str) if "not_counted" in occ else pd.Series("", index=occ.index)
    codes, names = pd.factorize(reasons)
    side: dict[str, np.ndarray] = {}
    for name, column in zip(NOT_COUNTED_REASONS, NOT_COUNTED_COLUMNS, strict=True):
        code = names.get_loc(name) if name in names else -2  # -2: no row has it
        side[column] = iv.window_hours(_union_where(occ, timed & (codes == code)), lo_us, hi_us)
    if "participation" in occ:
        marked = timed & is_counted.to_numpy(dtype=bool) & occ["participation"].isin(MARKED_PARTICIPATION).to_numpy()
        side["tentative"] = iv.window_hours(_union_where(occ, marked), lo_us, hi_us)
    else:
        side["tentative"] = np.zeros(len(lo_us))
    return side


def _all_day_spans(all_day: pd.DataFrame, first_day: date) -> tuple[np.ndarray, np.ndarray]:
    """Day positions [first, stop) of all-day rows, counted from `first_day` (not clipped).

    `day_start`/`day_end` are local dates (naive midnights), so no zone is involved; a missing
    or non-positive `day_end` covers one day.
    """
    origin = pd.Timestamp(first_day)
    first = ((all_day["day_start"] - origin) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    day_end = all_day["day_end"].fillna(all_day["day_start"] + pd.Timedelta(days=1))
    stop = ((day_end - origin) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    return first, np.maximum(stop, first + 1)


def _covered(first: np.ndarray, stop: np.ndarray, count: int, rows: np.ndarray | None = None,
             width: int = 1) -> np.ndarray:
    """Per day of `count` (per row of `width` when `rows` are given), whether a span covers it."""
    first, stop = np.clip(first, 0, count), np.clip(stop, 0, count)
    rows = np.zeros(len(first), dtype=np.int64) if rows is None else rows
    change = np.zeros((width, count + 1), dtype=np.int64)
    np.add.at(change, (rows, first), 1)
    np.add.at(change, (rows, stop), -1)
    return np.asarray(np.cumsum(change, axis=1)[:, :count] > 0)


def _days_off(occ: pd.DataFrame, first_day: date, bounds_us: iv.Micros, is_counted: pd.Series) -> np.ndarray:
    """Per day, whether an occurrence marked `day_off` touches it (all-day or timed)."""
    count = len(bounds_us) - 1
    if count <= 0:
        return np.zeros(max(count, 0), dtype=bool)
    by_rule = occ["day_off"].astype(bool) & is_counted if "day_off" in occ else pd.Series(False, index=occ.index)
    away = occ["all_day"].astype(bool) & (occ["busy_status"] == "oof") if "busy_status" in occ else False
    marked = occ.loc[by_rule | away, ["all_day", "day_start", "day_end", "start_utc", "end_utc"]]
    all_day = marked[marked["all_day"].astype(bool) & marked["day_start"].notna()]
    first_all_day, stop_all_day = _all_day_spans(all_day, first_day)

    timed = marked[~marked["all_day"].astype(bool) & marked["start_utc"].notna() & marked["end_utc"].notna()]
    starts_us, ends_us = iv.micros(timed["start_utc"]), iv.micros(timed["end_utc"])
    first_timed = np.searchsorted(bounds_us, starts_us, side="right") - 1
    stop_timed = np.searchsorted(bounds_us, np.maximum(ends_us, starts_us + 1), side="left")

    first = np.concatenate((first_all_day, first_timed))
    stop = np.concatenate((stop_all_day, stop_timed))
    return np.asarray(_covered(first, stop, count)[0])


def _area_day_marks(occ: pd.DataFrame, first_day: date, count: int, is_counted: pd.Series) -> dict[str, np.ndarray]:
    """Per area of `AREAS`, `<area>_day`: whether an all-day occurrence placed in it covers the day.

    Only all-day occurrences mark days (PRODUCT.md section 3); timed ones add hours instead.
    """
    if "area" not in occ or count <= 0:
        return {column: np.zeros(max(count, 0), dtype=bool) for column in DAY_MARK_COLUMNS}
    codes = _area_codes(occ)  # len(AREAS): uncategorized, or not an area
    chosen = (
        occ["all_day"].astype(bool).to_numpy() & occ["day_start"].notna().to_numpy() & (codes < len(AREAS))
        & is_counted.to_numpy()
    )
    first, stop = _all_day_spans(occ.loc[chosen, ["day_start", "day_end"]], first_day)
    marks = _covered(first, stop, count, rows=codes[chosen].astype(np.int64), width=len(AREAS))
    return dict(zip(DAY_MARK_COLUMNS, marks, strict=True))


def week_start_of(days: pd.DatetimeIndex, week_starts_on: Literal["monday", "sunday"]) -> pd.DatetimeIndex:
    """The naive local midnight starting each day's week."""
    first_weekday = 0 if week_starts_on == "monday" else 6
    offset = (np.asarray(days.day_of_week) - first_weekday) % 7
    return pd.DatetimeIndex(days - pd.to_timedelta(offset, unit="D"), name="week_start")


def iso_week_label(week_starts: pd.DatetimeIndex, week_starts_on: Literal["monday", "sunday"]) -> pd.Index:
    """ISO week label ("2024-W40") of the Monday inside each week (the day after a Sunday start)."""
    mondays = week_starts + pd.Timedelta(days=0 if week_starts_on == "monday" else 1)
    iso = mondays.isocalendar()
    labels = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    result: pd.Index = pd.Index(np.asarray(labels, dtype=object), dtype="str", name="iso_week")
    return result


def weekly_hours(
    daily: pd.DataFrame,
    *,
    week_starts_on: Literal["monday", "sunday"] = "monday",
    rest_days: Sequence[int] = (5, 6),
) -> pd.DataFrame:
    """Sum `daily_hours` per local week (see the module docstring for the columns).

    Sunday-start weeks are labelled by the ISO week of the Monday inside them. `workdays` are
    the week's days that are not `rest_days`, `workdays_off` those of them that are days off;
    `vacation` is a week whose every working day is off. A week `has_data` when any day does.
    """
    index = pd.DatetimeIndex(daily.index)
    starts = week_start_of(index, week_starts_on)
    columns = [c for c in (*HOUR_COLUMNS, *SIDE_HOUR_COLUMNS) if c in daily]
    sums = daily[columns].groupby(starts).sum()
    grouped = daily["day_off"].astype(int).groupby(starts)
    marked = daily.reindex(columns=list(DAY_MARK_COLUMNS), fill_value=False).astype(int).groupby(starts).sum()
    workday = pd.Series(~np.isin(np.asarray(index.day_of_week), list(rest_days)), index=daily.index)
    workdays = workday.astype(int).groupby(starts).sum().astype("int64")
    workdays_off = (workday & daily["day_off"].astype(bool)).astype(int).groupby(starts).sum().astype("int64")
    data_days = (
        daily["has_data"].astype(int).groupby(starts).sum().astype("int64")
        if "has_data" in daily else daily["day_off"].astype(int).groupby(starts).size().astype("int64")
    )
    has_data = data_days > 0
    weekly = sums.assign(
        days_off=grouped.sum().astype("int64"),
        workdays=workdays,
        workdays_off=workdays_off,
        vacation=(workdays > 0) & (workdays_off >= workdays),
        has_data=has_data.astype(bool),
        data_days=data_days,
        **{days: marked[day].astype("int64") for day, days in zip(DAY_MARK_COLUMNS, MARKED_DAYS_COLUMNS, strict=True)},
        days=grouped.size().astype("int64"),
    )
    weekly.index = pd.DatetimeIndex(weekly.index, name="week_start").as_unit("s")
    return weekly.assign(iso_week=iso_week_label(pd.DatetimeIndex(weekly.index), week_starts_on))


def sleep_nights(
    intervals: pd.DataFrame,
    *,
    tz: ZoneInfo,
    first_night: date,
    last_night: date,
    sleep: tuple[time, time],
) -> pd.DataFrame:
    """Per night: window_start_utc, window_end_utc, window_hours, opportunity_hours.

    The opportunity is the window minus the time any non-rest event takes from it ("events
    inside the window shorten that night's sleep opportunity"; a logged rest event does not).
    Index `night`: the naive local date the window starts on.
    """
    nights, starts_us, ends_us = sleep_windows(tz, first_night, last_night, sleep)
    awake = interval_set(intervals, tuple(a for a in AREA_COLUMNS if a not in _SLEEP_NEUTRAL_AREAS))
    window = (ends_us - starts_us) / iv.US_PER_HOUR
    taken = iv.window_hours(awake, starts_us, ends_us)
    return pd.DataFrame(
        {
            "window_start_utc": iv.to_utc(starts_us),
            "window_end_utc": iv.to_utc(ends_us),
            "window_hours": window.astype("float64"),
            "opportunity_hours": np.round(window - taken, 9),
        },
        index=nights,
    )
