"""Checks on rest, breaks, the user's boundaries, sleep and targets (pure; see `health`).

Work is the union of the work intervals (`analytics.area_intervals`), on the UTC time line in
microseconds; days are local to `ctx.tz`.
"""

from __future__ import annotations

from datetime import time

import numpy as np
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.health.catalog import HealthWarning
from balance_dash.health.checks import (
    Context,
    day_subject,
    day_text,
    hours_text,
    make_warning,
    rounded,
    week_name,
    week_subject,
)
from balance_dash.models import AREAS

_EU = "the EU Working Time Directive"


def _work(ctx: Context) -> iv.IntervalSet:
    return analytics.interval_set(ctx.intervals, ("work",))


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
    starts_us, ends_us = _work(ctx)
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
    previous_days = _local_days(ctx, last_ends_us)
    warnings = []
    for k, i in enumerate(flagged.tolist()):
        figure = float(rest_hours.iloc[i])
        when = " (scheduled)" if scheduled[k] else ""
        message = (
            f"Night before {day_text(next_days[k])}{when}: only {hours_text(figure)} h of rest between work "
            f"ending at {end_clock[k]} and starting again at {start_clock[k]}, under the "
            f"{hours_text(limit)} h daily rest of {_EU} (art. 3)"
        )
        warnings.append(
            make_warning("short_daily_rest", message, previous_days[k], next_days[k], figure, limit, scheduled[k])
        )
    return warnings


def check_weekly_rest(ctx: Context) -> list[HealthWarning]:
    """no_weekly_rest: a week with work and no work-free stretch of `weekly_rest_hours`.

    A stretch serves the week it starts in (a weekend from Friday evening to Monday morning
    serves Monday- and Sunday-start weeks alike), and any week holding `weekly_rest_hours` of it.
    Before the first and after the last work of the data the stretch is endless.
    """
    limit = ctx.settings.thresholds.weekly_rest_hours
    starts_us, ends_us = _work(ctx)
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
    first_touching = np.searchsorted(gap_hi, lo_us, side="right")  # gaps overlapping the week
    scheduled = ctx.ends_after_now(pd.DatetimeIndex(week_starts + pd.Timedelta(days=6)))
    warnings = []
    for i in np.flatnonzero(rounded(weekly["work"]).to_numpy() > 0).tolist():  # a loop over weeks
        starting = lengths[first_starting[i] : stop_starting[i]]
        touching = slice(first_touching[i], stop_starting[i])
        inside = (np.minimum(gap_hi[touching], hi_us[i]) - np.maximum(gap_lo[touching], lo_us[i])) / iv.US_PER_HOUR
        longest = float(max(starting.max(initial=0.0), inside.max(initial=0.0)))
        if round(longest, 6) >= limit:
            continue
        name = week_name(ctx, week_starts[i], str(weekly["iso_week"].iloc[i]), bool(scheduled[i]))
        verb = "already leaves" if scheduled[i] else "had"
        message = (
            f"{name} {verb} no work-free stretch of {hours_text(limit)} h (the longest: "
            f"{hours_text(longest)} h), the weekly rest of {_EU} (art. 5)"
        )
        end = week_starts[i] + pd.Timedelta(days=6)
        warnings.append(make_warning("no_weekly_rest", message, week_starts[i], end, longest, limit, scheduled[i]))
    return warnings


def check_breaks(ctx: Context) -> list[HealthWarning]:
    """no_break: more than `break_after_hours` of work with no gap of `break_minutes` (one per day)."""
    limits = ctx.settings.thresholds
    starts_us, ends_us = _work(ctx)
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
    warnings = []
    for k, (day, hours) in enumerate(zip(flagged_days, longest["hours"], strict=True)):
        message = (
            f"{day_subject(day, bool(scheduled[k]))} {hours_text(hours)} h of work from {from_clock[k]} to "
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
    work = _work(ctx)
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
    frame = pd.DataFrame({"outside": outside}, index=days)
    frame = frame.assign(week_start=analytics.week_start_of(days, ctx.week_starts_on))
    flagged = frame[frame["outside"] > 0]
    if flagged.empty:
        return []
    window = f"{settings.workday_start:%H:%M}-{settings.disconnect_time:%H:%M}"
    # Labels and "not over yet" for all flagged weeks in one vectorised step each.
    starts = pd.DatetimeIndex(flagged["week_start"].unique())
    labels = dict(zip(starts, analytics.iso_week_label(starts, ctx.week_starts_on), strict=True))
    not_over = dict(zip(starts, ctx.ends_after_now(starts + pd.Timedelta(days=6)), strict=True))
    warnings = []
    for week_start, rows in flagged.groupby("week_start"):  # a loop over weeks
        start = pd.Timestamp(str(week_start))
        end = start + pd.Timedelta(days=6)
        scheduled = bool(not_over[start])
        label = str(ctx.weekly["iso_week"].get(start, labels[start]))
        figure = float(rows["outside"].sum())
        listed = ", ".join(
            f"{day_text(day)} ({hours_text(h)} h)"
            for day, h in zip(pd.DatetimeIndex(rows.index), rows["outside"], strict=True)
        )
        message = (
            f"{week_subject(ctx, start, label, scheduled)} {hours_text(figure)} h of work outside your "
            f"{window} working hours: {listed}"
        )
        warnings.append(make_warning("after_hours", message, start, end, figure, 0.0, scheduled))
    return warnings


def check_work_on_rest_days(ctx: Context) -> list[HealthWarning]:
    """work_on_rest_day: work on a rest day of the settings or on a day marked as a day off."""
    days = pd.DatetimeIndex(ctx.daily.index)
    rest, off = _boundary_days(ctx)
    work = rounded(ctx.daily["work"]).to_numpy()
    flagged = np.flatnonzero((rest | off) & (work > 0))
    scheduled = ctx.ends_after_now(days[flagged]) if len(flagged) else np.zeros(0, bool)
    warnings = []
    for k, i in enumerate(flagged.tolist()):
        kind = "a day off" if off[i] else "a rest day"
        when = " (scheduled)" if scheduled[k] else ""
        verb = "already holds" if scheduled[k] else "held"
        message = f"{day_text(days[i])}{when}, {kind}, {verb} {hours_text(work[i])} h of work"
        warnings.append(make_warning("work_on_rest_day", message, days[i], days[i], work[i], 0.0, scheduled[k]))
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
    now = pd.Timestamp(ctx.now)
    window = f"{settings.sleep_start:%H:%M}-{settings.sleep_end:%H:%M}"
    warnings = []
    for night, row in short.iterrows():  # a loop over flagged nights
        night_day = pd.Timestamp(str(night))
        scheduled = bool(row["window_end_utc"] > now)
        end_day = pd.Timestamp(row["window_end_utc"]).tz_convert(ctx.tz).tz_localize(None).normalize()
        figure = float(row["opportunity_hours"])
        lead = f"Night of {day_text(night_day)}" + (" (scheduled) already leaves" if scheduled else ": only")
        message = (
            f"{lead} {hours_text(figure)} h of sleep opportunity in your {window} sleep window, under the "
            f"{hours_text(limit)} h adults need (AASM/SRS 2015)"
        )
        warnings.append(make_warning("short_sleep", message, night_day, end_day, figure, limit, scheduled))
    return warnings


def check_targets(ctx: Context, in_force: pd.DataFrame) -> list[HealthWarning]:
    """below_target for complete past weeks; above_target for any week, planned ones included.

    `in_force` is `health.targets_for_weeks(targets, weekly.index)`.
    """
    weekly = ctx.weekly
    starts = pd.DatetimeIndex(weekly.index)
    scheduled = pd.Series(ctx.ends_after_now(pd.DatetimeIndex(starts + pd.Timedelta(days=6))), index=starts)
    warnings = []
    for area in AREAS:  # a loop over the four areas
        goal = in_force[in_force["area"] == area].set_index("week_start").reindex(starts)
        hours = rounded(weekly[area])
        complete_past = (weekly["days"] == 7) & ~scheduled
        below = complete_past & (hours < goal["min_hours"])
        # A target pro-rated to 0 h (every working day off) is not judged here: work on a day off
        # is its own warning (work_on_rest_day), with the day it happened.
        above = (hours > goal["max_hours"]) & (goal["max_hours"] > 0)
        for code, mask, bound, word in (
            ("below_target", below, goal["min_hours"], "below your target of at least"),
            ("above_target", above, goal["max_hours"], "above your target of at most"),
        ):
            for start in starts[mask.to_numpy(dtype=bool)]:
                is_planned = bool(scheduled[start])
                subject = week_subject(ctx, start, str(weekly.loc[start, "iso_week"]), is_planned)
                figure, threshold = float(hours[start]), float(bound[start])
                message = f"{subject} {hours_text(figure)} h of {area}, {word} {hours_text(threshold)} h"
                message += _pro_rata_note(weekly.loc[start], threshold, goal, start, code)  # type: ignore[arg-type]  # a unique index gives a row
                end = start + pd.Timedelta(days=6)
                warnings.append(make_warning(code, message, start, end, figure, threshold, is_planned))
    return warnings


def _pro_rata_note(week: pd.Series, threshold: float, goal: pd.DataFrame, start: pd.Timestamp, code: str) -> str:
    """", pro rata for 2 of 5 working days off (target as set: 35 h)" when a target was pro-rated."""
    column = "base_min_hours" if code == "below_target" else "base_max_hours"
    if column not in goal or "workdays_off" not in week or int(week["workdays_off"]) == 0:
        return ""
    base = goal[column].get(start)
    if base is None or pd.isna(base) or float(base) == threshold:
        return ""
    return (
        f", pro rata for {int(week['workdays_off'])} of {int(week['workdays'])} working days off "
        f"(target as set: {hours_text(float(base))} h)"
    )
