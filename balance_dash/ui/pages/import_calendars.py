"""Import: upload .ics files, see what each import did, manage the calendars (sources)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from balance_dash import store, workflows
from balance_dash.errors import BalanceDashError
from balance_dash.models import AREAS
from balance_dash.ui import cached, layout
from balance_dash.ui.feedback import flash, reported

st.title("Import calendars")
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
    imported, newest = 0, None
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
            imported += 1
            st.success(report.headline(), icon="✅")
            if report.last_day is not None:
                newest = max(newest or report.last_day, report.last_day)
            if report.issues:
                with st.expander(f"{len(report.issues)} notes on {upload.name}"):
                    st.dataframe(
                        pd.DataFrame([vars(issue) for issue in report.issues]), hide_index=True, width="stretch"
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
        st.page_link("balance_dash/ui/pages/this_week.py", label=f"See the week of {week:%d %b %Y}", icon="📅")

st.divider()
st.subheader("Your calendars")
sources = cached.sources()
if sources.empty:
    st.info("Nothing imported yet. Upload a calendar above, or load the sample calendar.")
    layout.sample_button()
else:
    shown = sources.assign(
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
        delete_clicked = st.form_submit_button("Delete")
        if delete_clicked and not confirm:
            st.warning(f"Nothing was deleted: tick “Yes, delete it” to delete {doomed}.", icon="☝️")
        if delete_clicked and confirm:
            source_id = int(sources.loc[sources["name"] == doomed, "id"].iloc[0])
            with reported("Deleting the calendar"):
                store.delete_source(cached.engine(), source_id)
                flash(f"Deleted {doomed}", icon="🗑️")
                st.rerun()
