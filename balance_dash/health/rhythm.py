"""Warnings about the rhythm of work: late evenings, weekends, long stretches without a break, and
long runs of back-to-back meetings (pure; sources in `health.catalog`).

- `late_work`: per day, work after `late_work_hour` (local) until midnight.
- `weekend_work`: per week, work on at least `weekend_work_weekends` of the four weekends that
  end with this week's (Saturday and Sunday, whatever the rest days).
- `no_long_break`: per week, more than `long_break_weeks` weeks since the end of the last run of
  `long_break_days` days in a row without work; judged only where the history shown reaches back
  that far.
- `back_to_back`: per day, a run of back-to-back meetings of at least `back_to_back_run_hours`
  (needs attendee lists, so the user's addresses: see `analytics.meetings`).
"""

from __future__ import annotations

from datetime import time

import numpy as np
import numpy.typing as npt
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.analytics import meetings
from balance_dash.health.catalog import HealthWarning
from balance_dash.health.checks import (
    Context,
    dates_of,
    day_subject,
    day_texts,
    hours_text,
    make_warning,
    week_subject,
)

WEEKEND = (5, 6)  # Saturday, Sunday
WEEKENDS_SEEN = 4


def _days(ctx: Context) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ctx.daily.index)


def check_late_work(ctx: Context) -> list[HealthWarning]:
    limit = ctx.settings.thresholds.late_work_hour
    if limit >= 24 or ctx.daily.empty:
        return []
    days = _days(ctx)
    hour, minute = int(limit), round((limit - int(limit)) * 60) % 60
    start_us = iv.local_instants_us(days, time(hour, minute), ctx.tz)
    end_us = iv.local_instants_us(days + pd.Timedelta(days=1), time(0, 0), ctx.tz)
    late = iv.window_hours(ctx.work, start_us, end_us)
    texts = ctx.days
    return [
        make_warning(
            "late_work",
            f"{day_subject(texts.names[i], bool(texts.not_over[i]))} {hours_text(late[i])} h of work after "
            f"{hour:02d}:{minute:02d}",
            texts.dates[i], texts.dates[i], late[i], limit, bool(texts.not_over[i]),
        )
        for i in np.flatnonzero(late > 1e-9).tolist()
    ]


def check_weekend_work(ctx: Context) -> list[HealthWarning]:
    needed = ctx.settings.thresholds.weekend_work_weekends
    if needed > WEEKENDS_SEEN or ctx.daily.empty or ctx.weekly.empty:
        return []
    days = _days(ctx)
    weekend_work = (ctx.daily["work"].to_numpy() > 0) & np.isin(np.asarray(days.day_of_week), WEEKEND)
    # A weekend belongs to the week of its Saturday.
    saturday_week = analytics.week_start_of(days - pd.to_timedelta(np.asarray(days.day_of_week == 6, dtype=int), "D"),
                                            ctx.week_starts_on)
    worked = pd.Series(weekend_work, index=days).groupby(saturday_week).any()
    weeks = pd.DatetimeIndex(ctx.weekly.index)
    per_week = worked.reindex(weeks, fill_value=False).astype(int)
    count = per_week.rolling(WEEKENDS_SEEN, min_periods=WEEKENDS_SEEN).sum()
    found = []
    texts, counts = ctx.weeks, count.to_numpy(dtype=float).tolist()
    for position in np.flatnonzero((count >= needed).to_numpy() & per_week.astype(bool).to_numpy()).tolist():
        figure, scheduled = counts[position], bool(texts.not_over[position])
        subject = week_subject(ctx, texts.firsts[position], texts.labels[position], scheduled)
        found.append(make_warning(
            "weekend_work", f"{subject} work on {figure:g} of the last {WEEKENDS_SEEN} weekends",
            texts.firsts[position], texts.lasts[position], figure, needed, scheduled,
        ))
    return found


def check_long_break(ctx: Context) -> list[HealthWarning]:
    limits = ctx.settings.thresholds
    if ctx.daily.empty or ctx.weekly.empty:
        return []
    days = _days(ctx)
    has_data = ctx.daily["has_data"].to_numpy(dtype=bool) if "has_data" in ctx.daily else np.ones(len(days), bool)
    if not has_data.any():
        return []
    off = (ctx.daily["work"].to_numpy() <= 0) & has_data
    # Runs of days off: where each ends, and how long it is.
    edges = np.diff(np.concatenate(([0], off.astype(np.int8), [0])))
    run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # end: exclusive
    long_enough = (run_ends - run_starts) >= limits.long_break_days
    # Whole days from here on: every day and week start is a naive midnight.
    day_numbers = _day_numbers(days)
    break_ends = day_numbers[run_ends[long_enough] - 1]
    first_data = int(day_numbers[int(np.argmax(has_data))])
    weeks = pd.DatetimeIndex(ctx.weekly.index)
    week_ends = _day_numbers(weeks) + 6
    last_break = np.searchsorted(break_ends, week_ends, side="right") - 1
    # Counted from the end of the last break, or from the first day with data (position -1).
    since = np.append(break_ends, first_data)[last_break]
    today = _day_numbers(pd.DatetimeIndex([pd.Timestamp(ctx.today())]))[0]
    weeks_since = (np.minimum(week_ends, today) - since) / 7
    # Without a break in sight, judged only where the history shown reaches back far enough to tell.
    known = (last_break >= 0) | (week_ends - first_data >= limits.long_break_weeks * 7)
    texts = ctx.weeks
    judged = ~texts.not_over & ctx.weekly["has_data"].to_numpy(dtype=bool)
    flagged = np.flatnonzero(judged & known & (weeks_since > limits.long_break_weeks))
    found = []
    for position in flagged.tolist():
        subject = week_subject(ctx, texts.firsts[position], texts.labels[position], False)
        what = (
            f"since your last {limits.long_break_days} days off in a row" if last_break[position] >= 0
            else "without a break in the weeks shown"
        )
        figure = float(weeks_since[position])
        found.append(make_warning(
            "no_long_break", f"{subject} {figure:.0f} weeks {what}", texts.firsts[position], texts.lasts[position],
            figure, limits.long_break_weeks, False,
        ))
    return found


def _day_numbers(days: pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    """Days since the epoch of naive midnights."""
    return np.asarray(days.to_numpy().astype("datetime64[D]").astype(np.int64))


def check_back_to_back(ctx: Context, occurrences: pd.DataFrame | None) -> list[HealthWarning]:
    if occurrences is None or "attendees" not in occurrences or ctx.daily.empty:
        return []
    limit = ctx.settings.thresholds.back_to_back_run_hours
    found_meetings = meetings.meeting_rows(occurrences, ctx.settings.my_addresses)
    runs = meetings.meeting_runs(found_meetings, ctx.settings.back_to_back_minutes)
    runs = runs[(runs["meetings"] >= 2) & (runs["hours"] >= limit - 1e-9)]
    if runs.empty:
        return []
    days = _days(ctx)
    local = pd.DatetimeIndex(runs["start_utc"].dt.tz_convert(ctx.tz).dt.tz_localize(None))
    day_of = pd.DatetimeIndex(local.normalize()).as_unit("s")
    inside = (day_of >= days[0]) & (day_of <= days[-1])
    runs, local, day_of = runs[inside], local[inside], day_of[inside]
    scheduled = ctx.ends_after_now(day_of) if len(day_of) else np.zeros(0, bool)
    counts, lengths = runs["meetings"].to_numpy(dtype=np.int64), runs["hours"].to_numpy(dtype=np.float64)
    return [
        make_warning(
            "back_to_back",
            f"{day_subject(name, bool(due))} {count} meetings back to back from {start:%H:%M}, "
            f"{hours_text(hours)} h without a break",
            day, day, hours, limit, bool(due),
        )
        for count, hours, start, day, name, due in zip(
            counts, lengths, local, dates_of(day_of), day_texts(day_of), scheduled, strict=True
        )
    ]
