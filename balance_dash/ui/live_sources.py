"""The Calendars page's live parts: add an address, connect a CalDAV account, the sources with
their sync state, Sync now, and the sync on open (called by app.py on every page)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from balance_dash.models import AREAS
from balance_dash.ui import cached
from balance_dash.ui.feedback import flash, reported
from balance_dash.workflows import live

_OPEN_SYNC_DONE = "_live_sync_on_open_done"
_FOUND = "_caldav_found"  # the account being connected: server, user, password, calendars found
_RULES = "(use the rules)"
ON_OPEN_TIMEOUT_S = 10.0


def sync_on_open() -> None:
    """Once per browser session: sync the live sources when the last sync is older than the setting."""
    if st.session_state.get(_OPEN_SYNC_DONE):
        return
    st.session_state[_OPEN_SYNC_DONE] = True
    engine, settings = cached.engine(), cached.settings()
    if not live.sync_due(engine, settings=settings):
        return
    # The page waits for this sync: a server that does not answer may hold it up for 10 s at
    # most, not the full time-out a cron job or Sync now allows.
    quick = settings.model_copy(update={"sync_timeout_seconds": min(settings.sync_timeout_seconds, ON_OPEN_TIMEOUT_S)})
    with st.spinner("Syncing your live calendars…"):
        reports = live.sync(engine, tz=cached.display_zone(), settings=quick)
    failed = [report for report in reports if report.status == "failed"]
    changed = [report for report in reports if report.status == "synced"]
    if changed:
        st.toast(f"Synced {len(changed)} calendar{'s' if len(changed) > 1 else ''} with changes", icon="🔄")
    for report in failed:
        st.toast(f"Sync failed: {report.error}", icon="⚠️")


def _area(choice: str) -> str | None:
    return None if choice == _RULES else choice


def address_form() -> None:
    """Subscribe to a calendar address (Google's secret iCal address, Outlook's published calendar…)."""
    with st.form("subscribe", clear_on_submit=True):
        st.markdown("**Add a calendar address**")
        address = st.text_input(
            "Calendar address", type="password", placeholder="https://… or webcal://…",
            help="Google Calendar: Settings → your calendar → Integrate calendar → Secret address in iCal format. "
            "Outlook: Settings → Calendar → Shared calendars → Publish a calendar → ICS link. "
            "The address is a password: it is kept in the system keyring and only ever shown masked.",
        )
        name_column, area_column = st.columns(2)
        name = name_column.text_input("Name (optional)", help="Default: the calendar's own name.")
        area = area_column.selectbox("Area of its events", [_RULES, *AREAS], key="subscribe_area")
        if st.form_submit_button("Subscribe", type="primary"):
            if not address.strip():
                st.warning("Paste the calendar's address first.")
                return
            with reported("Subscribing"), st.spinner("Reading the calendar…"):
                report = live.subscribe(
                    cached.engine(), address, tz=cached.display_zone(), settings=cached.settings(),
                    calendar=name.strip() or None, category=_area(area),
                )
                flash(f"Subscribed: {report.headline()}")
                for note in report.notes:
                    flash(note, icon="🔑")
                st.rerun()


def caldav_form() -> None:
    """Connect a CalDAV account in two steps: find its calendars, then add the chosen ones."""
    found = st.session_state.get(_FOUND)
    if found is None:
        with st.form("caldav_find"):
            st.markdown("**Connect a CalDAV account** (Nextcloud, Radicale, Fastmail, iCloud, …)")
            server = st.text_input("Server address", placeholder="https://cloud.example.org/remote.php/dav")
            user_column, password_column = st.columns(2)
            user = user_column.text_input("User name")
            password = password_column.text_input(
                "Password or app password", type="password",
                help="Kept in the system keyring, never shown. iCloud, Fastmail and Google need an app password.",
            )
            if st.form_submit_button("Find calendars"):
                if not (server.strip() and user.strip() and password):
                    st.warning("Fill in the server address, user name and password.")
                    return
                with reported("Connecting"), st.spinner("Looking for calendars…"):
                    calendars = live.discover_calendars(
                        server.strip(), username=user.strip(), password=password, settings=cached.settings()
                    )
                    st.session_state[_FOUND] = {"server": server.strip(), "user": user.strip(), "password": password,
                                                "calendars": [calendar.name for calendar in calendars]}
                    st.rerun()
        return
    with st.form("caldav_add"):
        st.markdown(f"**Calendars of {found['user']}**")
        chosen = st.multiselect("Calendars to add", found["calendars"], default=found["calendars"])
        area = st.selectbox("Area of their events", [_RULES, *AREAS], key="caldav_area")
        add, cancel = st.columns(2)
        if add.form_submit_button("Add the calendars", type="primary") and chosen:
            progress = st.progress(0.0, text="Syncing…")
            with reported("Adding the calendars"):
                _found, reports = live.connect_caldav(
                    cached.engine(), found["server"], username=found["user"], password=found["password"],
                    tz=cached.display_zone(), settings=cached.settings(), calendars=chosen, category=_area(area),
                    progress=lambda fraction, name: _show(progress, fraction, name),
                )
                del st.session_state[_FOUND]
                for report in reports:
                    flash(f"Added: {report.headline()}")
                st.rerun()
        if cancel.form_submit_button("Cancel"):
            del st.session_state[_FOUND]
            st.rerun()


def _show(progress: Any, fraction: float, name: str) -> None:
    progress.progress(fraction, text="Done" if name == "done" else f"Syncing {name}…")


def sources_section() -> None:
    """The live sources with their sync state, and Sync now with progress."""
    table = live.sources(cached.engine())
    table = table[table["kind"].isin(["address", "caldav"])]
    if table.empty:
        st.caption("No calendar addresses or CalDAV calendars yet: add one above, and it stays current by itself.")
        return
    zone = cached.display_zone()
    shown = table.assign(
        last_sync=pd.to_datetime(table["last_sync"], utc=True).dt.tz_convert(zone).dt.tz_localize(None),
        error=table["error"].fillna(""),
    )
    columns = {"name": "name", "kind": "kind", "area": "area", "occurrences": "events", "status": "status",
               "last_sync": "last synced", "changes": "last change", "shown": "address", "error": "last error"}
    st.dataframe(
        shown[list(columns)].rename(columns=columns), hide_index=True, width="stretch",
        column_config={"last synced": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
    minutes = cached.settings().sync_every_minutes
    st.caption(
        f"These sync when the dashboard opens if their last sync is over {minutes} minutes old"
        if minutes else "These sync only when you press Sync now (sync on open is off in the settings)"
    )
    if st.button("🔄 Sync now"):
        progress = st.progress(0.0, text="Syncing…")
        with reported("Syncing"):
            reports = live.sync(
                cached.engine(), tz=cached.display_zone(), settings=cached.settings(),
                progress=lambda fraction, name: _show(progress, fraction, name),
            )
            for report in reports:
                if report.status == "failed":
                    flash(f"Sync failed: {report.error}", icon="⚠️")
                else:
                    flash(report.headline(), icon="🔄")
            st.rerun()


def render() -> None:
    """The live sections of the Calendars page, in order."""
    st.subheader("Live calendars")
    st.markdown(
        "Subscribe to a calendar's address or connect a CalDAV account, and balance-dash keeps itself current: "
        "no more exporting every week. Addresses and passwords stay on this machine, in the system keyring "
        "where there is one."
    )
    address_column, caldav_column = st.columns(2, border=True)
    with address_column:
        address_form()
    with caldav_column:
        caldav_form()
    sources_section()
