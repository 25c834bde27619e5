"""Warnings with thresholds and sources, and the targets per area (pure).

`evaluate(daily, weekly, intervals, ...)` runs every check of PRODUCT.md section 5 over the
frames of `analytics` and returns `HealthWarning`s, scheduled future periods included. The
catalog of codes, thresholds and sources is `health.catalog.CATALOG`; the checks live in
`health.checks` (hours) and `health.boundaries` (rest, breaks, boundaries, sleep, targets).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

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
from balance_dash.health.checks import Context, check_average_week, check_long_days, check_week_hours
from balance_dash.models import AREAS
from balance_dash.settings import Settings

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

# Weekly hours for a full-time worker, as (at least, at most); None = no bound.
# - work 35-48: 35-40 h is the "standard hours" baseline of the WHO/ILO 2021 estimates, and 48 h
#   is the EU Directive's weekly limit, about where Pencavel (2014) finds output per hour falls.
# - family 14+: two hours a day of undivided time with the people at home.
# - personal 7+: an hour a day for health, friends, learning and errands of one's own.
# - rest 7+: an hour a day of waking rest and recovery that the calendar or the log holds.
#   Sleep is its own figure with its own check (short_sleep, AASM/SRS 2015: >= 7 h a night), so
#   this target no longer holds the sleep window; docs/time-semantics.md says why one hour.
DEFAULT_TARGETS: dict[str, tuple[float | None, float | None]] = {
    "work": (35.0, 48.0),
    "family": (14.0, None),
    "personal": (7.0, None),
    "rest": (7.0, None),
}
# Targets that shrink with the working days a week takes off (a day off is a day off work).
PRO_RATA_AREAS: tuple[str, ...] = ("work",)


def targets_for_weeks(targets: pd.DataFrame, week_starts: Iterable[date] | pd.DatetimeIndex) -> pd.DataFrame:
    """The target in force per area per week: the row with the latest `effective_from` on or
    before the week's start.

    Returns a long frame: week_start (`datetime64[s]`), area, min_hours, max_hours (float, NaN
    without a bound or without a target in force), effective_from (`datetime64[s]`, NaT if none).
    """
    weeks = pd.DatetimeIndex(pd.to_datetime(pd.Index(list(week_starts)))).as_unit("s").unique().sort_values()
    grid = pd.MultiIndex.from_product([weeks, list(AREAS)], names=["week_start", "area"]).to_frame(index=False)
    grid = grid.astype({"area": "str"}).sort_values("week_start", kind="stable")
    columns = ["area", "min_hours", "max_hours", "effective_from"]
    table = targets.reindex(columns=columns) if len(targets) else pd.DataFrame(columns=columns)
    table = table.assign(
        area=table["area"].astype("str"),
        min_hours=pd.to_numeric(table["min_hours"], errors="coerce").astype(float),
        max_hours=pd.to_numeric(table["max_hours"], errors="coerce").astype(float),
        effective_from=pd.to_datetime(table["effective_from"]).astype("datetime64[s]"),
    ).dropna(subset=["effective_from"]).sort_values("effective_from", kind="stable")
    merged = pd.merge_asof(
        grid, table, left_on="week_start", right_on="effective_from", by="area", direction="backward"
    )
    return merged.sort_values(["week_start", "area"], key=_area_order).reset_index(drop=True)


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


def target_range_text(low: float | None, high: float | None) -> str:
    """A target range as people say it: '35-48 h' (with an en dash), 'at least 14 h', 'at most 48 h'."""
    has_low = low is not None and not pd.isna(low)
    has_high = high is not None and not pd.isna(high)
    if has_low and has_high:
        return f"{low:g}–{high:g} h"
    if has_low:
        return f"at least {low:g} h"
    if has_high:
        return f"at most {high:g} h"
    return "no target"


def targets_document(in_force: pd.DataFrame, week_start: date) -> dict[str, dict[str, float | None]]:
    """The targets of one week from `targets_for_weeks` output, JSON-ready:
    {area: {"min_hours": float | None, "max_hours": float | None}} (None: no bound)."""
    rows = in_force[in_force["week_start"] == pd.Timestamp(week_start)].set_index("area")
    document: dict[str, dict[str, float | None]] = {}
    for area in AREAS:
        low = rows["min_hours"].get(area) if area in rows.index else None
        high = rows["max_hours"].get(area) if area in rows.index else None
        document[area] = {
            "min_hours": None if low is None or pd.isna(low) else float(low),
            "max_hours": None if high is None or pd.isna(high) else float(high),
        }
    return document


def _area_order(column: pd.Series) -> pd.Series:
    if column.name == "area":
        return column.map({area: index for index, area in enumerate(AREAS)})
    return column


def evaluate(
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    intervals: pd.DataFrame,
    *,
    settings: Settings,
    targets: pd.DataFrame,
    now: datetime,
    tz: ZoneInfo,
) -> list[HealthWarning]:
    """Every warning for the days of `daily` and the weeks of `weekly`, ordered by period.

    `daily`/`weekly` come from `analytics.daily_hours`/`weekly_hours` (with the week start of
    `settings`); `intervals` from `analytics.area_intervals` (an occurrence frame with `area`
    is accepted too and turned into intervals); `targets` is the targets table or already
    `targets_for_weeks` output (it has `week_start`); `now` must be aware.
    """
    if now.tzinfo is None:
        raise ValueError("evaluate() needs an aware `now`")
    if "all_day" in intervals.columns:
        intervals = analytics.area_intervals(intervals)
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
    warnings = _with_data(warnings, daily)
    warnings += streaks(warnings, settings=settings)
    return sorted(warnings, key=lambda w: (w.period_start, -SEVERITY_RANK[w.severity], w.code, w.period_end))


def _with_data(warnings: list[HealthWarning], daily: pd.DataFrame) -> list[HealthWarning]:
    """The warnings whose period holds data on at least one day: days nothing covers are not judged."""
    if "has_data" not in daily or daily["has_data"].astype(bool).all():
        return warnings
    with_data = pd.DatetimeIndex(daily.index)[daily["has_data"].astype(bool).to_numpy()]
    kept = []
    for warning in warnings:  # a loop over warnings, not occurrences
        first = int(with_data.searchsorted(pd.Timestamp(warning.period_start), side="left"))
        if first < len(with_data) and with_data[first] <= pd.Timestamp(warning.period_end):
            kept.append(warning)
    return kept


def streaks(warnings: list[HealthWarning], *, settings: Settings) -> list[HealthWarning]:
    """One `streak` per run of `streak_weeks` or more consecutive weeks holding the same code.

    Its severity is one level above the highest severity in the run (info and boundary ->
    caution -> high). Each warning belongs to the week of its `period_start`.
    """
    minimum = settings.thresholds.streak_weeks
    if not warnings:
        return []
    frame = pd.DataFrame(
        {
            "code": [w.code for w in warnings],
            "rank": [SEVERITY_RANK[w.severity] for w in warnings],
            "day": pd.to_datetime([w.period_start for w in warnings]),
            "scheduled": [w.scheduled for w in warnings],
        }
    )
    frame["week_start"] = analytics.week_start_of(pd.DatetimeIndex(frame["day"]), settings.week_starts_on)
    weeks = frame.groupby(["code", "week_start"], as_index=False).agg(rank=("rank", "max"), scheduled=("scheduled", "any"))
    weeks = weeks.sort_values(["code", "week_start"])
    gap = weeks.groupby("code")["week_start"].diff() != pd.Timedelta(days=7)
    weeks["run"] = gap.cumsum()
    runs = weeks.groupby("run").agg(
        code=("code", "first"), first=("week_start", "min"), last=("week_start", "max"),
        weeks=("week_start", "size"), rank=("rank", "max"), scheduled=("scheduled", "any"),
    )
    runs = runs[runs["weeks"] >= minimum]
    by_rank: dict[int, Severity] = {rank: severity for severity, rank in SEVERITY_RANK.items()}
    # All labels in one vectorised step: one call per run costs more than the whole check.
    firsts, lasts = pd.DatetimeIndex(runs["first"]), pd.DatetimeIndex(runs["last"])
    first_labels = analytics.iso_week_label(firsts, settings.week_starts_on)
    last_labels = analytics.iso_week_label(lasts, settings.week_starts_on)
    result = []
    for code, first, last, first_label, last_label, count, rank, scheduled in zip(
        runs["code"], firsts, lasts, first_labels, last_labels,
        runs["weeks"].astype(int), runs["rank"].astype(int), runs["scheduled"].astype(bool), strict=True,
    ):
        spec = CATALOG[str(code)]
        before = by_rank[int(rank)]
        after = escalate(before)
        message = (
            f"Weeks {first_label} to {last_label}: {spec.summary} ({spec.code}) {count} weeks in a row, "
            f"{minimum} or more make it a streak; raised from {before} to {after}"
        )
        result.append(
            HealthWarning(
                code="streak", severity=after, message=message, source=spec.source, url=spec.url,
                period_start=first.date(), period_end=(last + pd.Timedelta(days=6)).date(),
                figure=float(count), threshold=float(minimum), scheduled=bool(scheduled),
            )
        )
    return result
