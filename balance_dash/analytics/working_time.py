"""The working-time account: hours worked against contract hours, day by day and per period (pure).

A contract gives hours per weekday (Monday first) and is in force from its date until a later one
replaces it, like the targets. Each day with data and a contract is *due* its weekday's hours,
except a day off or a public holiday, which is due nothing (the contract's hours are credited, so
a holiday neither adds to nor takes from the balance). Work on such a day is all over the
contract. Days before the first contract, and days no calendar or log covers, are not in the
account at all.

Frames returned here:

- `daily_account(...)`: index `day`; contract_hours (the weekday's hours in force, NaN without a
  contract), due_hours, worked_hours, balance_hours (worked - due), holiday (bool), day_off
  (bool), in_account (bool).
- `account_by(daily, period)`: per week, month, quarter or year: due_hours, worked_hours,
  balance_hours, days_off, holidays and running_balance_hours (the balance since the account
  began, at the period's end).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from balance_dash import analytics

Period = Literal["week", "month", "quarter", "year"]
PERIODS: tuple[Period, ...] = ("week", "month", "quarter", "year")
ACCOUNT_COLUMNS: tuple[str, ...] = (
    "due_hours", "worked_hours", "balance_hours", "days_off", "holidays", "running_balance_hours",
)


def contract_hours_per_day(contracts: pd.DataFrame, days: pd.DatetimeIndex) -> npt.NDArray[np.float64]:
    """The hours each day's weekday is due under the contract in force that day (NaN before the first)."""
    if contracts.empty or not len(days):
        return np.full(len(days), np.nan)
    ordered = contracts.sort_values("effective_from")
    starts = pd.DatetimeIndex(pd.to_datetime(ordered["effective_from"])).as_unit("s")
    table = np.array([list(hours) for hours in ordered["weekday_hours"]], dtype=np.float64)
    index = np.searchsorted(starts.asi8, days.as_unit("s").asi8, side="right") - 1
    weekday = np.asarray(days.day_of_week)
    return np.where(index >= 0, table[np.clip(index, 0, None), weekday], np.nan)


def public_holidays(country: str | None, subdivision: str | None, first_day: date, last_day: date) -> pd.Series:
    """The public holidays of a country (and region) in [first_day, last_day]: day -> name.

    Read offline from the `holidays` package; empty without a country.
    """
    if not country or last_day < first_day:
        return pd.Series([], index=pd.DatetimeIndex([], name="day"), dtype=object)
    import holidays  # only when a country is set: the catalogue takes a moment to load

    found = holidays.country_holidays(country, subdiv=subdivision or None, years=range(first_day.year, last_day.year + 1))
    days = sorted(day for day in found if first_day <= day <= last_day)
    return pd.Series([found.get(day) for day in days], index=pd.DatetimeIndex(days, name="day").as_unit("s"),
                     dtype=object)


def daily_account(
    worked: pd.Series,
    contract_hours: npt.NDArray[np.float64],
    *,
    days_off: npt.NDArray[np.bool_],
    holidays: npt.NDArray[np.bool_],
    has_data: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    """Per day: what the contract asks, what was worked, and the difference (see the module docstring).

    `worked` holds the work hours per local day (index `day`); the arrays line up with it.
    """
    in_account = ~np.isnan(contract_hours) & np.asarray(has_data, dtype=bool)
    free = np.asarray(days_off, dtype=bool) | np.asarray(holidays, dtype=bool)
    due = np.where(in_account & ~free, np.nan_to_num(contract_hours), 0.0)
    hours = np.where(in_account, worked.to_numpy(dtype=np.float64), 0.0)
    return pd.DataFrame(
        {
            "contract_hours": contract_hours,
            "due_hours": due,
            "worked_hours": hours,
            "balance_hours": np.round(hours - due, 9),
            "holiday": np.asarray(holidays, dtype=bool) & in_account,
            "day_off": np.asarray(days_off, dtype=bool) & in_account,
            "in_account": in_account,
        },
        index=worked.index,
    )


def _period_starts(days: pd.DatetimeIndex, period: Period, week_starts_on: Literal["monday", "sunday"]) -> pd.DatetimeIndex:
    if period == "week":
        return analytics.week_start_of(days, week_starts_on)
    frequency = {"month": "M", "quarter": "Q", "year": "Y"}[period]
    return pd.DatetimeIndex(days.to_period(frequency).start_time).as_unit("s")


def account_by(
    daily: pd.DataFrame, period: Period, *, week_starts_on: Literal["monday", "sunday"] = "monday"
) -> pd.DataFrame:
    """`daily_account` summed per period (index: the period's first day), with the running balance."""
    starts = _period_starts(pd.DatetimeIndex(daily.index), period, week_starts_on)
    grouped = daily.groupby(starts)
    frame = pd.DataFrame(
        {
            "due_hours": grouped["due_hours"].sum(),
            "worked_hours": grouped["worked_hours"].sum(),
            "balance_hours": grouped["balance_hours"].sum().round(9),
            "days_off": grouped["day_off"].sum().astype("int64"),
            "holidays": grouped["holiday"].sum().astype("int64"),
            "in_account": grouped["in_account"].any(),
        }
    )
    frame["running_balance_hours"] = frame["balance_hours"].cumsum().round(9)
    frame.index = pd.DatetimeIndex(frame.index, name="start").as_unit("s")
    return frame
