"""The shape of the time: meetings, focus and fragmented hours, workday span, chunked time (pure).

Definitions (docs/time-shape.md has them with their sources):

- **working hours**: each day that is not a rest day or a day off, from `workday_start` to
  `disconnect_time` (the user's settings).
- **interruptions**: meetings (see `meetings`) and family, personal and rest time. Work the user
  does alone (a "write the report" block, a focus-time hold) is not an interruption.
- **focus hours**: the working hours free of interruptions, in blocks of at least
  `focus_block_hours` (default 2 h: Microsoft Workplace Analytics' "focus hours", Clockwise's
  focus time); **fragmented hours**: the same free time in shorter blocks. Per day,
  focus + fragmented + meetings in working hours + other interruptions = working hours.
- **workday span**: from the first to the last work of a local day.
- **priority matrix**: time a rule tags important and/or urgent, per quadrant; the share of the
  week's work that was urgent but not important.
- **chunks**: a block of family (or personal) time is a stretch of that area's union without a
  gap; blocks of at least `chunk_hours` are chunks, shorter ones scraps. A block belongs to the
  day (and week) it starts in.

`daily_shape` gives one row per local day (`DAILY_SHAPE_COLUMNS`), `weekly_shape` sums it per
week (`WEEKLY_SHAPE_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.analytics.meetings import NOT_MEETING_AREAS

CHUNK_AREAS: tuple[str, ...] = ("family", "personal")
DAILY_SHAPE_COLUMNS: tuple[str, ...] = (
    "matrix_do_hours", "matrix_schedule_hours", "matrix_delegate_hours", "matrix_drop_hours",
    "urgent_not_important_work_hours",
    "working_hours", "work_hours", "meeting_hours", "meeting_work_hours", "meeting_hours_working",
    "meeting_hours_outside", "interrupted_hours_working", "focus_hours", "fragmented_hours", "span_hours",
    "meetings", "meetings_by_me", "meetings_by_others", "back_to_back", "longest_run_meetings", "longest_run_hours",
    *(f"{area}_{figure}" for area in CHUNK_AREAS for figure in ("block_hours", "chunk_hours", "longest_block_hours")),
)
# The priority matrix's quadrants (important, urgent) and their column names.
MATRIX_COLUMNS: dict[str, tuple[bool, bool]] = {
    "matrix_do_hours": (True, True),
    "matrix_schedule_hours": (True, False),
    "matrix_delegate_hours": (False, True),
    "matrix_drop_hours": (False, False),
}
_SUMMED = (
    *MATRIX_COLUMNS, "urgent_not_important_work_hours",
    "working_hours", "work_hours", "meeting_hours", "meeting_work_hours", "meeting_hours_working",
    "meeting_hours_outside", "interrupted_hours_working", "focus_hours", "fragmented_hours", "meetings",
    "meetings_by_me", "meetings_by_others", "back_to_back",
    *(f"{area}_{figure}" for area in CHUNK_AREAS for figure in ("block_hours", "chunk_hours")),
)
_MAXED = (
    "longest_run_meetings", "longest_run_hours", *(f"{area}_longest_block_hours" for area in CHUNK_AREAS),
)
WEEKLY_SHAPE_COLUMNS: tuple[str, ...] = (
    *_SUMMED, *_MAXED, "meeting_share", "meeting_hours_unplaced", "urgent_not_important_share", "span_hours_mean", "span_hours_max", "workdays_with_work",
    *(f"{area}_chunk_share" for area in CHUNK_AREAS),
)


def working_windows(
    days: pd.DatetimeIndex, *, tz: ZoneInfo, start: time, end: time, working: npt.NDArray[np.bool_]
) -> iv.IntervalSet:
    """The working hours of the chosen days as an interval set (an end at or before the start ends the next day)."""
    chosen = pd.DatetimeIndex(days[working])
    starts_us = iv.local_instants_us(chosen, start, tz)
    end_days = chosen + pd.Timedelta(days=1) if end <= start else chosen
    ends_us = iv.local_instants_us(pd.DatetimeIndex(end_days), end, tz)
    return iv.union(starts_us, ends_us)


def _day_of(points_us: iv.Micros, bounds_us: iv.Micros) -> npt.NDArray[np.int64]:
    """The index of the local day each instant falls in (-1 before the first, len(days) after the last)."""
    index = np.searchsorted(bounds_us, points_us, side="right") - 1
    return np.where(points_us >= bounds_us[-1], len(bounds_us) - 1, index).astype(np.int64)


def _per_day(days: int, index: npt.NDArray[np.int64], values: npt.NDArray[np.float64], how: str) -> npt.NDArray[np.float64]:
    inside = (index >= 0) & (index < days)
    out = np.zeros(days, dtype=np.float64)
    if how == "sum":
        np.add.at(out, index[inside], values[inside])
    else:
        np.maximum.at(out, index[inside], values[inside])
    return out


def _blocks_by_day(blocks: iv.IntervalSet, bounds_us: iv.Micros, threshold_hours: float) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]
]:
    """Per day (by block start): hours in all blocks, hours in blocks of at least the threshold, the longest block."""
    starts_us, ends_us = blocks
    days = len(bounds_us) - 1
    lengths = (ends_us - starts_us) / iv.US_PER_HOUR
    index = _day_of(starts_us, bounds_us)
    long_enough = lengths >= threshold_hours - 1e-9
    return (
        _per_day(days, index, lengths, "sum"),
        _per_day(days, index, np.where(long_enough, lengths, 0.0), "sum"),
        _per_day(days, index, lengths, "max"),
    )


def _work_span(work: iv.IntervalSet, lo_us: iv.Micros, hi_us: iv.Micros) -> npt.NDArray[np.float64]:
    """Per day, hours from the first to the last work inside it (0 without work)."""
    starts_us, ends_us = work
    if not len(starts_us):
        return np.zeros(len(lo_us))
    first = np.clip(np.searchsorted(ends_us, lo_us, side="right"), 0, len(starts_us) - 1)
    last = np.clip(np.searchsorted(starts_us, hi_us, side="left") - 1, 0, len(starts_us) - 1)
    begin = np.maximum(starts_us[first], lo_us)
    finish = np.minimum(ends_us[last], hi_us)
    has_work = iv.window_hours(work, lo_us, hi_us) > 0
    return np.where(has_work, np.maximum(finish - begin, 0) / iv.US_PER_HOUR, 0.0)


def daily_shape(
    occ: pd.DataFrame,
    meetings: pd.DataFrame,
    runs: pd.DataFrame,
    *,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    workday_start: time,
    workday_end: time,
    rest_days: Sequence[int],
    focus_block_hours: float,
    chunk_hours: float,
    days_off: npt.NDArray[np.bool_] | None = None,
) -> pd.DataFrame:
    """The shape figures of every local day in [first_day, last_day] (see the module docstring).

    `occ` has areas and attendance decided; `meetings` is `meetings.meeting_rows(occ, ...)` and
    `runs` is `meetings.meeting_runs(meetings, ...)`. `days_off` (one bool per day) keeps days
    off out of the working hours.
    """
    days = iv.local_days(first_day, last_day)
    bounds_us = iv.day_bounds_us(first_day, last_day, tz)
    lo_us, hi_us = bounds_us[:-1], bounds_us[1:]
    count = len(days)
    working_day = ~np.isin(np.asarray(days.day_of_week), list(rest_days))
    if days_off is not None:
        working_day &= ~np.asarray(days_off, dtype=bool)
    working = working_windows(days, tz=tz, start=workday_start, end=workday_end, working=working_day)
    intervals = analytics.area_intervals(occ)
    work = analytics.interval_set(intervals, ("work",))
    meeting_set = iv.union(iv.micros(meetings["start_utc"]), iv.micros(meetings["end_utc"]))
    others = analytics.interval_set(intervals, NOT_MEETING_AREAS)
    interruptions = iv.union(*(np.concatenate(pair) for pair in zip(meeting_set, others, strict=True)))
    free = iv.subtract(working, interruptions)
    free_total, focus, _ = _blocks_by_day(free, bounds_us, focus_block_hours)

    meeting_hours = iv.window_hours(meeting_set, lo_us, hi_us)
    in_working = iv.window_hours(iv.intersect(meeting_set, working), lo_us, hi_us)
    starts_us = iv.micros(meetings["start_utc"])
    meeting_day = _day_of(starts_us, bounds_us)
    ones = np.ones(len(meetings))
    organized = meetings["organized"].to_numpy(dtype=object)
    run_day = _day_of(iv.micros(runs["start_utc"]), bounds_us)
    run_meetings = runs["meetings"].to_numpy(dtype=np.float64)
    back_to_back = np.where(run_meetings >= 2, run_meetings, 0.0)
    columns: dict[str, npt.NDArray[np.float64]] = {
        "working_hours": iv.window_hours(working, lo_us, hi_us),
        "work_hours": iv.window_hours(work, lo_us, hi_us),
        "meeting_hours": meeting_hours,
        "meeting_work_hours": iv.window_hours(iv.intersect(meeting_set, work), lo_us, hi_us),
        "meeting_hours_working": in_working,
        "meeting_hours_outside": np.round(meeting_hours - in_working, 9),
        "interrupted_hours_working": iv.window_hours(iv.intersect(iv.subtract(others, meeting_set), working), lo_us, hi_us),
        "focus_hours": focus,
        "fragmented_hours": np.round(free_total - focus, 9),
        "span_hours": _work_span(work, lo_us, hi_us),
        "meetings": _per_day(count, meeting_day, ones, "sum"),
        "meetings_by_me": _per_day(count, meeting_day, (organized == "me").astype(np.float64), "sum"),
        "meetings_by_others": _per_day(count, meeting_day, (organized == "others").astype(np.float64), "sum"),
        "back_to_back": _per_day(count, run_day, back_to_back, "sum"),
        "longest_run_meetings": _per_day(count, run_day, back_to_back, "max"),
        "longest_run_hours": _per_day(
            count, run_day, np.where(run_meetings >= 2, runs["hours"].to_numpy(dtype=np.float64), 0.0), "max"
        ),
    }
    columns.update(_matrix_hours(occ, work, lo_us, hi_us))
    for area in CHUNK_AREAS:
        total, chunked, longest = _blocks_by_day(analytics.interval_set(intervals, (area,)), bounds_us, chunk_hours)
        columns[f"{area}_block_hours"] = total
        columns[f"{area}_chunk_hours"] = chunked
        columns[f"{area}_longest_block_hours"] = longest
    return pd.DataFrame(columns, index=days).astype("float64")


def _matrix_hours(occ: pd.DataFrame, work: iv.IntervalSet, lo_us: iv.Micros, hi_us: iv.Micros) -> dict[
    str, npt.NDArray[np.float64]
]:
    """Per day, the hours of each quadrant of the priority matrix (time tagged by a rule; overlapping
    time of one quadrant counts once), and the work that was urgent but not important."""
    zeros = np.zeros(len(lo_us))
    found = dict.fromkeys((*MATRIX_COLUMNS, "urgent_not_important_work_hours"), zeros)
    if "important" not in occ or "urgent" not in occ or not len(occ):
        return found
    timed = ~occ["all_day"].astype(bool) & occ["start_utc"].notna() & occ["end_utc"].notna() & analytics.counted(occ)
    tagged = occ[timed & occ["important"].notna() & occ["urgent"].notna()]
    important, urgent = tagged["important"].astype(bool), tagged["urgent"].astype(bool)
    for name, (want_important, want_urgent) in MATRIX_COLUMNS.items():
        rows = tagged[(important == want_important) & (urgent == want_urgent)]
        spans = iv.union(iv.micros(rows["start_utc"]), iv.micros(rows["end_utc"]))
        found[name] = iv.window_hours(spans, lo_us, hi_us)
        if (want_important, want_urgent) == (False, True):
            found["urgent_not_important_work_hours"] = iv.window_hours(iv.intersect(spans, work), lo_us, hi_us)
    return found


def weekly_shape(daily: pd.DataFrame, *, week_starts_on: Literal["monday", "sunday"] = "monday") -> pd.DataFrame:
    """`daily_shape` per week: sums, maxima, the meeting share of work, the workday span and chunk shares.

    `meeting_share` is the share of the week's work hours spent in meetings (0 without work);
    `meeting_hours_unplaced` the meeting hours outside work: events with someone else on them
    that no area holds yet (meetings are never family, personal or rest), so not in the share;
    `span_hours_mean` averages the span over the days with work; `<area>_chunk_share` is the
    share of the area's block hours that came in chunks (0 without such time).
    """
    index = pd.DatetimeIndex(daily.index)
    starts = analytics.week_start_of(index, week_starts_on)
    grouped = daily.groupby(starts)
    weekly = grouped[list(_SUMMED)].sum().join(grouped[list(_MAXED)].max())
    with_work = (daily["span_hours"] > 0).groupby(starts).sum()
    span_sum = daily["span_hours"].groupby(starts).sum()
    weekly = weekly.assign(
        meeting_share=_share(weekly["meeting_work_hours"], weekly["work_hours"]),
        meeting_hours_unplaced=(weekly["meeting_hours"] - weekly["meeting_work_hours"]).round(9),
        urgent_not_important_share=_share(weekly["urgent_not_important_work_hours"], weekly["work_hours"]),
        span_hours_mean=(span_sum / with_work.where(with_work > 0)).fillna(0.0).astype("float64"),
        span_hours_max=daily["span_hours"].groupby(starts).max(),
        workdays_with_work=with_work.astype("int64"),
        **{f"{area}_chunk_share": _share(weekly[f"{area}_chunk_hours"], weekly[f"{area}_block_hours"])
           for area in CHUNK_AREAS},
    )
    weekly.index = pd.DatetimeIndex(weekly.index, name="week_start").as_unit("s")
    return weekly


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    ratio = part / whole.where(whole > 0)
    return ratio.fillna(0.0).clip(0.0, 1.0).astype("float64")
