"""Pieces shared by every page: the sidebar and the first-run welcome."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from balance_dash import workflows
from balance_dash.ui import cached
from balance_dash.ui.feedback import flash, reported
from balance_dash.ui.text import plain
from balance_dash.workflows import data as data_workflows

PAGE_NOW, PAGE_BEFORE = "page_now", "page_before"
PAGES = Path(__file__).resolve().parent / "pages"  # absolute: the page files ship inside the package


def page(name: str) -> str:
    """The path of a page file for `st.Page` and `st.page_link`, absolute: Streamlit reads a
    relative one from the entry point's folder, which is the checkout for `streamlit run app.py`
    and the package's `ui/` folder for `balance-dash serve`."""
    return str(PAGES / f"{name}.py")


def remember_page(url_path: str) -> None:
    """Note which page this run shows and which the run before showed (for `new_visit`)."""
    st.session_state[PAGE_BEFORE] = st.session_state.get(PAGE_NOW)
    st.session_state[PAGE_NOW] = url_path


def new_visit(url_path: str) -> bool:
    """Whether this run opens the page anew (coming from another page, or the first run), rather
    than rerunning it after a click on it."""
    return bool(st.session_state.get(PAGE_BEFORE) != url_path)


def sidebar() -> None:
    with st.sidebar:
        settings_warning()
        zone = cached.display_zone()
        st.caption(f"Times shown in **{zone.key}** · data stays on this machine")


def settings_warning() -> None:
    """Saved settings the app cannot read: say so on every page and offer to reset them."""
    problem = cached.settings_problem()
    if problem is None:
        return
    st.warning(plain(problem), icon="⚠️")
    if st.button("Reset the settings to the defaults", key="reset_settings"):
        with reported("Resetting the settings"):
            data_workflows.reset_settings(cached.engine())
            flash("The settings were reset to the defaults", icon="✅")
            st.rerun()


def welcome() -> None:
    """The empty-database first step: upload, or load the sample calendar."""
    st.title("Welcome to balance-dash")
    st.markdown(
        "See where your week goes — work, family, personal time and rest — against the hours you "
        "meant to spend, with warnings about long hours before they happen."
    )
    upload, sample = st.columns(2, border=True)
    with upload:
        st.subheader("📥 Upload your calendar")
        st.write("Export an .ics file from Google Calendar, Outlook, Apple Calendar or Thunderbird.")
        st.page_link(page("import_calendars"), label="Go to Calendars", icon="➡️")
    with sample:
        st.subheader("✨ Try the sample calendar")
        st.write("A made-up person's busy autumn: meetings, family dinners, a vacation, a crunch week.")
        sample_button(primary=True)


def sample_button(*, primary: bool = False) -> None:
    """Load the sample calendar shipped in data/, confirming it after the page reloads."""
    if st.button("Load the sample calendar", type="primary" if primary else "secondary"):
        with reported("Loading the sample calendar"), st.spinner("Importing the sample calendar…"):
            report = workflows.load_sample(cached.engine(), tz=cached.display_zone(), settings=cached.settings())
            flash(report.headline())
            st.rerun()
