"""The checks behind each warning code (pure; `health.evaluate` runs them).

Each check takes a `Context` and returns a list of `HealthWarning`. Figures are compared after
rounding to 6 decimals, so 48.0000000001 h of float noise is 48 h. The loops below run over
flagged days or weeks (a handful), never over occurrences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.health.catalog import CATALOG, LONG_DAY_HIGH_SOURCE, VIRTANEN_URL, HealthWarning, Severity
from balance_dash.settings import WEEKDAY_NAMES, Settings

_EU = "the EU Working Time Directive"


@dataclass(frozen=True)
class WeekTexts:
    """Per week: first and last day, ISO label ("2024-W40"), and whether it is not over yet."""

    firsts: list[date]
    lasts: list[date]
    labels: list[str]
    not_over: np.ndarray


@dataclass(frozen=True)
class DayTexts:
    """Per day: its date, its name ("Monday 2024-09-30"), and whether it is not over yet."""

    dates: list[date]
    names: list[str]
    not_over: np.ndarray


@dataclass(frozen=True)
class Context:
    daily: pd.DataFrame
    weekly: pd.DataFrame
    intervals: pd.DataFrame
    settings: Settings
    now: datetime
    tz: ZoneInfo

    @property
    def week_starts_on(self) -> Literal["monday", "sunday"]:
        return self.settings.week_starts_on

    def ends_after_now(self, last_days: pd.DatetimeIndex) -> np.ndarray:
        """Per local day: is it not over yet (its end, the next local midnight, after `now`)?"""
        next_midnights = pd.DatetimeIndex(last_days + pd.Timedelta(days=1))
        ends_us = iv.local_instants_us(next_midnights, time(0, 0), self.tz)
        now_us = iv.micros(pd.Series([pd.Timestamp(self.now)]))[0]
        return np.asarray(ends_us > now_us)

    def today(self) -> date:
        return pd.Timestamp(self.now).tz_convert(self.tz).date()

    @cached_property
    def this_week(self) -> date:
        """The first day of the week holding today (for naming planned weeks)."""
        today = pd.DatetimeIndex([pd.Timestamp(self.today())])
        return analytics.week_start_of(today, self.week_starts_on)[0].date()

    @cached_property
    def weeks(self) -> WeekTexts:
        """The weeks of `weekly` as plain values for the messages, worked out once for all checks."""
        starts = pd.DatetimeIndex(self.weekly.index)
        return WeekTexts(
            firsts=dates_of(starts), lasts=dates_of(starts + pd.Timedelta(days=6)),
            labels=self.weekly["iso_week"].astype(str).tolist(),
            not_over=self.ends_after_now(pd.DatetimeIndex(starts + pd.Timedelta(days=6))),
        )

    @cached_property
    def days(self) -> DayTexts:
        """The days of `daily` as plain values for the messages, worked out once for all checks."""
        days = pd.DatetimeIndex(self.daily.index)
        return DayTexts(dates=dates_of(days), names=day_texts(days), not_over=self.ends_after_now(days))

    @cached_property
    def work(self) -> iv.IntervalSet:
        """The union of the work intervals, worked out once for all the checks that need it."""
        return analytics.interval_set(self.intervals, ("work",))


def hours_text(hours: float) -> str:
    return f"{round(float(hours), 1):g}"


def day_texts(days: pd.DatetimeIndex) -> list[str]:
    """Each day as the messages name it ("Monday 2024-09-30"): one numpy pass, not one Timestamp per day."""
    iso = np.datetime_as_string(np.asarray(days.to_numpy(), dtype="datetime64[D]"), unit="D")
    names = np.asarray(WEEKDAY_NAMES, dtype=object)[np.asarray(days.day_of_week)]
    return [f"{name} {text}" for name, text in zip(names, iso, strict=True)]


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def as_days(dates: list[date]) -> npt.NDArray[np.datetime64]:
    """`datetime.date`s as a `datetime64[D]` array (by ordinal: numpy converts date objects slowly)."""
    ordinals = np.fromiter((day.toordinal() for day in dates), dtype=np.int64, count=len(dates))
    return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")


def dates_of(days: pd.DatetimeIndex) -> list[date]:
    """The calendar date of each naive day (its midnight), as `datetime.date`."""
    return list(days.date)


def week_name(ctx: Context, week_start: date, iso_week: str, scheduled: bool) -> str:
    """'Week 2024-W40', or for a week not over yet 'This week (…)', 'Next week (…)', 'Week … (scheduled)'."""
    if not scheduled:
        return f"Week {iso_week}"
    start = week_start.date() if isinstance(week_start, datetime) else week_start
    if start == ctx.this_week:
        return f"This week ({iso_week})"
    if start == ctx.this_week + timedelta(days=7):
        return f"Next week ({iso_week})"
    return f"Week {iso_week} (scheduled)"


def week_subject(ctx: Context, week_start: date, iso_week: str, scheduled: bool) -> str:
    """'Week 2024-W40:' for a past week, 'Next week (2024-W41) already holds' for a planned one."""
    name = week_name(ctx, week_start, iso_week, scheduled)
    return f"{name} already holds" if scheduled else f"{name}:"


def day_subject(day_text: str, scheduled: bool) -> str:
    """'Monday 2024-09-30:' for a past day, 'Monday 2024-09-30 (scheduled) already holds' for a planned one."""
    return f"{day_text} (scheduled) already holds" if scheduled else f"{day_text}:"


def make_warning(
    code: str, message: str, start: date, end: date, figure: float, threshold: float,
    scheduled: bool, *, severity: Severity | None = None, source: str | None = None, url: str | None = None,
) -> HealthWarning:
    """A warning of `code` with the catalog's severity, source and link unless given.

    `start`/`end` are days: a `pd.Timestamp` (its date) or a `datetime.date`.
    """
    spec = CATALOG[code]
    return HealthWarning(
        code=code,
        severity=severity or spec.severity,
        message=message,
        source=spec.source if source is None else source,
        url=spec.url if url is None else url,
        period_start=start.date() if isinstance(start, datetime) else start,
        period_end=end.date() if isinstance(end, datetime) else end,
        figure=round(float(figure), 2),
        threshold=float(threshold),
        scheduled=bool(scheduled),
    )


def rounded(values: pd.Series) -> pd.Series:
    return values.astype(float).round(6)


def check_week_hours(ctx: Context) -> list[HealthWarning]:
    """week_55h (high) and week_over_48h (caution); a week gets only the higher of the two."""
    limits = ctx.settings.thresholds
    work = rounded(ctx.weekly["work"])
    weeks, hours = ctx.weeks, work.tolist()
    warnings = []
    for i in np.flatnonzero((work > limits.week_caution_hours) | (work >= limits.week_high_hours)).tolist():
        figure, scheduled = hours[i], bool(weeks.not_over[i])
        subject = week_subject(ctx, weeks.firsts[i], weeks.labels[i], scheduled)
        if figure >= limits.week_high_hours:
            code, threshold = "week_55h", limits.week_high_hours
            message = (
                f"{subject} {hours_text(figure)} h of work, at or above {hours_text(threshold)} h, "
                "where WHO/ILO found a 35 % higher risk of stroke and a 17 % higher risk of dying from "
                "ischaemic heart disease than at 35-40 h"
            )
        else:
            code, threshold = "week_over_48h", limits.week_caution_hours
            message = f"{subject} {hours_text(figure)} h of work, above the {hours_text(threshold)} h limit of {_EU}"
        warnings.append(make_warning(code, message, weeks.firsts[i], weeks.lasts[i], figure, threshold, scheduled))
    return warnings


def check_long_days(ctx: Context) -> list[HealthWarning]:
    """long_day: caution above `day_caution_hours`, high at or above `day_high_hours`."""
    limits = ctx.settings.thresholds
    work = rounded(ctx.daily["work"])
    days, hours = ctx.days, work.tolist()
    warnings = []
    for i in np.flatnonzero((work > limits.day_caution_hours) | (work >= limits.day_high_hours)).tolist():
        day, figure, scheduled = days.dates[i], hours[i], bool(days.not_over[i])
        subject = day_subject(days.names[i], scheduled)
        if figure >= limits.day_high_hours:
            message = (
                f"{subject} {hours_text(figure)} h of work, at or above {hours_text(limits.day_high_hours)} h "
                "(Virtanen et al. 2012: 2.43 times the odds of a major depressive episode)"
            )
            warnings.append(
                make_warning("long_day", message, day, day, figure, limits.day_high_hours, scheduled,
                             severity="high", source=LONG_DAY_HIGH_SOURCE, url=VIRTANEN_URL)
            )
        else:
            message = (
                f"{subject} {hours_text(figure)} h of work, above the {hours_text(limits.day_caution_hours)} h "
                "daily cap of the German Working Hours Act (ArbZG section 3)"
            )
            warnings.append(make_warning("long_day", message, day, day, figure, limits.day_caution_hours, scheduled))
    return warnings


def check_average_week(ctx: Context) -> list[HealthWarning]:
    """avg_over_48h: the rolling average of weekly work over the reference period."""
    limits = ctx.settings.thresholds
    span = limits.average_weeks
    average = rounded(ctx.weekly["work"].rolling(span, min_periods=span).mean())
    weeks, averages = ctx.weeks, average.tolist()
    warnings = []
    for i in np.flatnonzero((average > limits.week_caution_hours).to_numpy()).tolist():
        first = i - span + 1
        verb = " (scheduled) already hold" if weeks.not_over[i] else ":"
        message = (
            f"The {span} weeks {weeks.labels[first]} to {weeks.labels[i]}{verb} {hours_text(averages[i])} h of "
            f"work a week on average, above the {hours_text(limits.week_caution_hours)} h average of {_EU}"
        )
        warnings.append(
            make_warning("avg_over_48h", message, weeks.firsts[first], weeks.lasts[i], averages[i],
                         limits.week_caution_hours, weeks.not_over[i])
        )
    return warnings
