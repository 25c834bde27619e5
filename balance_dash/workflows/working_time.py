"""The working-time account: hours worked against contract hours, with public holidays and days off
(This week, the weekly review, `balance-dash patterns` and `balance-dash contract`).

Orchestration only: contracts through `store`, work hours and days off from `analytics` (or
from a `Balance` that covers the period), the account from the pure `analytics.working_time`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import analytics, store
from balance_dash.analytics import working_time as account
from balance_dash.health import HealthWarning
from balance_dash.workflows.balance import Balance, with_public_holidays
from balance_dash.workflows.common import local_midnight_utc, week_start_of
from balance_dash.workflows.scope import Scope

CAP_CODE = "working_time_over_cap"
CAP_SOURCE = "Your own cap on hours over your contract (setting working_time_cap_hours)"


@dataclass(frozen=True)
class WorkingTime:
    """The account from the first contract day to the end of a period (empty without a contract)."""

    tz: ZoneInfo
    week_starts_on: str
    contracts: pd.DataFrame
    daily: pd.DataFrame  # `analytics.working_time.daily_account`, from the first contract day
    holidays: pd.Series  # day -> name, in the account's days
    cap_hours: float | None
    now: datetime
    warnings: list[HealthWarning] = field(default_factory=list)

    @property
    def has_contract(self) -> bool:
        return not self.contracts.empty

    def by(self, period: account.Period) -> pd.DataFrame:
        return account.account_by(self.daily, period, week_starts_on="sunday" if self.week_starts_on == "sunday" else "monday")

    def week(self, week_start: date) -> dict[str, float] | None:
        """One week's contract hours, worked hours, balance and the running balance at its end."""
        weekly = self.by("week")
        stamp = pd.Timestamp(week_start)
        if stamp not in weekly.index or not bool(weekly["in_account"].get(stamp, False)):
            return None
        row = weekly.iloc[int(weekly.index.get_loc(stamp))]  # type: ignore[arg-type]  # a unique index gives an int
        return {
            "contract_hours": round(float(row["due_hours"]), 2),
            "worked_hours": round(float(row["worked_hours"]), 2),
            "balance_hours": round(float(row["balance_hours"]), 2),
            "running_balance_hours": round(float(row["running_balance_hours"]), 2),
            "days_off": int(row["days_off"]),
            "holidays": int(row["holidays"]),
        }

    def holidays_in(self, first_day: date, last_day: date) -> pd.Series:
        return self.holidays[(self.holidays.index >= pd.Timestamp(first_day)) & (self.holidays.index <= pd.Timestamp(last_day))]


def working_time(scope: Scope, *, last_day: date, balance: Balance | None = None) -> WorkingTime:
    """The working-time account from the first contract day to the end of the week of `last_day`.

    Days after today are not in the account (they are planned, not worked), nor are days no
    calendar or log covers.
    """
    settings, tz = scope.settings, scope.tz
    contracts = store.load_contracts(scope.engine)
    empty = pd.Series([], index=pd.DatetimeIndex([], name="day"), dtype=object)
    if contracts.empty:
        return WorkingTime(tz=tz, week_starts_on=settings.week_starts_on, contracts=contracts,
                           daily=account.daily_account(pd.Series([], index=pd.DatetimeIndex([], name="day"),
                                                                 dtype="float64"), np.zeros(0), days_off=np.zeros(0, bool),
                                                       holidays=np.zeros(0, bool), has_data=np.zeros(0, bool)),
                           holidays=empty, cap_hours=settings.working_time_cap_hours, now=scope.now)
    first_day = week_start_of(min(contracts["effective_from"]), settings.week_starts_on)
    last_day = week_start_of(last_day, settings.week_starts_on) + timedelta(days=6)
    if balance is not None and balance.first_day <= first_day and last_day <= balance.last_day:
        daily = balance.daily[(balance.daily.index >= pd.Timestamp(first_day)) & (balance.daily.index <= pd.Timestamp(last_day))]
    else:
        occ = scope.occurrences_between(
            local_midnight_utc(first_day - timedelta(days=1), tz), local_midnight_utc(last_day + timedelta(days=2), tz)
        )
        daily = with_public_holidays(
            analytics.daily_hours(occ, tz=tz, first_day=first_day, last_day=last_day, sleep=None,
                                  coverage=analytics.coverage_spans(scope.coverage, tz)),
            settings,
        )
    days = pd.DatetimeIndex(daily.index)
    holiday = daily["holiday"].to_numpy(dtype=bool) if "holiday" in daily else np.zeros(len(days), dtype=bool)
    result = account.daily_account(
        daily["work"], account.contract_hours_per_day(contracts, days),
        days_off=daily["day_off"].to_numpy(dtype=bool) & ~holiday, holidays=holiday,
        # Only the days lived so far: the calendar's plan for the rest of the week is not worked yet.
        has_data=daily["has_data"].to_numpy(dtype=bool) & np.asarray(days <= pd.Timestamp(scope.today)),
    )
    names = account.public_holidays(settings.holiday_country, settings.holiday_subdivision, first_day, last_day)
    made = WorkingTime(tz=tz, week_starts_on=settings.week_starts_on, contracts=contracts, daily=result,
                       holidays=names, cap_hours=settings.working_time_cap_hours, now=scope.now)
    return WorkingTime(**{**made.__dict__, "warnings": _cap_warnings(made)})


def _cap_warnings(result: WorkingTime) -> list[HealthWarning]:
    """A boundary warning for each week whose running balance ends above the cap."""
    cap = result.cap_hours
    if cap is None:
        return []
    weekly = result.by("week")
    over = weekly[weekly["in_account"] & (weekly["running_balance_hours"] > cap)]
    found = []
    for start, row in over.iterrows():
        first = pd.Timestamp(start).date()  # type: ignore[arg-type]  # the index holds timestamps
        end = first + timedelta(days=6)
        running = float(row["running_balance_hours"])
        found.append(HealthWarning(
            code=CAP_CODE, severity="boundary",
            message=f"By the end of the week of {first:%d %b %Y} you had worked {running:.1f} h more than your "
                    f"contract, past your cap of {cap:g} h",
            source=CAP_SOURCE, url="", period_start=first, period_end=end, figure=round(running, 2), threshold=cap,
            scheduled=local_midnight_utc(end + timedelta(days=1), result.tz) > result.now,
        ))
    return found


def set_contract(engine: Engine, weekday_hours: Sequence[float], *, effective_from: date) -> None:
    """Contract hours per weekday (Monday first) from `effective_from` on."""
    store.save_contract(engine, weekday_hours=weekday_hours, effective_from=effective_from)


def parse_contract(text: str) -> tuple[float, ...]:
    """"8,8,8,8,8,0,0" (or with spaces or semicolons) -> seven hours; InvalidValueError otherwise."""
    from balance_dash.errors import InvalidValueError

    parts = [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]
    try:
        hours = tuple(float(part) for part in parts)
    except ValueError as exc:
        raise InvalidValueError(f"{text!r} is not a list of hours", hint="Write seven numbers, like 8,8,8,8,8,0,0.") from exc
    store.contract_text(hours)  # checks the count and the range
    return hours
