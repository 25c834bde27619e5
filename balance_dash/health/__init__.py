"""Warnings with thresholds and sources, and the targets per area (pure).

`evaluate(daily, weekly, intervals, ...)` runs every check of PRODUCT.md section 5 over the
frames of `analytics` and returns `HealthWarning`s, scheduled future periods included. The
catalog of codes, thresholds and sources is `health.catalog.CATALOG`; the checks live in
`health.checks` (hours) and `health.boundaries` (rest, breaks, boundaries, sleep, targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from balance_dash import analytics
from balance_dash.health.boundaries import (
    check_after_hours,
    check_breaks,
    check_daily_rest,
    check_sleep,
    check_targets,
    check_weekly_rest,
    check_work_on_rest_days,
)
from balance_dash.health.catalog import (
    CATALOG,
    PRESETS,
    SEVERITY_RANK,
    HealthWarning,
    Severity,
    WarningSpec,
    escalate,
)
from balance_dash.health.checks import Context, as_days, check_average_week, check_long_days, check_week_hours
from balance_dash.health.rhythm import (
    check_back_to_back,
    check_late_work,
    check_long_break,
    check_weekend_work,
)
from balance_dash.settings import Settings
from balance_dash.targets import DEFAULT_TARGETS, range_text, targets_document, targets_for_weeks

target_range_text = range_text  # the one wording of a range lives in `targets`

__all__ = [
    "CATALOG",
    "DEFAULT_TARGETS",
    "PRESETS",
    "SEVERITY_RANK",
    "HealthWarning",
    "Severity",
    "WarningSpec",
    "evaluate",
    "prorate_targets",
    "target_range_text",
    "targets_document",
    "targets_for_weeks",
]

# Targets that shrink with the working days a week takes off (a day off is a day off work).
PRO_RATA_AREAS: tuple[str, ...] = ("work",)


def prorate_targets(in_force: pd.DataFrame, weekly: pd.DataFrame) -> pd.DataFrame:
    """`targets_for_weeks` output fitted to each week as lived.

    The targets of `PRO_RATA_AREAS` apply pro rata to the week's working days that are not days
    off (35-48 h with 2 of 5 working days off: 21-28.8 h; with all 5 off: 0 h). A week without
    data has no targets at all (NaN): nothing is known about it, so nothing is judged.
    `base_min_hours`/`base_max_hours` keep the targets as set.
    """
    frame = in_force.assign(base_min_hours=in_force["min_hours"], base_max_hours=in_force["max_hours"])
    if weekly.empty or frame.empty:
        return frame
    weeks = pd.DatetimeIndex(weekly.index)
    workdays = weekly["workdays"].astype(float) if "workdays" in weekly else pd.Series(5.0, index=weeks)
    off = weekly["workdays_off"].astype(float) if "workdays_off" in weekly else pd.Series(0.0, index=weeks)
    share = ((workdays - off) / workdays.where(workdays > 0)).fillna(1.0).clip(0.0, 1.0)
    has_data = weekly["has_data"].astype(bool) if "has_data" in weekly else pd.Series(True, index=weeks)
    week_share = frame["week_start"].map(pd.Series(share.to_numpy(), index=weeks)).fillna(1.0)
    week_data = frame["week_start"].map(pd.Series(has_data.to_numpy(), index=weeks)).fillna(True).astype(bool)
    factor = week_share.where(frame["area"].isin(PRO_RATA_AREAS), 1.0).where(week_data)
    return frame.assign(
        min_hours=(frame["min_hours"] * factor).round(2), max_hours=(frame["max_hours"] * factor).round(2)
    )


def evaluate(
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    intervals: pd.DataFrame,
    *,
    settings: Settings,
    targets: pd.DataFrame,
    now: datetime,
    tz: ZoneInfo,
    occurrences: pd.DataFrame | None = None,
) -> list[HealthWarning]:
    """Every warning for the days of `daily` and the weeks of `weekly`, ordered by period.

    `daily`/`weekly` come from `analytics.daily_hours`/`weekly_hours` (with the week start of
    `settings`); `intervals` from `analytics.area_intervals` (an occurrence frame with `area`
    is accepted too and turned into intervals); `targets` is the targets table or already
    `targets_for_weeks` output (it has `week_start`); `now` must be aware. `occurrences`, the
    frame `intervals` came from, lets the meeting checks run when `intervals` are given.
    """
    if now.tzinfo is None:
        raise ValueError("evaluate() needs an aware `now`")
    if "all_day" in intervals.columns:  # occurrences given for intervals: meetings need them
        occurrences, intervals = intervals, analytics.area_intervals(intervals)
    in_force = (
        targets if "week_start" in targets.columns
        else prorate_targets(targets_for_weeks(targets, pd.DatetimeIndex(weekly.index)), weekly)
    )
    ctx = Context(daily=daily, weekly=weekly, intervals=intervals, settings=settings, now=now, tz=tz)
    warnings: list[HealthWarning] = []
    if len(weekly):
        warnings += check_week_hours(ctx) + check_average_week(ctx) + check_weekly_rest(ctx)
        warnings += check_after_hours(ctx)
        warnings += check_targets(ctx, in_force)
    if len(daily):
        warnings += check_long_days(ctx) + check_daily_rest(ctx) + check_breaks(ctx)
        warnings += check_work_on_rest_days(ctx) + check_sleep(ctx)
        warnings += check_late_work(ctx) + check_weekend_work(ctx) + check_long_break(ctx)
        warnings += check_back_to_back(ctx, occurrences)
    warnings = _with_data(warnings, daily)
    warnings += streaks(warnings, settings=settings)
    return sorted(warnings, key=lambda w: (w.period_start, -SEVERITY_RANK[w.severity], w.code, w.period_end))


def _with_data(warnings: list[HealthWarning], daily: pd.DataFrame) -> list[HealthWarning]:
    """The warnings whose period holds data on at least one day: days nothing covers are not judged."""
    if "has_data" not in daily or daily["has_data"].astype(bool).all() or not warnings:
        return warnings
    chosen = daily["has_data"].astype(bool).to_numpy()
    with_data = np.asarray(pd.DatetimeIndex(daily.index)[chosen].to_numpy(), dtype="datetime64[D]")
    starts = as_days([w.period_start for w in warnings])
    ends = as_days([w.period_end for w in warnings])
    # The first day with data on or after each period's start, if any, must lie inside the period.
    first = np.searchsorted(with_data, starts, side="left")
    found = first < len(with_data)
    kept = np.zeros(len(warnings), dtype=bool)
    kept[found] = with_data[first[found]] <= ends[found]
    return [warning for warning, keep in zip(warnings, kept.tolist(), strict=True) if keep]


def streaks(warnings: list[HealthWarning], *, settings: Settings) -> list[HealthWarning]:
    """One `streak` per run of `streak_weeks` or more consecutive weeks holding the same code.

    Its severity is one level above the highest severity in the run (info and boundary ->
    caution -> high). Each warning belongs to the week of its `period_start`.
    """
    minimum = settings.thresholds.streak_weeks
    runs = [run for run in _runs_of_weeks(warnings, settings) if run.weeks >= minimum]
    if not runs:
        return []
    by_rank: dict[int, Severity] = {rank: severity for severity, rank in SEVERITY_RANK.items()}
    # All labels in one vectorised step: one call per run costs more than the whole check.
    first_labels = analytics.iso_week_label(pd.DatetimeIndex([run.first for run in runs]), settings.week_starts_on)
    last_labels = analytics.iso_week_label(pd.DatetimeIndex([run.last for run in runs]), settings.week_starts_on)
    result = []
    for run, first_label, last_label in zip(runs, first_labels, last_labels, strict=True):
        spec = CATALOG[run.code]
        before = by_rank[run.rank]
        after = escalate(before)
        message = (
            f"Weeks {first_label} to {last_label}: {spec.summary} ({spec.code}) {run.weeks} weeks in a row, "
            f"{minimum} or more make it a streak; raised from {before} to {after}"
        )
        result.append(
            HealthWarning(
                code="streak", severity=after, message=message, source=spec.source, url=spec.url,
                period_start=run.first, period_end=run.last + timedelta(days=6),
                figure=float(run.weeks), threshold=float(minimum), scheduled=run.scheduled,
            )
        )
    return result


@dataclass
class _Run:
    """Consecutive weeks holding one code: first and last week start, highest rank, any planned."""

    code: str
    first: date
    last: date
    weeks: int
    rank: int
    scheduled: bool


def _runs_of_weeks(warnings: list[HealthWarning], settings: Settings) -> list[_Run]:
    """The runs of consecutive weeks per code, by code then week (a loop over warnings, not data)."""
    if not warnings:
        return []
    days = pd.DatetimeIndex(as_days([w.period_start for w in warnings]))
    week_starts = list(analytics.week_start_of(days, settings.week_starts_on).date)
    held: dict[tuple[str, date], tuple[int, bool]] = {}  # per code and week: highest rank, any planned
    for warning, week in zip(warnings, week_starts, strict=True):
        rank, scheduled = SEVERITY_RANK[warning.severity], warning.scheduled
        if (warning.code, week) in held:
            before_rank, before_scheduled = held[(warning.code, week)]
            rank, scheduled = max(rank, before_rank), scheduled or before_scheduled
        held[(warning.code, week)] = (rank, scheduled)
    runs: list[_Run] = []
    for (code, week), (rank, scheduled) in sorted(held.items()):
        run = runs[-1] if runs else None
        if run is not None and run.code == code and week - run.last == timedelta(days=7):
            run.last, run.weeks = week, run.weeks + 1
            run.rank, run.scheduled = max(run.rank, rank), run.scheduled or scheduled
        else:
            runs.append(_Run(code, week, week, 1, rank, scheduled))
    return runs
