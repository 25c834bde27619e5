"""The dashboard's engine, its read scope and the cached views.

The engine lives in `st.cache_resource` (one per process). Every read goes through one
`workflows.Scope` per (database URL, `store.data_revision`, display zone, today), also a cached
resource, so the categorized occurrences are read once per revision and shared by every view;
the views computed from it live in `st.cache_data`, keyed by that scope. Every write bumps the
revision: a write from the CLI or another tab is seen on the next rerun, and nothing is
recomputed while nothing changed.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from balance_dash import store, workflows
from balance_dash.analytics.trends import Period
from balance_dash.settings import Settings
from balance_dash.workflows import data as data_workflows
from balance_dash.workflows import drilldown
from balance_dash.workflows import logs as log_workflows
from balance_dash.workflows import patterns as pattern_workflows
from balance_dash.workflows import reflect as reflect_workflows
from balance_dash.workflows import rules as rule_workflows
from balance_dash.workflows import trends as trend_workflows
from balance_dash.workflows import working_time as working_time_workflows
from balance_dash.workflows.scope import Scope

P = ParamSpec("P")
R = TypeVar("R")


def db_url() -> str:
    return os.environ.get("BALANCE_DASH_DB") or store.default_db_url()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.open_engine(url)


def engine() -> Engine:
    return _engine(db_url())


def revision() -> int:
    return store.data_revision(engine())


@st.cache_data(show_spinner=False, max_entries=8)
def _settings_and_problem(url: str, rev: int) -> tuple[Settings, str | None]:
    return data_workflows.load_settings_or_defaults(_engine(url))


def _settings(url: str, rev: int) -> Settings:
    return _settings_and_problem(url, rev)[0]


def settings() -> Settings:
    return _settings(db_url(), revision())


def settings_problem() -> str | None:
    """Why the saved settings cannot be read (the defaults are in use), or None."""
    return _settings_and_problem(db_url(), revision())[1]


def display_zone() -> ZoneInfo:
    """The saved zone, else the browser's (`st.context.timezone`), else the server's."""
    saved = settings().timezone
    if saved:
        return ZoneInfo(saved)
    browser = st.context.timezone
    try:
        return workflows.resolve_zone(browser) if browser else workflows.resolve_zone(None)
    except Exception:  # an odd zone name from a browser must not break the page
        return ZoneInfo("UTC")


# A resource, not data: st.cache_data would unpickle a copy of every occurrence (140 ms for ten
# years) on each use. The scope and the frames it reads are shared and read-only: the pure core
# never mutates its inputs (house style, practice 4).
@st.cache_resource(show_spinner=False, max_entries=2)
def _scope(url: str, rev: int, zone: str, today: date) -> Scope:
    now = datetime.now(UTC)
    tz = ZoneInfo(zone)
    if now.astimezone(tz).date() != today:  # the day turned between the key and the call
        now = datetime.combine(today, time(12), tzinfo=tz).astimezone(UTC)
    return Scope.of(_engine(url), settings=_settings(url, rev), tz=tz, now=now, revision=rev)


def scope() -> Scope:
    """The read scope of this rerun: database, revision, settings, display zone and today."""
    zone = display_zone()
    return _scope(db_url(), revision(), zone.key, datetime.now(UTC).astimezone(zone).date())


def _view(max_entries: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`st.cache_data` for a view computed from a scope: the scope is keyed by `Scope.key`."""
    return st.cache_data(show_spinner=False, max_entries=max_entries, hash_funcs={Scope: lambda s: s.key})


def occurrences() -> pd.DataFrame:
    """Every occurrence with its area decided (cached until the next write)."""
    return scope().occurrences


# The history is computed once per scope, from a quarter before today (or the first day with
# data) to a few weeks ahead (or the last): the weeks the chart can show around any week.
_HISTORY_BEFORE, _HISTORY_AHEAD = timedelta(weeks=13), timedelta(weeks=4)


# A resource, like the scope: as data, every week change would unpickle the whole history's days,
# weeks and warnings again (about 100 ms at ten years) only to cut one week out of it.
@st.cache_resource(show_spinner=False, max_entries=2, hash_funcs={Scope: lambda s: s.key})
def _history(view: Scope) -> workflows.Balance:
    """Hours, targets and warnings of the whole history, once per scope (sliced per week, never changed)."""
    today = view.today
    span = data_workflows.data_span(view) or (today, today)
    return workflows.balance(
        view, first_day=min(span[0], today - _HISTORY_BEFORE), last_day=max(span[1], today + _HISTORY_AHEAD)
    )


def _slice(history: workflows.Balance, first_day: date, last_day: date) -> workflows.Balance | None:
    """The whole weeks covering [first_day, last_day] cut from `history`; None if it does not hold them."""
    first_week = workflows.week_start_of(first_day, history.week_starts_on)
    last_week = workflows.week_start_of(last_day, history.week_starts_on)
    last_week_end = last_week + timedelta(days=6)
    if first_week < history.first_day or last_week_end > history.last_day:
        return None
    days, weeks = pd.DatetimeIndex(history.daily.index), pd.DatetimeIndex(history.weekly.index)
    week_starts = history.targets["week_start"]
    return dataclasses.replace(
        history,
        first_day=first_week,
        last_day=last_week_end,
        daily=history.daily[(days >= pd.Timestamp(first_week)) & (days <= pd.Timestamp(last_week_end))],
        weekly=history.weekly[(weeks >= pd.Timestamp(first_week)) & (weeks <= pd.Timestamp(last_week))],
        targets=history.targets[(week_starts >= pd.Timestamp(first_week)) & (week_starts <= pd.Timestamp(last_week))],
        warnings=[w for w in history.warnings if first_week <= w.period_start <= last_week_end],
    )


@_view(max_entries=16)
def _balance(view: Scope, first_day: date, last_day: date) -> workflows.Balance:
    """A period's balance: a slice of the cached history (a week change recomputes nothing), or,
    for weeks outside it, computed from the scope's occurrences."""
    sliced = _slice(_history(view), first_day, last_day)
    if sliced is not None:
        return sliced
    view.occurrences  # noqa: B018 - read the whole history once: the next period reuses it
    return workflows.balance(view, first_day=first_day, last_day=last_day)


def balance(first_day: date, last_day: date) -> workflows.Balance:
    return _balance(scope(), first_day, last_day)


@_view(max_entries=2)
def _proposed_addresses(view: Scope) -> list[str]:
    return workflows.propose_my_addresses(view.engine)


def proposed_addresses() -> list[str]:
    """The addresses the calendars suggest are the user's own."""
    return _proposed_addresses(scope())


@_view(max_entries=4)
def _sources(view: Scope) -> pd.DataFrame:
    return store.load_sources(view.engine)


def sources() -> pd.DataFrame:
    return _sources(scope())


def targets() -> pd.DataFrame:
    """The target rows with their effective dates (read once per scope)."""
    return scope().targets


@_view(max_entries=4)
def _has_sources(view: Scope) -> bool:
    return not store.load_sources(view.engine, with_counts=False).empty


def has_data() -> bool:
    """Whether any calendar or time log is stored (without counting ten years of occurrences)."""
    return _has_sources(scope())


@_view(max_entries=4)
def _manual_entries(view: Scope) -> pd.DataFrame:
    return workflows.manual_entries(view.engine)


def manual_entries() -> pd.DataFrame:
    return _manual_entries(scope())


@_view(max_entries=4)
def _tracker_groups(view: Scope) -> pd.DataFrame:
    return log_workflows.tracker_groups(view.engine)


def tracker_groups() -> pd.DataFrame:
    """The projects and clients of imported Toggl and Clockify entries (Log time)."""
    return _tracker_groups(scope())


@_view(max_entries=4)
def _rules(view: Scope) -> pd.DataFrame:
    return rule_workflows.rules_for_editing(view.engine)


def rules() -> pd.DataFrame:
    """The saved rules in order, numbered from 1, as the rule editor shows them."""
    return _rules(scope())


@_view(max_entries=4)
def _uncategorized(view: Scope) -> pd.DataFrame:
    return rule_workflows.uncategorized_events(view)


def uncategorized() -> pd.DataFrame:
    """Events nothing places, one row per title and calendar, most hours first."""
    return _uncategorized(scope())


@_view(max_entries=8)
def _data_span(view: Scope) -> tuple[date, date] | None:
    return data_workflows.data_span(view)


def data_span() -> tuple[date, date] | None:
    """The first and last local day with data, in the display zone (None when empty)."""
    return _data_span(scope())


# --- Reflect (weekly review, history, plan) ---


@_view(max_entries=8)
def _review(view: Scope, week_start: date) -> reflect_workflows.WeekReview:
    return reflect_workflows.weekly_review(view, week_start=week_start)


def review(week_start: date) -> reflect_workflows.WeekReview:
    """The weekly review of one week (figures, targets then in force, warnings, boundaries, journal)."""
    return _review(scope(), week_start)


@_view(max_entries=4)
def _reflect_history(view: Scope) -> dict[str, pd.DataFrame]:
    return {
        "targets": reflect_workflows.target_history(view),
        "boundaries": reflect_workflows.boundary_history(view),
        "reviews": reflect_workflows.past_reviews(view),
        "boundary_versions": store.load_boundaries(view.engine),
    }


def reflect_history() -> dict[str, pd.DataFrame]:
    """Target and boundary history sentences, past reviews with their weeks' figures, boundary versions."""
    return _reflect_history(scope())


@_view(max_entries=4)
def _plan(view: Scope, week_start: date) -> reflect_workflows.Plan:
    return reflect_workflows.plan_week(view, week_start=week_start)


def plan(week_start: date) -> reflect_workflows.Plan:
    """Proposed blocks for the areas the week falls short in."""
    return _plan(scope(), week_start)


@_view(max_entries=4)
def _plan_against_actual(view: Scope, week_start: date) -> pd.DataFrame:
    return reflect_workflows.plan_against_actual(view, week_start=week_start)


def plan_against_actual(week_start: date) -> pd.DataFrame:
    return _plan_against_actual(scope(), week_start)


@_view(max_entries=8)
def _trends(view: Scope, period: Period) -> trend_workflows.Trends:
    return trend_workflows.trends(view, period=period)


def trends(period: Period) -> trend_workflows.Trends:
    """The Trends page's figures for a period ending with the current week."""
    return _trends(scope(), period)


@_view(max_entries=16)
def _week_events(view: Scope, week_start: date) -> pd.DataFrame:
    view.occurrences  # noqa: B018 - the dashboard reads the whole history once and slices it
    return trend_workflows.week_events(view, week_start=week_start)


def week_events(week_start: date) -> pd.DataFrame:
    """The week's events split per local day, for the day-by-day timeline."""
    return _week_events(scope(), week_start)


@_view(max_entries=8)
def _boundary_scores(view: Scope, first_day: date, last_day: date) -> pd.DataFrame:
    return reflect_workflows.boundary_scores(view, first_day=first_day, last_day=last_day)


def boundary_scores(first_day: date, last_day: date) -> pd.DataFrame:
    """Boundaries kept per week of the period (for the Trends page)."""
    return _boundary_scores(scope(), first_day, last_day)


@_view(max_entries=16)
def _events_behind(view: Scope, first_day: date, last_day: date, area: str) -> pd.DataFrame:
    view.occurrences  # noqa: B018 - the dashboard reads the whole history once and slices it
    return drilldown.events_behind(view, first_day=first_day, last_day=last_day, area=area)


def events_behind(first_day: date, last_day: date, area: str) -> pd.DataFrame:
    """The events that make `area`'s hours in the local days [first_day, last_day] (the drill-down)."""
    return _events_behind(scope(), first_day, last_day, area)


@_view(max_entries=8)
def _events_in_hour(view: Scope, first_day: date, last_day: date, weekday: int, hour: int) -> pd.DataFrame:
    view.occurrences  # noqa: B018 - the dashboard reads the whole history once and slices it
    return drilldown.events_in_hour(view, first_day=first_day, last_day=last_day, weekday=weekday, hour=hour)


def events_in_hour(first_day: date, last_day: date, weekday: int, hour: int) -> pd.DataFrame:
    """The work events behind one cell of the "When you work" heatmap (weekday Monday = 0)."""
    return _events_in_hour(scope(), first_day, last_day, weekday, hour)


@_view(max_entries=8)
def _patterns(view: Scope, first_day: date, last_day: date) -> pattern_workflows.Patterns:
    return pattern_workflows.patterns(view, first_day=first_day, last_day=last_day)


def patterns(first_day: date, last_day: date) -> pattern_workflows.Patterns:
    """Meetings, focus, chunks and series cost of the whole weeks covering [first_day, last_day]."""
    return _patterns(scope(), first_day, last_day)


@_view(max_entries=2)
def _working_time(view: Scope) -> working_time_workflows.WorkingTime:
    return working_time_workflows.working_time(view, last_day=view.today, balance=_history(view))


def working_time() -> working_time_workflows.WorkingTime:
    """The working-time account up to today (from the first contract day)."""
    return _working_time(scope())
