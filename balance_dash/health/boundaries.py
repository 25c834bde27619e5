"""Checks on rest, breaks, the user's boundaries, sleep and targets (pure; see `health`).

Work is the union of the work intervals (`analytics.area_intervals`), on the UTC time line in
microseconds; days are local to `ctx.tz`.
"""

from __future__ import annotations

from datetime import time

import numpy as np
import numpy.typing as npt
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.health.catalog import HealthWarning
from balance_dash.health.checks import (
    Context,
    dates_of,
    day_subject,
    day_texts,
    hours_text,
    make_warning,
    rounded,
    week_name,
    week_subject,
)
from balance_dash.models import AREAS

_EU = "the EU Working Time Directive"


def _local_days(ctx: Context, instants_us: iv.Micros) -> pd.DatetimeIndex:
    """The naive local midnight of the day holding each instant."""
    return iv.to_utc(instants_us).tz_convert(ctx.tz).tz_localize(None).normalize().as_unit("s")


def _clock(ctx: Context, instants_us: iv.Micros) -> list[str]:
    return [f"{stamp:%H:%M}" for stamp in iv.to_utc(instants_us).tz_convert(ctx.tz)]


def _in_range(ctx: Context, days: pd.DatetimeIndex) -> np.ndarray:
    index = pd.DatetimeIndex(ctx.daily.index)
    return np.asarray((days >= index.min()) & (days <= index.max()))


def _day_bounds(ctx: Context, days: pd.DatetimeIndex) -> tuple[iv.Micros, iv.Micros]:
    start_us = iv.local_instants_us(days, time(0, 0), ctx.tz)
    return start_us, iv.local_instants_us(pd.DatetimeIndex(days + pd.Timedelta(days=1)), time(0, 0), ctx.tz)


def check_daily_rest(ctx: Context) -> list[HealthWarning]:
    """short_daily_rest: the gap before the first work of a day (counted from the last work
    that started on an earlier day) is under `daily_rest_hours` (Directive art. 3)."""
    limit = ctx.settings.thresholds.daily_rest_hours
    starts_us, ends_us = ctx.work
    if len(starts_us) < 2:
        return []
    start_days = _local_days(ctx, starts_us)
    rest_hours = rounded(pd.Series((starts_us[1:] - ends_us[:-1]) / iv.US_PER_HOUR))
    new_day = np.asarray(start_days[1:] > start_days[:-1])
    flagged = np.flatnonzero(new_day & (rest_hours.to_numpy() < limit) & _in_range(ctx, start_days[1:]))
    if not len(flagged):
        return []
    next_days = start_days[1:][flagged]
    last_ends_us, next_starts_us = ends_us[:-1][flagged], starts_us[1:][flagged]
    scheduled = ctx.ends_after_now(next_days)
    end_clock, start_clock = _clock(ctx, last_ends_us), _clock(ctx, next_starts_us)
    previous_days = dates_of(_local_days(ctx, last_ends_us))
    next_names, next_dates, figures = day_texts(next_days), dates_of(next_days), rest_hours.to_numpy()[flagged].tolist()
    warnings = []
    for k, figure in enumerate(figures):
        when = " (scheduled)" if scheduled[k] else ""
        message = (
            f"Night before {next_names[k]}{when}: only {hours_text(figure)} h of rest between work "
            f"ending at {end_clock[k]} and starting again at {start_clock[k]}, under the "
            f"{hours_text(limit)} h daily rest of {_EU} (art. 3)"
        )
        warnings.append(
            make_warning("short_daily_rest", message, previous_days[k], next_dates[k], figure, limit, scheduled[k])
        )
    return warnings


def check_weekly_rest(ctx: Context) -> list[HealthWarning]:
    """no_weekly_rest: a week with work and no work-free stretch of `weekly_rest_hours`.

    A stretch serves the week it starts in (a weekend from Friday evening to Monday morning
    serves Monday- and Sunday-start weeks alike), and any week holding `weekly_rest_hours` of it.
    Before the first and after the last work of the data the stretch is endless.
    """
    limit = ctx.settings.thresholds.weekly_rest_hours
    starts_us, ends_us = ctx.work
    weekly = ctx.weekly
    week_starts = pd.DatetimeIndex(weekly.index)
    if not len(starts_us):
        return []
    gap_lo = np.concatenate(([np.iinfo(np.int64).min], ends_us))
    gap_hi = np.concatenate((starts_us, [np.iinfo(np.int64).max]))
    lengths = np.concatenate(([np.inf], (starts_us[1:] - ends_us[:-1]) / iv.US_PER_HOUR, [np.inf]))
    lo_us = iv.local_instants_us(week_starts, time(0, 0), ctx.tz)
    hi_us = iv.local_instants_us(pd.DatetimeIndex(week_starts + pd.Timedelta(days=7)), time(0, 0), ctx.tz)
    first_starting = np.searchsorted(gap_lo, lo_us, side="left")  # gaps starting in the week
    stop_starting = np.searchsorted(gap_lo, hi_us, side="left")
    # Of the gaps overlapping a week, only one can start before it: the one running into it
    # (gaps are disjoint). Its part inside the week counts; the others count whole.
    running_in = np.searchsorted(gap_hi, lo_us, side="right")
    has_running_in = running_in < first_starting
    safe = np.minimum(running_in, len(gap_hi) - 1)
    part_in_week = np.where(has_running_in, (np.minimum(gap_hi[safe], hi_us) - lo_us) / iv.US_PER_HOUR, 0.0)
    longest = np.maximum(_range_max(lengths, first_starting, stop_starting), part_in_week).tolist()
    weeks = ctx.weeks
    warnings = []
    for i in np.flatnonzero(rounded(weekly["work"]).to_numpy() > 0).tolist():  # a loop over weeks with work
        if round(longest[i], 6) >= limit:
            continue
        scheduled = bool(weeks.not_over[i])
        verb = "already leaves" if scheduled else "had"
        message = (
            f"{week_name(ctx, weeks.firsts[i], weeks.labels[i], scheduled)} {verb} no work-free stretch of "
            f"{hours_text(limit)} h (the longest: {hours_text(longest[i])} h), the weekly rest of {_EU} (art. 5)"
        )
        warnings.append(
            make_warning("no_weekly_rest", message, weeks.firsts[i], weeks.lasts[i], longest[i], limit, scheduled)
        )
    return warnings


def _range_max(values: npt.NDArray[np.float64], first: np.ndarray, stop: np.ndarray) -> npt.NDArray[np.float64]:
    """Per range [first, stop) of `values`, its largest value, or 0.0 when that is larger or the range empty."""
    if not len(first):
        return np.zeros(0)
    # reduceat over the interleaved bounds: the even results are the ranges [first, stop).
    bounds = np.column_stack((first, stop)).ravel()
    largest = np.maximum.reduceat(np.append(values, 0.0), bounds)[0::2]
    return np.where(stop > first, np.maximum(largest, 0.0), 0.0)


def check_breaks(ctx: Context) -> list[HealthWarning]:
    """no_break: more than `break_after_hours` of work with no gap of `break_minutes` (one per day)."""
    limits = ctx.settings.thresholds
    starts_us, ends_us = ctx.work
    if not len(starts_us):
        return []
    # Gaps shorter than a break join the stretches around them (a gap of exactly a break does not).
    pause_us = max(int(limits.break_minutes * 60_000_000) - 1, 0)
    block_starts, padded_ends = iv.union(starts_us, ends_us + pause_us)
    block_ends = padded_ends - pause_us
    worked = iv.window_hours((starts_us, ends_us), block_starts, block_ends)
    days = _local_days(ctx, block_starts)
    blocks = pd.DataFrame({"day": days, "hours": np.round(worked, 6), "start": block_starts, "end": block_ends})
    blocks = blocks[(blocks["hours"] > limits.break_after_hours) & _in_range(ctx, days)]
    longest = blocks.sort_values("hours", ascending=False).drop_duplicates("day").sort_values("day")
    flagged_days = pd.DatetimeIndex(longest["day"])
    scheduled = ctx.ends_after_now(flagged_days)
    from_clock = _clock(ctx, longest["start"].to_numpy(dtype=np.int64))
    to_clock = _clock(ctx, longest["end"].to_numpy(dtype=np.int64))
    names = day_texts(flagged_days)
    warnings = []
    for k, (day, hours) in enumerate(zip(dates_of(flagged_days), longest["hours"].tolist(), strict=True)):
        message = (
            f"{day_subject(names[k], bool(scheduled[k]))} {hours_text(hours)} h of work from {from_clock[k]} to "
            f"{to_clock[k]} without a {limits.break_minutes:g}-minute break, due after "
            f"{hours_text(limits.break_after_hours)} h (EU Working Time Directive art. 4; ArbZG section 4)"
        )
        warnings.append(make_warning("no_break", message, day, day, hours, limits.break_after_hours, scheduled[k]))
    return warnings


def _boundary_days(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Per day of `daily`: is it a rest day (settings), is it marked as a day off?"""
    days = pd.DatetimeIndex(ctx.daily.index)
    rest = np.isin(np.asarray(days.day_of_week), list(ctx.settings.rest_days))
    off = ctx.daily["day_off"].astype(bool).to_numpy() if "day_off" in ctx.daily else np.zeros(len(days), bool)
    return rest, off


def check_after_hours(ctx: Context) -> list[HealthWarning]:
    """after_hours: work outside [workday_start, disconnect_time) on working days, per week."""
    settings = ctx.settings
    work = ctx.work
    days = pd.DatetimeIndex(ctx.daily.index)
    day_lo, day_hi = _day_bounds(ctx, days)
    open_us = iv.local_instants_us(days, settings.workday_start, ctx.tz)
    close_us = iv.local_instants_us(days, settings.disconnect_time, ctx.tz)
    total = iv.window_hours(work, day_lo, day_hi)
    if settings.disconnect_time > settings.workday_start:
        inside = iv.window_hours(work, open_us, close_us)
    else:  # working hours that wrap past midnight (a night shift)
        inside = iv.window_hours(work, day_lo, close_us) + iv.window_hours(work, open_us, day_hi)
    rest, off = _boundary_days(ctx)
    outside = np.where(rest | off, 0.0, np.round(total - inside, 6))
    flagged = np.flatnonzero(outside > 0)
    if not len(flagged):
        return []
    window = f"{settings.workday_start:%H:%M}-{settings.disconnect_time:%H:%M}"
    week_of_day = analytics.week_start_of(days[flagged], ctx.week_starts_on)
    # The flagged days are in order, so each week's days are one run of them.
    first_of_week = np.flatnonzero(np.concatenate(([True], week_of_day[1:] != week_of_day[:-1])))
    stops = np.append(first_of_week[1:], len(flagged)).tolist()
    starts = week_of_day[first_of_week]
    known = ctx.weekly["iso_week"].reindex(starts).astype(object)
    labels = known.where(known.notna(), analytics.iso_week_label(starts, ctx.week_starts_on).to_numpy(object)).tolist()
    not_over = ctx.ends_after_now(starts + pd.Timedelta(days=6))
    firsts, lasts = dates_of(starts), dates_of(starts + pd.Timedelta(days=6))
    hours = outside[flagged]
    names = [ctx.days.names[i] for i in flagged.tolist()]
    listed = [f"{name} ({hours_text(h)} h)" for name, h in zip(names, hours.tolist(), strict=True)]
    warnings = []
    for k, (first, stop) in enumerate(zip(first_of_week.tolist(), stops, strict=True)):  # a loop over weeks
        scheduled = bool(not_over[k])
        figure = float(hours[first:stop].sum())
        message = (
            f"{week_subject(ctx, firsts[k], str(labels[k]), scheduled)} {hours_text(figure)} h of work "
            f"outside your {window} working hours: {', '.join(listed[first:stop])}"
        )
        warnings.append(make_warning("after_hours", message, firsts[k], lasts[k], figure, 0.0, scheduled))
    return warnings


def check_work_on_rest_days(ctx: Context) -> list[HealthWarning]:
    """work_on_rest_day: work on a rest day of the settings or on a day marked as a day off."""
    rest, off = _boundary_days(ctx)
    work = rounded(ctx.daily["work"]).to_numpy()
    flagged = np.flatnonzero((rest | off) & (work > 0))
    days = ctx.days
    warnings = []
    for i in flagged.tolist():
        kind = "a day off" if off[i] else "a rest day"
        scheduled = bool(days.not_over[i])
        when = " (scheduled)" if scheduled else ""
        verb = "already holds" if scheduled else "held"
        message = f"{days.names[i]}{when}, {kind}, {verb} {hours_text(work[i])} h of work"
        warnings.append(make_warning("work_on_rest_day", message, days.dates[i], days.dates[i], work[i], 0.0, scheduled))
    return warnings


def check_sleep(ctx: Context) -> list[HealthWarning]:
    """short_sleep: a night whose sleep opportunity is under `sleep_hours` (AASM/SRS 2015)."""
    settings = ctx.settings
    if not settings.sleep_enabled or settings.sleep_start == settings.sleep_end:
        return []
    limit = settings.thresholds.sleep_hours
    days = pd.DatetimeIndex(ctx.daily.index)
    nights = analytics.sleep_nights(
        ctx.intervals, tz=ctx.tz, first_night=days.min().date(), last_night=days.max().date(),
        sleep=(settings.sleep_start, settings.sleep_end),
    )
    short = nights[rounded(nights["opportunity_hours"]) < limit]
    scheduled = (short["window_end_utc"] > pd.Timestamp(ctx.now)).to_numpy(dtype=bool)
    window_ends = pd.DatetimeIndex(short["window_end_utc"]).tz_convert(ctx.tz).tz_localize(None).normalize()
    night_days = pd.DatetimeIndex(short.index)
    window = f"{settings.sleep_start:%H:%M}-{settings.sleep_end:%H:%M}"
    warnings = []
    for night, night_text, end_day, figure, due in zip(  # a loop over flagged nights
        dates_of(night_days), day_texts(night_days), dates_of(window_ends),
        short["opportunity_hours"].astype(float).tolist(), scheduled.tolist(), strict=True,
    ):
        lead = f"Night of {night_text}" + (" (scheduled) already leaves" if due else ": only")
        message = (
            f"{lead} {hours_text(figure)} h of sleep opportunity in your {window} sleep window, under the "
            f"{hours_text(limit)} h adults need (AASM/SRS 2015)"
        )
        warnings.append(make_warning("short_sleep", message, night, end_day, figure, limit, due))
    return warnings


def check_targets(ctx: Context, in_force: pd.DataFrame) -> list[HealthWarning]:
    """below_target for complete past weeks; above_target for any week, planned ones included.

    `in_force` is `health.targets_for_weeks(targets, weekly.index)`.
    """
    weekly, weeks = ctx.weekly, ctx.weeks
    starts = pd.DatetimeIndex(weekly.index)
    complete_past = (weekly["days"] == 7).to_numpy() & ~weeks.not_over
    workdays_off = weekly["workdays_off"].to_numpy() if "workdays_off" in weekly else None
    warnings = []
    for area in AREAS:  # a loop over the four areas
        goal = in_force[in_force["area"] == area].set_index("week_start").reindex(starts)
        hours = rounded(weekly[area]).to_numpy()
        low, high = goal["min_hours"].to_numpy(dtype=float), goal["max_hours"].to_numpy(dtype=float)
        below = complete_past & (hours < low)
        # A target pro-rated to 0 h (every working day off) is not judged here: work on a day off
        # is its own warning (work_on_rest_day), with the day it happened.
        above = (hours > high) & (high > 0)
        for code, mask, bound, word in (
            ("below_target", below, low, "below your target of at least"),
            ("above_target", above, high, "above your target of at most"),
        ):
            column = "base_min_hours" if code == "below_target" else "base_max_hours"
            base = goal[column].to_numpy(dtype=float) if column in goal and workdays_off is not None else None
            for i in np.flatnonzero(mask).tolist():
                is_planned = bool(weeks.not_over[i])
                figure, threshold = float(hours[i]), float(bound[i])
                subject = week_subject(ctx, weeks.firsts[i], weeks.labels[i], is_planned)
                message = f"{subject} {hours_text(figure)} h of {area}, {word} {hours_text(threshold)} h"
                if base is not None and workdays_off is not None:
                    message += _pro_rata_note(weekly, i, int(workdays_off[i]), threshold, float(base[i]))
                warnings.append(make_warning(code, message, weeks.firsts[i], weeks.lasts[i], figure, threshold, is_planned))
    return warnings


def _pro_rata_note(weekly: pd.DataFrame, position: int, off: int, threshold: float, base: float) -> str:
    """", pro rata for 2 of 5 working days off (target as set: 35 h)" when a target was pro-rated."""
    if off == 0 or np.isnan(base) or base == threshold:
        return ""
    workdays = int(weekly["workdays"].iloc[position])
    return f", pro rata for {off} of {workdays} working days off (target as set: {hours_text(base)} h)"
