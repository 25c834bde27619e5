"""Calendars: upload .ics files, add calendar addresses and CalDAV accounts, manage the sources."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from balance_dash import workflows
from balance_dash.errors import BalanceDashError
from balance_dash.models import AREAS
from balance_dash.ui import cached, layout, live_sources
from balance_dash.ui.feedback import flash, reported
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
    submitted = st.form_submit_button("Import", type="primary")

if submitted:
    if not files:
        st.warning("Choose at least one .ics file first.")
    category = None if area_choice.startswith("(") else area_choice
    progress = st.progress(0.0, text="Importing…") if files else None
    for index, upload in enumerate(files or []):

        def show(fraction: float, stage: str, index: int = index, name: str = upload.name) -> None:
            if progress is not None:
                progress.progress((index + fraction) / len(files), text=f"{name}: {stage}")

        try:
            report = workflows.import_calendar(
                cached.engine(), upload.getvalue(), file_name=upload.name, tz=cached.display_zone(),
                settings=settings, source_name=calendar_name.strip() or None, category=category, progress=show,
            )
        except BalanceDashError as error:
            st.error(f"{upload.name} was not imported: {error}", icon="⚠️")
        else:
            st.success(report.headline(), icon="✅")
            if report.issues:
                with st.expander(f"{len(report.issues)} notes on {upload.name}"):
                    st.dataframe(
                        pd.DataFrame([vars(issue) for issue in report.issues]), hide_index=True, width="stretch"
                    )
        if progress is not None:
            progress.progress((index + 1) / len(files), text=f"Imported {index + 1} of {len(files)}")

st.divider()
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
        column_config={"imported_at": st.column_config.DatetimeColumn("imported", format="YYYY-MM-DD HH:mm")},
    )
    with st.form("source_area"):
        st.markdown("**A calendar's area**")
        name_col, area_col = st.columns(2)
        chosen = name_col.selectbox("Calendar", sources["name"].tolist(), key="area_source")
        area_pick = area_col.selectbox("Area", ["(none: the rules decide)", *AREAS], key="area_pick")
        forced = st.checkbox(
            "Every event of this calendar is in this area", value=True,
            help="Off: the area applies only to events no rule places (a default area).",
        )
        if st.form_submit_button("Save the calendar's area"):
            source_id = int(sources.loc[sources["name"] == chosen, "id"].iloc[0])
            with reported("Saving the calendar's area"):
                workflows.set_source_area(
                    cached.engine(), source_id, area=None if area_pick.startswith("(") else area_pick, forced=forced
                )
                flash(f"Saved the area of {chosen}", icon="✅")
                st.rerun()
    st.caption("To replace a calendar with a newer export, upload the new file under the same calendar name.")
    with st.form("delete_source"):
        doomed = st.selectbox("Delete a calendar with all its events", sources["name"].tolist())
        confirm = st.checkbox("Yes, delete it")
        if st.form_submit_button("Delete") and confirm:
            with reported("Deleting the calendar"):
                live.remove_source(cached.engine(), doomed)
                flash(f"Deleted {doomed}", icon="🗑️")
                st.rerun()
