"""The dashboard's engine and cached loaders.

The engine lives in `st.cache_resource` (one per process); frames in `st.cache_data`, keyed by
the database URL and `store.data_revision`, which every write bumps: a write from the CLI or
another tab is seen on the next rerun, and nothing is recomputed while nothing changed.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from balance_dash import store, workflows
from balance_dash.settings import Settings


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
def _settings(url: str, rev: int) -> Settings:
    return store.load_settings(_engine(url))


def settings() -> Settings:
    return _settings(db_url(), revision())


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


@st.cache_data(show_spinner=False, max_entries=4)
def _occurrences(url: str, rev: int) -> pd.DataFrame:
    return workflows.categorized_occurrences(_engine(url))


def occurrences() -> pd.DataFrame:
    """Every occurrence with its area decided (cached until the next write)."""
    return _occurrences(db_url(), revision())


@st.cache_data(show_spinner=False, max_entries=16)
def _balance(url: str, rev: int, zone: str, first_day: date, last_day: date, today: date) -> workflows.Balance:
    return workflows.balance(
        _engine(url),
        tz=ZoneInfo(zone),
        settings=_settings(url, rev),
        first_day=first_day,
        last_day=last_day,
        occurrences=_occurrences(url, rev),
    )


def balance(first_day: date, last_day: date) -> workflows.Balance:
    zone = display_zone()
    today = datetime.now(UTC).astimezone(zone).date()
    return _balance(db_url(), revision(), zone.key, first_day, last_day, today)


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
