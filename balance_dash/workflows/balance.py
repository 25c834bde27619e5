"""The balance of the weeks: hours per area, targets and warnings, and the summary document."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import analytics, attendance, categorize, health, store, targets
from balance_dash.analytics import working_time
from balance_dash.errors import InvalidValueError, SettingsError
from balance_dash.models import AREAS, UNCATEGORIZED
from balance_dash.settings import Settings
from balance_dash.workflows.common import local_midnight_utc, week_start_of
from balance_dash.workflows.scope import Scope

HOUR_COLUMNS = (*AREAS, UNCATEGORIZED, "integration", "unaccounted")

@dataclass(frozen=True)
class Balance:
    """Days and weeks of a period with areas, targets and warnings: what the views show."""

    tz: ZoneInfo
    week_starts_on: str
    first_day: date
    last_day: date
    daily: pd.DataFrame
    weekly: pd.DataFrame
    targets: pd.DataFrame
    warnings: list[health.HealthWarning] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    has_data: bool = True  # False: nothing is imported or logged at all

    def not_counted(self, week_start: date) -> dict[str, float]:
        """Hours the calendar holds in the week that were not counted, per reason (only those > 0)."""
        row = self.week(week_start)
        figures = {reason: float(row[f"not_counted_{reason}"]) for reason in attendance.NOT_COUNTED_REASONS}
        return {reason: hours for reason, hours in figures.items() if round(hours, 2) > 0}

    def week(self, week_start: date) -> pd.Series:
        position = self.weekly.index.get_loc(pd.Timestamp(week_start))
        return self.weekly.iloc[int(position)]  # type: ignore[arg-type]  # a unique index gives an int

    def warnings_most_severe_first(self) -> list[health.HealthWarning]:
        """The warnings by period, the most severe first within each."""
        return sorted(self.warnings, key=lambda w: (w.period_start, -health.SEVERITY_RANK[w.severity]))

    def warnings_for_week(self, week_start: date) -> list[health.HealthWarning]:
        week_end = week_start + timedelta(days=7)
        return [w for w in self.warnings if week_start <= w.period_start < week_end]

    def is_scheduled(self, week_start: date) -> bool:
        return local_midnight_utc(week_start + timedelta(days=7), self.tz) > self.now


def categorized_occurrences(
    engine: Engine,
    *,
    start_utc: datetime | None = None,
    end_utc: datetime | None = None,
    addresses: tuple[str, ...] | None = None,
    with_attendees: bool | None = None,
) -> pd.DataFrame:
    """Occurrences in the period with their area and day-off mark decided.

    Descriptions are read only when an enabled rule looks at them, and attendee lists only once
    the user's own addresses are set: they are most of the bytes of a long history, and nothing
    else on the hot path needs them. `addresses` are the user's own (default: read from the settings);
    `with_attendees=True` reads the attendee lists even without them (meetings need them).
    """
    if addresses is None:
        try:
            addresses = store.load_settings(engine).my_addresses
        except SettingsError:  # unreadable saved settings: the front-ends say so and offer a reset
            addresses = ()
    rules = store.load_rules(engine)
    wanted = rules["enabled"].astype(bool) & (rules["field"] == "description")
    occurrences = store.load_occurrences(
        engine, start_utc=start_utc, end_utc=end_utc, with_description=bool(wanted.any()), with_cancelled=True,
        with_attendees=bool(addresses) if with_attendees is None else with_attendees,
    )
    placed = categorize.assign_areas(
        occurrences, rules, store.load_sources(engine, with_counts=False), store.load_placements(engine)
    )
    return attendance.assign_attendance(placed, addresses)


def balance(scope: Scope, *, first_day: date, last_day: date) -> Balance:
    """Hours, targets and warnings for the whole weeks that cover [first_day, last_day]."""
    if last_day < first_day:
        raise InvalidValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    settings, tz, now = scope.settings, scope.tz, scope.now
    first_week = week_start_of(first_day, settings.week_starts_on)
    last_week_end = week_start_of(last_day, settings.week_starts_on) + timedelta(days=6)
    # Warnings look back (the rolling average needs its reference period), so compute more.
    history_start = first_week - timedelta(weeks=settings.thresholds.average_weeks)
    occurrences = scope.occurrences_between(
        local_midnight_utc(history_start - timedelta(days=1), tz), local_midnight_utc(last_week_end + timedelta(days=2), tz)
    )
    sleep = (settings.sleep_start, settings.sleep_end) if settings.sleep_enabled else None
    covered = scope.coverage
    coverage = analytics.coverage_spans(covered, tz)
    intervals = analytics.area_intervals(occurrences)  # the hours and the warnings share them
    daily = with_public_holidays(
        analytics.daily_hours(
            occurrences, tz=tz, first_day=history_start, last_day=last_week_end, sleep=sleep, coverage=coverage,
            intervals=intervals,
        ),
        settings,
    )
    weekly = analytics.weekly_hours(daily, week_starts_on=settings.week_starts_on, rest_days=settings.rest_days)
    in_force = health.prorate_targets(targets.targets_for_weeks(scope.targets, pd.DatetimeIndex(weekly.index)), weekly)
    warnings = health.evaluate(
        daily, weekly, intervals, settings=settings, targets=in_force, now=now, tz=tz, occurrences=occurrences
    )
    in_period = weekly.index >= pd.Timestamp(first_week)
    return Balance(
        tz=tz,
        week_starts_on=settings.week_starts_on,
        first_day=first_week,
        last_day=last_week_end,
        daily=daily[daily.index >= pd.Timestamp(first_week)],
        weekly=weekly[in_period],
        targets=in_force,
        warnings=[w for w in warnings if w.period_start >= first_week],
        now=now,
        has_data=not covered.empty,
    )


def with_public_holidays(daily: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """`daily` with the public holidays of the user's country and region made days off (PRODUCT.md
    section 3: days off shape targets), and a `holiday` column; unchanged without a country."""
    if not settings.holiday_country or daily.empty:
        return daily
    days = pd.DatetimeIndex(daily.index)
    found = working_time.public_holidays(
        settings.holiday_country, settings.holiday_subdivision, days[0].date(), days[-1].date()
    )
    holiday = days.isin(found.index)
    return daily.assign(day_off=daily["day_off"].astype(bool) | holiday, holiday=holiday)


def summary_document(
    result: Balance, *, patterns: Callable[[date], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The JSON document of `balance-dash summary --json` (PRODUCT.md section 7).

    `patterns` gives a week's shape figures (`workflows.patterns.summary_patterns`), shown under
    "patterns" in each week.
    """
    weeks = []
    for week_start, row in zip(pd.DatetimeIndex(result.weekly.index), result.weekly.to_dict("records"), strict=True):
        start = week_start.date()
        hours = {column: round(float(row[column]), 2) for column in HOUR_COLUMNS}
        hours["sleep"] = round(float(row["sleep"]), 2)
        hours["assumed_sleep"] = round(float(row["assumed_sleep"]), 2)
        hours["tentative"] = round(float(row["tentative"]), 2)
        weeks.append(
            {
                "week": str(row["iso_week"]),
                "start": start.isoformat(),
                "has_data": bool(row["has_data"]),
                "hours": hours,
                "not_counted": {
                    reason: round(float(row[f"not_counted_{reason}"]), 2) for reason in attendance.NOT_COUNTED_REASONS
                },
                "days_off": int(row["days_off"]),
                "vacation": bool(row["vacation"]),
                "days_marked": _days_marked(row),
                "targets": targets.targets_document(result.targets, start),
                "warnings": [w.to_document() for w in result.warnings_for_week(start)],
                "scheduled": result.is_scheduled(start),
                **({"patterns": patterns(start)} if patterns is not None else {}),
            }
        )
    return {
        "timezone": result.tz.key,
        "week_starts_on": result.week_starts_on,
        "has_data": result.has_data,
        "weeks": weeks,
    }


def _days_marked(row: Mapping[Any, Any]) -> dict[str, int]:
    """A week's marked days: per area the days an all-day event placed in it covers; `off` the days off."""
    marked = {area: int(row[f"{area}_days"]) for area in AREAS}
    marked["off"] = int(row["days_off"])
    return marked


target_gap = targets.gap  # how hours sit against a range: `targets.gap`
