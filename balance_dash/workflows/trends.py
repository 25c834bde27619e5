"""Trends over weeks and months, and one week day by day: what the Trends page and the week
timeline show. Orchestration only: occurrences and coverage from the `Scope`,
hours from `analytics`, the figures from the pure `balance_dash.trends`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import trends as pure
from balance_dash.analytics.trends import Period, PeriodSpans
from balance_dash.workflows.common import local_midnight_utc, week_start_of
from balance_dash.workflows.scope import Scope


@dataclass(frozen=True)
class Comparison:
    """One period so far against the one before: the spans and hours per area (`compare_periods`)."""

    spans: PeriodSpans
    hours: pd.DataFrame


@dataclass(frozen=True)
class Trends:
    """The weeks of a period (ending with the current week) and this month and quarter so far."""

    period: Period
    shortened: bool  # the period starts later than asked, with the first week holding data
    first_day: date
    last_day: date
    data_since: date | None
    weekly: pd.DataFrame
    heatmap: pd.DataFrame
    after_hours: pd.DataFrame
    month: Comparison
    quarter: Comparison

    @property
    def has_events(self) -> bool:
        """Whether any event falls on or before the period's last day."""
        return self.data_since is not None and self.data_since <= self.last_day

    @property
    def weeks(self) -> int:
        return (self.last_day - self.first_day).days // 7 + 1


def trends(scope: Scope, *, period: Period) -> Trends:
    """Weekly hours with their rolling mean, the work heatmap, after-hours work and the
    month and quarter comparisons, for the period ending with the week holding the scope's today."""
    tz, settings, today = scope.tz, scope.settings, scope.today
    occ = scope.occurrences
    since = pure.first_data_day(occ, tz)
    this_week = week_start_of(today, settings.week_starts_on)
    last_day = this_week + timedelta(days=6)
    first_week = pure.period_first_week(this_week, period, since, settings.week_starts_on)
    data_week = week_start_of(since, settings.week_starts_on) if since else first_week
    # The rolling mean reads the weeks before the period (not before the data starts).
    lead_week = max(first_week - timedelta(weeks=pure.ROLLING_WEEKS - 1), min(data_week, first_week))
    month, quarter = pure.period_spans(today, "month"), pure.period_spans(today, "quarter")
    first_day = min(lead_week, month.previous_first, quarter.previous_first)
    sleep = (settings.sleep_start, settings.sleep_end) if settings.sleep_enabled else None
    coverage = analytics.coverage_spans(scope.coverage, tz)
    daily = analytics.daily_hours(occ, tz=tz, first_day=first_day, last_day=last_day, sleep=sleep, coverage=coverage)
    weekly = analytics.weekly_hours(daily, week_starts_on=settings.week_starts_on, rest_days=settings.rest_days)
    intervals = analytics.area_intervals(occ)
    shown = daily[daily.index >= pd.Timestamp(first_week)]
    return Trends(
        period=period,
        shortened=first_week > this_week - timedelta(weeks=(pure.PERIOD_WEEKS[period] or 1) - 1),
        first_day=first_week,
        last_day=last_day,
        data_since=since,
        weekly=pure.weekly_area_trend(weekly[weekly.index >= pd.Timestamp(lead_week)], since=first_week),
        heatmap=pure.work_heatmap(
            intervals, tz=tz, first_day=first_week, last_day=last_day, week_starts_on=settings.week_starts_on
        ),
        after_hours=pure.after_hours_by_week(intervals, shown, tz=tz, settings=settings),
        month=Comparison(month, pure.compare_periods(daily, month, data_since=since)),
        quarter=Comparison(quarter, pure.compare_periods(daily, quarter, data_since=since)),
    )


def week_events(scope: Scope, *, week_start: date) -> pd.DataFrame:
    """The counted events of the week starting `week_start`, split per local day
    (`analytics.trends.day_pieces`): what the day-by-day timeline draws."""
    tz = scope.tz
    occurrences = scope.occurrences_between(
        local_midnight_utc(week_start - timedelta(days=1), tz), local_midnight_utc(week_start + timedelta(days=8), tz)
    )
    # The dashboard's scope hands over the whole history: take the week's rows before anything else.
    occurrences = occurrences[_near_week(occurrences, tz, week_start)]
    return pure.day_pieces(occurrences[analytics.counted(occurrences)], tz=tz, week_start=week_start)


def _near_week(occurrences: pd.DataFrame, tz: ZoneInfo, week_start: date) -> pd.Series:
    """The rows that touch the local days from the day before the week to the day after it (all
    that `trends.day_pieces` can place in the week)."""
    first, after = week_start - timedelta(days=1), week_start + timedelta(days=8)
    timed = (occurrences["end_utc"] > local_midnight_utc(first, tz)) & (
        occurrences["start_utc"] < local_midnight_utc(after, tz)
    )
    day_start = occurrences["day_start"]
    day_end = occurrences["day_end"].fillna(day_start + pd.Timedelta(days=1))
    marked = (day_start < pd.Timestamp(after)) & (day_end > pd.Timestamp(first))
    return timed | marked
