"""The shape of the time of a period: meetings, focus, chunks and series cost (`balance-dash patterns`,
the "Time shape" section of This week and the Meetings view of Trends).

Orchestration only: occurrences through `categorized_occurrences` (attendance decided), the
figures from the pure `meetings` and `time_shape` modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import meetings as meeting_figures
from balance_dash.analytics import time_shape
from balance_dash.errors import InvalidValueError
from balance_dash.workflows.balance import Balance, categorized_occurrences
from balance_dash.workflows.common import local_midnight_utc, week_start_of
from balance_dash.workflows.scope import Scope
from balance_dash.workflows.working_time import WorkingTime

# How far ahead the next meeting of a series is looked for.
NEXT_MEETING_DAYS = 366
PEOPLE_SHOWN = 20
# The figures `summary --json` shows per week under "patterns" (PRODUCT.md section 7).
SUMMARY_FIGURES: tuple[str, ...] = (
    "meeting_hours", "focus_hours", "fragmented_hours", "back_to_back", "longest_personal_block_hours",
    "longest_family_block_hours",
)


@dataclass(frozen=True)
class Patterns:
    """The shape figures of the whole weeks that cover a period (see `time_shape`, `meetings`)."""

    tz: ZoneInfo
    week_starts_on: str
    first_day: date  # the first day of the first week
    last_day: date  # the last day of the last week
    now: datetime
    daily: pd.DataFrame
    weekly: pd.DataFrame
    meetings: pd.DataFrame  # the meetings that start in the period
    series: pd.DataFrame
    people: pd.DataFrame  # empty when the user hides it
    hide_people: bool

    def week(self, week_start: date) -> pd.Series:
        position = self.weekly.index.get_loc(pd.Timestamp(week_start))
        return self.weekly.iloc[int(position)]  # type: ignore[arg-type]  # a unique index gives an int

    def is_scheduled(self, week_start: date) -> bool:
        return local_midnight_utc(week_start + timedelta(days=7), self.tz) > self.now

    def series_occurrences(self, series_key: str) -> pd.DataFrame:
        """The occurrences of one series in the period, oldest first (what a click on a series shows)."""
        return meeting_figures.occurrences_of_series(self.meetings, series_key, tz=self.tz)

    def week_meetings(self, week_start: date) -> pd.DataFrame:
        """The meetings that start in one week, with local times (the drill-down of the meeting figures)."""
        weeks = meeting_figures.local_week_of(self.meetings["start_utc"], self.tz, self.week_starts_on)
        rows = self.meetings[np.asarray(weeks == pd.Timestamp(week_start))]
        return pd.DataFrame(
            {
                "start": rows["start_utc"].dt.tz_convert(self.tz).dt.tz_localize(None),
                "end": rows["end_utc"].dt.tz_convert(self.tz).dt.tz_localize(None),
                "hours": rows["hours"].round(2),
                "title": rows["title"],
                "organized by": rows["organized"].map({"me": "you", "others": "someone else"}).fillna("unknown"),
            }
        ).reset_index(drop=True)


def patterns(
    scope: Scope,
    *,
    first_day: date,
    last_day: date,
    balance: Balance | None = None,
    occurrences: pd.DataFrame | None = None,
) -> Patterns:
    """Meetings, focus, fragmented and chunked time for the whole weeks covering [first_day, last_day].

    Days off and days without data have no working hours. `balance` (of at least that period)
    lends its days; without it they are computed here. `occurrences` are the categorized
    occurrences the caller has read already (the dashboard's); they hold attendee lists only
    when the user's addresses are set, so without those the patterns read their own.
    """
    if last_day < first_day:
        raise InvalidValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    settings, tz = scope.settings, scope.tz
    first_week = week_start_of(first_day, settings.week_starts_on)
    last_week_end = week_start_of(last_day, settings.week_starts_on) + timedelta(days=6)
    read_until = max(last_week_end, scope.today + timedelta(days=NEXT_MEETING_DAYS))
    start_utc = local_midnight_utc(first_week - timedelta(days=1), tz)
    end_utc = local_midnight_utc(read_until + timedelta(days=2), tz)
    if settings.my_addresses and occurrences is not None:
        occ = occurrences
    elif settings.my_addresses:  # the scope reads attendee lists: share what it has read
        occ = scope.occurrences_between(start_utc, end_utc)
    else:
        occ = categorized_occurrences(
            scope.engine, start_utc=start_utc, end_utc=end_utc, addresses=(), with_attendees=True
        )
    found = meeting_figures.meeting_rows(occ, settings.my_addresses)
    runs = meeting_figures.meeting_runs(found, settings.back_to_back_minutes)
    daily = time_shape.daily_shape(
        occ, found, runs, tz=tz, first_day=first_week, last_day=last_week_end,
        workday_start=settings.workday_start, workday_end=settings.disconnect_time, rest_days=settings.rest_days,
        focus_block_hours=settings.focus_block_hours, chunk_hours=settings.chunk_hours,
        days_off=_days_off(scope, occ, balance, first_day=first_week, last_day=last_week_end),
    )
    weekly = time_shape.weekly_shape(daily, week_starts_on=settings.week_starts_on)
    weekly = weekly.assign(iso_week=analytics.iso_week_label(pd.DatetimeIndex(weekly.index), settings.week_starts_on))
    local_day = found["start_utc"].dt.tz_convert(tz).dt.tz_localize(None)
    in_period = (local_day >= pd.Timestamp(first_week)) & (local_day < pd.Timestamp(last_week_end + timedelta(days=1)))
    series = meeting_figures.series_cost(
        found, tz=tz, first_day=first_week, last_day=last_week_end, now=scope.now,
        week_starts_on=settings.week_starts_on,
    )
    period_meetings = found[in_period]
    people = (
        meeting_figures.people_hours(period_meetings.iloc[:0]) if settings.hide_people
        else meeting_figures.people_hours(period_meetings, limit=PEOPLE_SHOWN)
    )
    return Patterns(
        tz=tz, week_starts_on=settings.week_starts_on, first_day=first_week, last_day=last_week_end, now=scope.now,
        daily=daily, weekly=weekly, meetings=period_meetings, series=series, people=people,
        hide_people=settings.hide_people,
    )


def _days_off(
    scope: Scope, occ: pd.DataFrame, balance: Balance | None, *, first_day: date, last_day: date
) -> np.ndarray:
    """Per day of the period: a day off, or a day no calendar or log covers (neither has working hours)."""
    days = pd.date_range(first_day, last_day, freq="D").as_unit("s")
    if balance is not None and first_day >= balance.first_day and last_day <= balance.last_day:
        daily = balance.daily
    else:
        daily = analytics.daily_hours(
            occ, tz=scope.tz, first_day=first_day, last_day=last_day, sleep=None,
            coverage=analytics.coverage_spans(scope.coverage, scope.tz),
        )
    off = daily["day_off"].astype(bool) | ~daily["has_data"].astype(bool)
    return np.asarray(off.reindex(days, fill_value=True), dtype=bool)


def _round(value: Any) -> float:
    return round(float(value), 2)


def week_document(row: pd.Series) -> dict[str, Any]:
    """One week's figures as JSON-ready values (hours rounded to 0.01, shares to 0.001)."""
    return {
        "meeting_hours": _round(row["meeting_hours"]),
        "meeting_share": round(float(row["meeting_share"]), 3),
        "meetings": int(row["meetings"]),
        "meetings_organized_by_me": int(row["meetings_by_me"]),
        "meetings_organized_by_others": int(row["meetings_by_others"]),
        "meeting_hours_outside_working_hours": _round(row["meeting_hours_outside"]),
        "back_to_back": int(row["back_to_back"]),
        "longest_back_to_back_meetings": int(row["longest_run_meetings"]),
        "longest_back_to_back_hours": _round(row["longest_run_hours"]),
        "working_hours": _round(row["working_hours"]),
        "focus_hours": _round(row["focus_hours"]),
        "fragmented_hours": _round(row["fragmented_hours"]),
        "workday_span_hours_mean": _round(row["span_hours_mean"]),
        "workday_span_hours_max": _round(row["span_hours_max"]),
        "longest_family_block_hours": _round(row["family_longest_block_hours"]),
        "family_chunk_share": round(float(row["family_chunk_share"]), 3),
        "longest_personal_block_hours": _round(row["personal_longest_block_hours"]),
        "personal_chunk_share": round(float(row["personal_chunk_share"]), 3),
        "priority_matrix_hours": {
            "important_urgent": _round(row["matrix_do_hours"]),
            "important_not_urgent": _round(row["matrix_schedule_hours"]),
            "urgent_not_important": _round(row["matrix_delegate_hours"]),
            "neither": _round(row["matrix_drop_hours"]),
        },
        "urgent_not_important_work_share": round(float(row["urgent_not_important_share"]), 3),
    }


def account_document(account: WorkingTime | None, week_start: date) -> dict[str, Any]:
    """A week's contract hours and balance (the running balance at its end); None without a contract."""
    figures = account.week(week_start) if account is not None else None
    return {
        "contract_hours": figures["contract_hours"] if figures else None,
        "balance_hours": figures["running_balance_hours"] if figures else None,
        "week_balance_hours": figures["balance_hours"] if figures else None,
    }


def patterns_document(result: Patterns, account: WorkingTime | None = None) -> dict[str, Any]:
    """The JSON document of `balance-dash patterns --json`: weeks, series and (unless hidden) people.

    With `account`, each week also holds its contract hours and the working-time balance.
    """
    weeks = []
    for week_start, row in result.weekly.iterrows():
        start = pd.Timestamp(week_start).date()  # type: ignore[arg-type]  # the index holds timestamps
        weeks.append(
            {"week": str(row["iso_week"]), "start": start.isoformat(), "scheduled": result.is_scheduled(start),
             **week_document(row), **account_document(account, start)}
        )
    document: dict[str, Any] = {
        "timezone": result.tz.key,
        "week_starts_on": result.week_starts_on,
        "first_day": result.first_day.isoformat(),
        "last_day": result.last_day.isoformat(),
        "weeks": weeks,
        "series": [
            {
                "title": str(row["title"]),
                "occurrences": int(row["occurrences"]),
                "hours": _round(row["hours"]),
                "hours_per_week": _round(row["hours_per_week"]),
                "next": None if pd.isna(row["next_start_utc"])
                else pd.Timestamp(row["next_start_utc"]).tz_convert(result.tz).isoformat(),
            }
            for row in result.series.to_dict("records")
        ],
    }
    if not result.hide_people:
        document["people"] = [
            {"person": str(row["person"]), "hours": _round(row["hours"]), "meetings": int(row["meetings"])}
            for row in result.people.to_dict("records")
        ]
    return document


def summary_patterns(result: Patterns, week_start: date, account: WorkingTime | None = None) -> dict[str, Any]:
    """The figures `summary --json` shows for one week under "patterns"."""
    if pd.Timestamp(week_start) not in result.weekly.index:
        return {}
    figures = week_document(result.week(week_start))
    contract = account_document(account, week_start)
    return {**{name: figures[name] for name in SUMMARY_FIGURES},
            "contract_hours": contract["contract_hours"], "balance_hours": contract["balance_hours"]}
