"""Calendars: upload .ics files, add calendar addresses and CalDAV accounts, manage the sources."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from balance_dash import workflows
from balance_dash.errors import BalanceDashError
from balance_dash.models import AREAS
from balance_dash.ui import cached, layout, live_sources
from balance_dash.ui.feedback import flash, reported
from balance_dash.ui.text import plain
from balance_dash.workflows import live

st.title("Calendars")
st.markdown(
    "Export your calendar as an **.ics** file (Google Calendar: *Settings → Import & export*; "
    "Outlook: *Save calendar*; Apple Calendar: *File → Export*; Thunderbird: *Export*) and upload it here. "
    "Importing the same calendar again replaces its earlier snapshot."
)
settings = cached.settings()

with st.form("upload", clear_on_submit=True):
    files = st.file_uploader("Calendar files", type=["ics", "ical", "ifb", "icalendar"], accept_multiple_files=True)
    name_column, area_column = st.columns(2)
    calendar_name = name_column.text_input(
        "Calendar name (optional)", help="Default: the name inside the file, else the file name. One name per calendar."
    )
    area_choice = area_column.selectbox(
        "Put every event in", ["(use the rules)", *AREAS],
        help="Choose an area for a calendar that is all one thing, such as your work calendar.",
    )
    since_column, until_column = st.columns(2)
    since_day = since_column.date_input(
        "Import from (optional)", value=None, format="YYYY-MM-DD",
        help=f"Empty: from the first event, at most {settings.history_years} years back. Pick an earlier day to "
             "include older events.",
    )
    until_day = until_column.date_input(
        "Import until (optional)", value=None, format="YYYY-MM-DD",
        help=f"Empty: {settings.future_years} year(s) ahead; recurring events stop there.",
    )
    submitted = st.form_submit_button("Import", type="primary")

if submitted:
    if not files:
        st.warning("Choose at least one .ics file first.")
    category = None if area_choice.startswith("(") else area_choice
    progress = st.progress(0.0, text="Importing…") if files else None
    imported, newest = 0, None
    for index, upload in enumerate(files or []):

        def show(fraction: float, stage: str, index: int = index, name: str = upload.name) -> None:
            if progress is not None:
                progress.progress((index + fraction) / len(files), text=f"{name}: {stage}")

        try:
            zone = cached.display_zone()
            report = workflows.import_calendar(
                cached.engine(), upload.getvalue(), file_name=upload.name, tz=zone,
                settings=settings, source_name=calendar_name.strip() or None, category=category, progress=show,
                since=workflows.local_midnight_utc(since_day, zone) if since_day else None,
                until=workflows.local_midnight_utc(until_day, zone) if until_day else None,
                isolated=True,
            )
        except BalanceDashError as error:
            st.error(plain(f"{upload.name} was not imported: {error}"), icon="⚠️")
        else:
            imported += 1
            st.success(plain(report.headline()), icon="✅")
            if report.last_day is not None:
                newest = max(newest or report.last_day, report.last_day)
            start, end = report.window
            st.caption(f"Import window: {start:%Y-%m-%d} to {end:%Y-%m-%d}.")
            for note in report.notes():
                st.info(note, icon="ℹ️")  # our own words and figures, no file text
            if report.issues:
                with st.expander(plain(f"{len(report.issues)} notes on {upload.name}")):
                    st.dataframe(
                        pd.DataFrame([issue.table_row() for issue in report.issues]), hide_index=True, width="stretch"
                    )
        if progress is not None:  # refused files are read, never counted as imported
            refused = index + 1 - imported
            progress.progress((index + 1) / len(files), text=f"Imported {imported} of {len(files)} files"
                              + (f" · {refused} refused" if refused else ""))
    if newest is not None:
        # This week opens on the newest imported week that has happened (or the first ahead).
        today = datetime.now(UTC).astimezone(cached.display_zone()).date()
        week = workflows.week_start_of(min(newest, today), settings.week_starts_on)
        st.session_state["week_start"] = week
        st.page_link(layout.page("this_week"), label=f"See the week of {week:%d %b %Y}", icon="📅")

st.divider()
st.subheader("Who you are")
st.caption(
    "Your own e-mail addresses, as invitations list you. A meeting you declined is then not counted; "
    "tentative and unanswered ones count and are marked."
)
proposed = cached.proposed_addresses()
with st.form("my_addresses"):
    addresses_text = st.text_input(
        "My addresses", value=", ".join(settings.my_addresses or proposed),
        help="Separate several addresses with commas." + (
            plain(f" Proposed from your calendars: {', '.join(proposed)}.") if proposed and not settings.my_addresses else ""
        ),
    )
    if not settings.my_addresses and proposed:
        st.caption(plain(f"Proposed from your calendars (not saved yet): {', '.join(proposed)}"))
    if st.form_submit_button("Save my addresses"):
        with reported("Saving your addresses"):
            workflows.set_setting(cached.engine(), "my_addresses", addresses_text)
            flash("Saved your addresses: declined meetings are now left out of the hours.", icon="✅")
            st.rerun()

live_sources.render()
st.divider()
st.subheader("Your calendars")
sources = cached.sources()
if sources.empty:
    st.info("Nothing imported yet. Upload a calendar above, or load the sample calendar.")
    layout.sample_button()
else:
    kinds = live.sources(cached.engine()).set_index("id")["kind"]  # file, address, caldav, manual, csv
    shown = sources.assign(
        kind=sources["id"].map(kinds).fillna(sources["kind"]),
        area=sources["area"].fillna("(rules)"),
        first=pd.to_datetime(sources["first"], utc=True, format="mixed").dt.date,
        last=pd.to_datetime(sources["last"], utc=True, format="mixed").dt.date,
    )
    st.dataframe(
        shown[["name", "kind", "occurrences", "first", "last", "area", "file_name", "imported_at"]],
        hide_index=True, width="stretch",
        column_config={
            "name": "Calendar", "kind": "Kind", "occurrences": "Occurrences", "first": "First", "last": "Last",
            "area": "Area", "file_name": "File",
            "imported_at": st.column_config.DatetimeColumn("Imported", format="YYYY-MM-DD HH:mm"),
        },
    )
    st.markdown("**A calendar's area and free time**")
    chosen = st.selectbox("Calendar", sources["name"].tolist(), key="area_source")
    current = sources.loc[sources["name"] == chosen].iloc[0]
    area_options = ["(none: the rules decide)", *AREAS]
    with st.form("source_area"):
        area_pick = st.selectbox(
            "Area", area_options,
            index=area_options.index(current["area"]) if current["area"] in AREAS else 0,
            key=f"area_pick_{int(current['id'])}",
        )
        forced = st.checkbox(
            "Every event of this calendar is in this area", value=bool(current["area_forced"]) or current["area"] is None,
            help="Off: the area applies only to events no rule places (a default area).",
            key=f"area_forced_{int(current['id'])}",
        )
        count_free = st.checkbox(
            "Count events shown as free", value=bool(current.get("count_free", False)),
            help="Calendars mark some events 'free' (busy status). They are left out unless you tick this: "
                 "useful for a personal calendar that marks the gym or lunch as free.",
            key=f"count_free_{int(current['id'])}",
        )
        if st.form_submit_button("Save"):
            with reported("Saving the calendar's settings"):
                workflows.set_source_area(
                    cached.engine(), int(current["id"]), area=None if area_pick.startswith("(") else area_pick,
                    forced=forced, count_free=count_free,
                )
                flash(f"Saved the settings of {chosen}", icon="✅")
                st.rerun()
    st.caption("To replace a calendar with a newer export, upload the new file under the same calendar name.")
    with st.form("delete_source"):
        doomed = st.selectbox("Delete a calendar with all its events", sources["name"].tolist())
        confirm = st.checkbox("Yes, delete it")
        delete_clicked = st.form_submit_button("Delete")
        if delete_clicked and not confirm:
            st.warning(plain(f"Nothing was deleted: tick “Yes, delete it” to delete {doomed}."), icon="☝️")
        if delete_clicked and confirm:
            with reported("Deleting the calendar"):
                live.remove_source(cached.engine(), doomed)
                flash(f"Deleted {doomed}", icon="🗑️")
                st.rerun()
