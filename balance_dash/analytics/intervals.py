"""Interval sets on the UTC time line, as numpy arrays of microseconds (pure, vectorised).

An interval set is a pair `(starts_us, ends_us)` of int64 arrays: sorted, disjoint, every
interval non-empty, half-open `[start, end)`. All set operations are vectorised; none loops
over intervals in Python. `covered_us(intervals, points)` is the backbone: the length of the
set lying before each point, so the covered length of any window `[a, b)` is
`covered_us(b) - covered_us(a)`.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

Micros = npt.NDArray[np.int64]
IntervalSet = tuple[Micros, Micros]

US_PER_HOUR = 3_600_000_000
EMPTY: IntervalSet = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def micros(values: pd.Series) -> Micros:
    """Aware datetimes (any unit, any zone, no NaT) -> int64 microseconds since the epoch UTC."""
    naive = pd.DatetimeIndex(values).tz_convert("UTC").tz_localize(None).as_unit("us")
    return np.asarray(naive.asi8, dtype=np.int64)


def to_utc(values: Micros) -> pd.DatetimeIndex:
    """int64 microseconds -> aware `datetime64[us, UTC]` index."""
    return pd.DatetimeIndex(np.asarray(values, dtype="datetime64[us]")).tz_localize("UTC")


def union(starts_us: Micros, ends_us: Micros) -> IntervalSet:
    """Merge possibly overlapping, unsorted intervals into an interval set (touching ones join)."""
    keep = ends_us > starts_us
    starts_us, ends_us = starts_us[keep], ends_us[keep]
    if len(starts_us) == 0:
        return EMPTY
    order = np.lexsort((ends_us, starts_us))
    starts_us, ends_us = starts_us[order], ends_us[order]
    reach = np.maximum.accumulate(ends_us)
    # A new block starts where an interval begins after everything before it has ended.
    new_block = np.concatenate(([True], starts_us[1:] > reach[:-1]))
    first = np.flatnonzero(new_block)
    last = np.concatenate((first[1:], [len(starts_us)])) - 1
    return starts_us[first], reach[last]


def covered_us(intervals: IntervalSet, points_us: Micros) -> Micros:
    """Length of the set before each point (a non-decreasing function of the point)."""
    starts_us, ends_us = intervals
    points_us = np.asarray(points_us, dtype=np.int64)
    if len(starts_us) == 0:
        return np.zeros(points_us.shape, dtype=np.int64)
    lengths = ends_us - starts_us
    before = np.concatenate(([0], np.cumsum(lengths)))
    index = np.searchsorted(starts_us, points_us, side="right") - 1
    safe = np.clip(index, 0, None)
    inside = np.clip(points_us - starts_us[safe], 0, lengths[safe])
    return np.where(index < 0, 0, before[safe] + inside)


def window_hours(intervals: IntervalSet, lo_us: Micros, hi_us: Micros) -> npt.NDArray[np.float64]:
    """Hours of the set inside each window `[lo, hi)`."""
    covered = covered_us(intervals, hi_us) - covered_us(intervals, lo_us)
    return np.asarray(covered / US_PER_HOUR, dtype=np.float64)


def _segments(a: IntervalSet, b: IntervalSet) -> tuple[Micros, Micros, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Elementary segments between all end points, and whether each lies in `a` / in `b`."""
    points = np.unique(np.concatenate((*a, *b)))
    lo, hi = points[:-1], points[1:]
    in_a = (covered_us(a, hi) - covered_us(a, lo)) > 0
    in_b = (covered_us(b, hi) - covered_us(b, lo)) > 0
    return lo, hi, in_a, in_b


def intersect(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    lo, hi, in_a, in_b = _segments(a, b)
    keep = in_a & in_b
    return union(lo[keep], hi[keep])


def subtract(a: IntervalSet, b: IntervalSet) -> IntervalSet:
    lo, hi, in_a, in_b = _segments(a, b)
    keep = in_a & ~in_b
    return union(lo[keep], hi[keep])


def gaps(intervals: IntervalSet) -> IntervalSet:
    """The holes between consecutive intervals of a set (not before the first or after the last)."""
    starts_us, ends_us = intervals
    return ends_us[:-1], starts_us[1:]


def local_instants_us(days: pd.DatetimeIndex, at: time, tz: ZoneInfo) -> Micros:
    """The instants of wall time `at` on each local day, DST-aware.

    A wall time that does not exist (spring forward) moves forward to the first valid instant;
    one that exists twice (fall back) takes the first of the two.
    """
    offset = pd.Timedelta(hours=at.hour, minutes=at.minute, seconds=at.second)
    wall = (days.as_unit("us") + offset).tz_localize(
        tz, ambiguous=np.ones(len(days), dtype=bool), nonexistent="shift_forward"
    )
    return np.asarray(wall.tz_convert("UTC").tz_localize(None).as_unit("us").asi8, dtype=np.int64)


def local_days(first_day: date, last_day: date) -> pd.DatetimeIndex:
    """Naive midnights of every local day in [first_day, last_day], `datetime64[s]`."""
    count = (last_day - first_day).days + 1
    return pd.date_range(first_day, periods=max(count, 0), freq="D", name="day").as_unit("s")


def day_bounds_us(first_day: date, last_day: date, tz: ZoneInfo) -> Micros:
    """The local midnights starting each day in range, plus the one ending the last day."""
    days = local_days(first_day, last_day + timedelta(days=1))
    return local_instants_us(days, time(0, 0), tz)
