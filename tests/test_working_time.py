"""The working-time account: contract hours, public holidays of a region, days off, the running balance."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from balance_dash import store, workflows
from balance_dash.analytics import working_time as account
from balance_dash.errors import InvalidValueError
from balance_dash.settings import Settings
from balance_dash.workflows import working_time as workflow
from balance_dash.workflows.scope import Scope
from tests.support.cli import run_cli

BERLIN = "Europe/Berlin"
# The week of Corpus Christi 2026 (Thursday 4 June): a public holiday in Bavaria, not in Berlin.
CORPUS_CHRISTI_WEEK = date(2026, 6, 1)
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
FULL_TIME = (8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)


def days(first: str, count: int) -> pd.DatetimeIndex:
    return pd.date_range(first, periods=count, freq="D", name="day").as_unit("s")


@pytest.mark.parametrize(
    ("contracts", "expected"),
    [
        ([], [np.nan] * 7),
        ([(date(2026, 6, 1), FULL_TIME)], [8, 8, 8, 8, 8, 0, 0]),
        ([(date(2026, 6, 3), FULL_TIME)], [np.nan, np.nan, 8, 8, 8, 0, 0]),
        # Part time from Thursday on: the later contract replaces the earlier one.
        ([(date(2026, 5, 1), FULL_TIME), (date(2026, 6, 4), (6, 6, 6, 6, 0, 0, 0))], [8, 8, 8, 6, 0, 0, 0]),
    ],
)
def test_contract_hours_follow_the_contract_in_force(contracts, expected) -> None:
    frame = pd.DataFrame({"effective_from": [c[0] for c in contracts], "weekday_hours": [c[1] for c in contracts]})
    found = account.contract_hours_per_day(frame, days("2026-06-01", 7))
    np.testing.assert_array_equal(found, np.array(expected, dtype=float))


def test_a_holiday_in_a_chosen_region() -> None:
    bavaria = account.public_holidays("DE", "BY", date(2026, 6, 1), date(2026, 6, 7))
    berlin = account.public_holidays("DE", "BE", date(2026, 6, 1), date(2026, 6, 7))
    assert bavaria.to_dict() == {pd.Timestamp("2026-06-04"): "Corpus Christi"}
    assert berlin.empty
    assert account.public_holidays(None, None, date(2026, 1, 1), date(2026, 12, 31)).empty


def test_days_off_and_holidays_are_due_nothing_and_work_on_them_is_over() -> None:
    worked = pd.Series([8, 9, 0, 0, 2, 3, 0], index=days("2026-06-01", 7), dtype="float64")
    contract = np.array([8, 8, 8, 8, 8, 0, 0], dtype=float)
    daily = account.daily_account(
        worked, contract,
        days_off=np.array([0, 0, 1, 0, 0, 0, 0], dtype=bool),  # Wednesday: vacation
        holidays=np.array([0, 0, 0, 1, 0, 0, 0], dtype=bool),  # Thursday: a public holiday
        has_data=np.ones(7, dtype=bool),
    )
    assert daily["due_hours"].tolist() == [8, 8, 0, 0, 8, 0, 0]
    assert daily["balance_hours"].tolist() == [0, 1, 0, 0, -6, 3, 0]
    week = account.account_by(daily, "week").iloc[0]
    assert (week["due_hours"], week["worked_hours"], week["balance_hours"]) == (24, 22, -2)
    assert (week["days_off"], week["holidays"]) == (1, 1)


def test_days_without_data_or_contract_are_out_of_the_account() -> None:
    worked = pd.Series([8.0] * 4, index=days("2026-06-01", 4))
    daily = account.daily_account(
        worked, np.array([np.nan, 8, 8, 8]), days_off=np.zeros(4, bool), holidays=np.zeros(4, bool),
        has_data=np.array([True, True, False, True]),
    )
    assert daily["in_account"].tolist() == [False, True, False, True]
    assert daily["worked_hours"].sum() == 16 and daily["balance_hours"].sum() == 0


@pytest.mark.parametrize(
    ("period", "starts", "balances", "running"),
    [
        ("week", ["2026-06-01", "2026-06-08", "2026-06-15"], [5.0, -2.0, 1.0], [5.0, 3.0, 4.0]),
        ("month", ["2026-06-01"], [4.0], [4.0]),
        ("quarter", ["2026-04-01"], [4.0], [4.0]),
        ("year", ["2026-01-01"], [4.0], [4.0]),
    ],
)
def test_the_running_balance_per_period(period, starts, balances, running) -> None:
    index = days("2026-06-01", 21)
    balance = np.zeros(21)
    balance[[0, 7, 14]] = [5.0, -2.0, 1.0]
    daily = pd.DataFrame({"due_hours": 8.0, "worked_hours": 8.0 + balance, "balance_hours": balance,
                          "day_off": False, "holiday": False, "in_account": True}, index=index)
    found = account.account_by(daily, period)
    assert [d.date().isoformat() for d in found.index] == starts
    assert found["balance_hours"].tolist() == balances
    assert found["running_balance_hours"].tolist() == running


def seeded(url: str, *, country: str | None, region: str | None, cap: float | None = None) -> Scope:
    """A week of 8 h work days, Monday to Friday, but none on Thursday 4 June 2026 (an hour at the gym)."""
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=BERLIN, holiday_country=country, holiday_subdivision=region,
                                         working_time_cap_hours=cap))
    for day in (1, 2, 3, 5):
        workflows.log_time(
            engine, start=datetime(2026, 6, day, 7, 0, tzinfo=UTC), end=datetime(2026, 6, day, 15, 0, tzinfo=UTC),
            area="work", note="Work", tz=ZoneInfo(BERLIN),
        )
    # Thursday holds data (a logged evening), so it is judged: without data a day is out of the account.
    workflows.log_time(engine, start=datetime(2026, 6, 4, 16, 0, tzinfo=UTC), end=datetime(2026, 6, 4, 17, 0, tzinfo=UTC),
                       area="personal", note="Gym", tz=ZoneInfo(BERLIN))
    workflow.set_contract(engine, FULL_TIME, effective_from=CORPUS_CHRISTI_WEEK)
    return Scope.of(engine, now=NOW)


@pytest.mark.parametrize(("region", "contract", "balance"), [("BY", 32.0, 0.0), ("BE", 40.0, -8.0)])
def test_the_holiday_of_the_chosen_region_is_a_day_off(sqlite_url, region, contract, balance) -> None:
    scope = seeded(sqlite_url, country="DE", region=region)
    week = workflow.working_time(scope, last_day=CORPUS_CHRISTI_WEEK).week(CORPUS_CHRISTI_WEEK)
    assert week is not None
    assert (week["contract_hours"], week["worked_hours"], week["balance_hours"]) == (contract, 32.0, balance)
    # The holiday is a day off for the targets as well: the work target of that week is pro rata.
    result = workflows.balance(Scope.of(scope.engine, now=NOW), first_day=CORPUS_CHRISTI_WEEK,
                               last_day=CORPUS_CHRISTI_WEEK)
    assert int(result.week(CORPUS_CHRISTI_WEEK)["days_off"]) == (1 if region == "BY" else 0)
    scope.engine.dispose()


def test_the_cap_warns_when_the_balance_passes_it(sqlite_url) -> None:
    scope = seeded(sqlite_url, country=None, region=None, cap=0.0)
    workflows.log_time(scope.engine, start=datetime(2026, 6, 4, 7, 0, tzinfo=UTC),
                       end=datetime(2026, 6, 4, 17, 0, tzinfo=UTC), area="work", note="Long Thursday", tz=ZoneInfo(BERLIN))
    result = workflow.working_time(Scope.of(scope.engine, now=NOW), last_day=date(2026, 6, 10))
    [warning] = result.warnings
    assert warning.code == "working_time_over_cap" and warning.severity == "boundary"
    assert (warning.figure, warning.threshold) == (2.0, 0.0)  # 42 h against 40
    assert "past your cap of 0 h" in warning.message
    scope.engine.dispose()


def test_no_contract_no_account(sqlite_url) -> None:
    engine = store.open_engine(sqlite_url)
    result = workflow.working_time(Scope.of(engine, now=NOW), last_day=date(2026, 6, 10))
    assert not result.has_contract and result.week(CORPUS_CHRISTI_WEEK) is None and not result.warnings
    engine.dispose()


@pytest.mark.parametrize("text", ["8,8,8", "8,8,8,8,8,0,x", "8,8,8,8,8,0,25"])
def test_a_contract_must_be_seven_hours_a_day_or_less(text) -> None:
    with pytest.raises(InvalidValueError):
        workflow.parse_contract(text)


def test_settings_refuse_an_unknown_country_or_region() -> None:
    assert Settings(holiday_country="de", holiday_subdivision="by").holiday_subdivision == "BY"
    for bad in ({"holiday_country": "XX"}, {"holiday_country": "DE", "holiday_subdivision": "ZZ"},
                {"holiday_subdivision": "BY"}):
        with pytest.raises(ValueError, match=r"holiday|region|country"):
            Settings(**bad)


def test_the_contract_command_and_the_json(capsys, monkeypatch, sqlite_url) -> None:
    seeded(sqlite_url, country="DE", region="BY").engine.dispose()
    code, out, _ = run_cli(capsys, monkeypatch, "contract", "--db", sqlite_url, "--tz", BERLIN)
    assert code == 0
    assert out.splitlines()[0] == "from 2026-06-01: Mon 8, Tue 8, Wed 8, Thu 8, Fri 8, Sat 0, Sun 0 (40 h a week)"
    code, out, _ = run_cli(capsys, monkeypatch, "patterns", "--db", sqlite_url, "--tz", BERLIN, "--week", "2026-W23",
                           "--json")
    [week] = json.loads(out)["weeks"]
    assert (week["contract_hours"], week["balance_hours"]) == (32.0, 0.0)
    code, _, err = run_cli(capsys, monkeypatch, "contract", "set", "8,8", "--db", sqlite_url)
    assert code != 0 and "one figure per weekday" in err


def test_migration_0005_adds_contracts_and_the_matrix_and_goes_back(sqlite_url) -> None:
    from alembic import command

    engine = store.open_engine(sqlite_url)
    assert "contract" in sa.inspect(engine).get_table_names()
    with engine.begin() as connection:
        command.downgrade(store._alembic_config(connection), "0004")
    inspector = sa.inspect(engine)
    assert "contract" not in inspector.get_table_names()
    assert "important" not in {column["name"] for column in inspector.get_columns("rule")}
    store.migrate(engine)
    assert {"important", "urgent"} <= {column["name"] for column in sa.inspect(engine).get_columns("rule")}
    engine.dispose()
