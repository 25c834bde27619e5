"""The dashboard's engine and cached loaders.

The engine lives in `st.cache_resource` (one per process); frames in `st.cache_data`, keyed by
the database URL and `store.data_revision`, which every write bumps: a write from the CLI or
another tab is seen on the next rerun, and nothing is recomputed while nothing changed.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, date, datetime, timedelta
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
from balance_dash.workflows import reflect as reflect_workflows
from balance_dash.workflows import rules as rule_workflows
from balance_dash.workflows import trends as trend_workflows


def db_url() -> str:
    return os.environ.get("BALANCE_DASH_DB", store.DEFAULT_DB_URL)


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


def _zone_and_today() -> tuple[ZoneInfo, date]:
    """The display zone and today's date in it: the cache key of views that depend on "now"."""
    zone = display_zone()
    return zone, datetime.now(UTC).astimezone(zone).date()


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
# years) on each use, and every per-week loader below starts from it. The frame is shared and
# read-only: the pure core never mutates its inputs (house style, practice 4).
@st.cache_resource(show_spinner=False, max_entries=2)
def _occurrences(url: str, rev: int) -> pd.DataFrame:
    return workflows.categorized_occurrences(_engine(url))


def occurrences() -> pd.DataFrame:
    """Every occurrence with its area decided (cached until the next write)."""
    return _occurrences(db_url(), revision())


# The history is computed once per revision, from a quarter before today (or the first day
# with data) to a few weeks ahead (or the last): the weeks the chart can show around any week.
_HISTORY_BEFORE, _HISTORY_AHEAD = timedelta(weeks=13), timedelta(weeks=4)


@st.cache_data(show_spinner=False, max_entries=2)
def _history(url: str, rev: int, zone: str, today: date) -> workflows.Balance:
    """Hours, targets and warnings of the whole history, once per revision (sliced per week)."""
    tz = ZoneInfo(zone)
    occurrences = _occurrences(url, rev)
    span = data_workflows.data_span(_engine(url), tz, occurrences=occurrences) or (today, today)
    return workflows.balance(
        _engine(url),
        tz=tz,
        settings=_settings(url, rev),
        first_day=min(span[0], today - _HISTORY_BEFORE),
        last_day=max(span[1], today + _HISTORY_AHEAD),
        occurrences=occurrences,
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


@st.cache_data(show_spinner=False, max_entries=16)
def _balance(url: str, rev: int, zone: str, first_day: date, last_day: date, today: date) -> workflows.Balance:
    """A period's balance: a slice of the cached history (a week change recomputes nothing), or,
    for weeks outside it, computed from the cached occurrences."""
    sliced = _slice(_history(url, rev, zone, today), first_day, last_day)
    if sliced is not None:
        return sliced
    return workflows.balance(
        _engine(url),
        tz=ZoneInfo(zone),
        settings=_settings(url, rev),
        first_day=first_day,
        last_day=last_day,
        occurrences=_occurrences(url, rev),
    )


def balance(first_day: date, last_day: date) -> workflows.Balance:
    zone, today = _zone_and_today()
    return _balance(db_url(), revision(), zone.key, first_day, last_day, today)


@st.cache_data(show_spinner=False, max_entries=2)
def _proposed_addresses(url: str, rev: int) -> list[str]:
    return workflows.propose_my_addresses(_engine(url))


def proposed_addresses() -> list[str]:
    """The addresses the calendars suggest are the user's own."""
    return _proposed_addresses(db_url(), revision())


@st.cache_data(show_spinner=False, max_entries=4)
def _sources(url: str, rev: int) -> pd.DataFrame:
    return store.load_sources(_engine(url))


def sources() -> pd.DataFrame:
    return _sources(db_url(), revision())


@st.cache_data(show_spinner=False, max_entries=4)
def _targets(url: str, rev: int) -> pd.DataFrame:
    return store.load_targets(_engine(url))


def targets() -> pd.DataFrame:
    return _targets(db_url(), revision())


def has_data() -> bool:
    return not sources().empty


@st.cache_data(show_spinner=False, max_entries=4)
def _manual_entries(url: str, rev: int) -> pd.DataFrame:
    return workflows.manual_entries(_engine(url))


def manual_entries() -> pd.DataFrame:
    return _manual_entries(db_url(), revision())


@st.cache_data(show_spinner=False, max_entries=4)
def _tracker_groups(url: str, rev: int) -> pd.DataFrame:
    return log_workflows.tracker_groups(_engine(url))


def tracker_groups() -> pd.DataFrame:
    """The projects and clients of imported Toggl and Clockify entries (Log time)."""
    return _tracker_groups(db_url(), revision())


@st.cache_data(show_spinner=False, max_entries=4)
def _rules(url: str, rev: int) -> pd.DataFrame:
    return rule_workflows.rules_for_editing(_engine(url))


def rules() -> pd.DataFrame:
    """The saved rules in order, numbered from 1, as the rule editor shows them."""
    return _rules(db_url(), revision())


@st.cache_data(show_spinner=False, max_entries=4)
def _uncategorized(url: str, rev: int) -> pd.DataFrame:
    return rule_workflows.uncategorized_events(_engine(url), occurrences=_occurrences(url, rev))


def uncategorized() -> pd.DataFrame:
    """Events nothing places, one row per title and calendar, most hours first."""
    return _uncategorized(db_url(), revision())


@st.cache_data(show_spinner=False, max_entries=8)
def _data_span(url: str, rev: int, zone: str) -> tuple[date, date] | None:
    return data_workflows.data_span(_engine(url), ZoneInfo(zone), occurrences=_occurrences(url, rev))


def data_span() -> tuple[date, date] | None:
    """The first and last local day with data, in the display zone (None when empty)."""
    return _data_span(db_url(), revision(), display_zone().key)


# --- Reflect (weekly review, history, plan) ---


@st.cache_data(show_spinner=False, max_entries=8)
def _review(url: str, rev: int, zone: str, week_start: date, today: date) -> reflect_workflows.WeekReview:
    return reflect_workflows.weekly_review(
        _engine(url), tz=ZoneInfo(zone), settings=_settings(url, rev), week_start=week_start,
        occurrences=_occurrences(url, rev),
    )


def review(week_start: date) -> reflect_workflows.WeekReview:
    """The weekly review of one week (figures, targets then in force, warnings, boundaries, journal)."""
    zone, today = _zone_and_today()
    return _review(db_url(), revision(), zone.key, week_start, today)


@st.cache_data(show_spinner=False, max_entries=4)
def _reflect_history(url: str, rev: int, zone: str, today: date) -> dict[str, pd.DataFrame]:
    engine, tz, settings_now = _engine(url), ZoneInfo(zone), _settings(url, rev)
    occ = _occurrences(url, rev)
    return {
        "targets": reflect_workflows.target_history(engine, tz=tz, settings=settings_now, occurrences=occ),
        "boundaries": reflect_workflows.boundary_history(engine, tz=tz, settings=settings_now, occurrences=occ),
        "reviews": reflect_workflows.past_reviews(engine, tz=tz, settings=settings_now, occurrences=occ),
        "boundary_versions": store.load_boundaries(engine),
    }


def reflect_history() -> dict[str, pd.DataFrame]:
    """Target and boundary history sentences, past reviews with their weeks' figures, boundary versions."""
    zone, today = _zone_and_today()
    return _reflect_history(db_url(), revision(), zone.key, today)


@st.cache_data(show_spinner=False, max_entries=4)
def _plan(url: str, rev: int, zone: str, week_start: date, today: date) -> reflect_workflows.Plan:
    return reflect_workflows.plan_week(
        _engine(url), tz=ZoneInfo(zone), settings=_settings(url, rev), week_start=week_start,
        occurrences=_occurrences(url, rev),
    )


def plan(week_start: date) -> reflect_workflows.Plan:
    """Proposed blocks for the areas the week falls short in."""
    zone, today = _zone_and_today()
    return _plan(db_url(), revision(), zone.key, week_start, today)


@st.cache_data(show_spinner=False, max_entries=4)
def _plan_against_actual(url: str, rev: int, zone: str, week_start: date) -> pd.DataFrame:
    return reflect_workflows.plan_against_actual(
        _engine(url), tz=ZoneInfo(zone), settings=_settings(url, rev), week_start=week_start,
        occurrences=_occurrences(url, rev),
    )


def plan_against_actual(week_start: date) -> pd.DataFrame:
    return _plan_against_actual(db_url(), revision(), display_zone().key, week_start)


@st.cache_data(show_spinner=False, max_entries=8)
def _trends(url: str, rev: int, zone: str, period: Period, today: date) -> trend_workflows.Trends:
    return trend_workflows.trends(
        _engine(url), tz=ZoneInfo(zone), settings=_settings(url, rev), period=period, today=today,
        occurrences=_occurrences(url, rev),
    )


def trends(period: Period) -> trend_workflows.Trends:
    """The Trends page's figures for a period ending with the current week."""
    zone, today = _zone_and_today()
    return _trends(db_url(), revision(), zone.key, period, today)


@st.cache_data(show_spinner=False, max_entries=16)
def _week_timeline(url: str, rev: int, zone: str, week_start: date) -> pd.DataFrame:
    return trend_workflows.week_timeline(
        _engine(url), tz=ZoneInfo(zone), week_start=week_start, occurrences=_occurrences(url, rev)
    )


def week_timeline(week_start: date) -> pd.DataFrame:
    """The week's events split per local day, for the day-by-day timeline."""
    return _week_timeline(db_url(), revision(), display_zone().key, week_start)


@st.cache_data(show_spinner=False, max_entries=8)
def _boundary_scores(url: str, rev: int, zone: str, first_day: date, last_day: date) -> pd.DataFrame:
    return reflect_workflows.boundary_scores(
        _engine(url), tz=ZoneInfo(zone), settings=_settings(url, rev), first_day=first_day, last_day=last_day,
        occurrences=_occurrences(url, rev),
    )


def boundary_scores(first_day: date, last_day: date) -> pd.DataFrame:
    """Boundaries kept per week of the period (for the Trends page)."""
    return _boundary_scores(db_url(), revision(), display_zone().key, first_day, last_day)


@st.cache_data(show_spinner=False, max_entries=16)
def _events_behind(url: str, rev: int, zone: str, first_day: date, last_day: date, area: str) -> pd.DataFrame:
    return drilldown.events_behind(
        _engine(url), occurrences=_occurrences(url, rev), tz=ZoneInfo(zone), first_day=first_day, last_day=last_day,
        area=area,
    )


def events_behind(first_day: date, last_day: date, area: str) -> pd.DataFrame:
    """The events that make `area`'s hours in the local days [first_day, last_day] (the drill-down)."""
    return _events_behind(db_url(), revision(), display_zone().key, first_day, last_day, area)


@st.cache_data(show_spinner=False, max_entries=8)
def _events_in_hour(url: str, rev: int, zone: str, first_day: date, last_day: date, weekday: int, hour: int) -> pd.DataFrame:
    return drilldown.events_in_hour(
        _engine(url), occurrences=_occurrences(url, rev), tz=ZoneInfo(zone), first_day=first_day, last_day=last_day,
        weekday=weekday, hour=hour,
    )


def events_in_hour(first_day: date, last_day: date, weekday: int, hour: int) -> pd.DataFrame:
    """The work events behind one cell of the "When you work" heatmap (weekday Monday = 0)."""
    return _events_in_hour(db_url(), revision(), display_zone().key, first_day, last_day, weekday, hour)
