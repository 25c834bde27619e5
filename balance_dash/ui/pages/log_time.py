"""Log time: a quick form, the table of manual entries, and CSV import (own, Toggl, Clockify)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from balance_dash import workflows
from balance_dash.errors import BalanceDashError
from balance_dash.models import AREAS
from balance_dash.ui import cached
from balance_dash.ui.feedback import flash, reported
from balance_dash.ui.text import plain
from balance_dash.workflows import logs as log_workflows

SHOWN_GROUPS = 12  # projects and clients with placement buttons; the rest are listed below them

st.title("Log time")
st.caption("Time your calendar does not hold: an evening with the kids, a run, a nap. Entries count like calendar events.")
zone = cached.display_zone()
now = datetime.now(UTC).astimezone(zone)

with st.form("log_entry", clear_on_submit=True):
    day_col, start_col, end_col = st.columns(3)
    day = day_col.date_input("Day", value=now.date(), format="YYYY-MM-DD")
    start = start_col.time_input("From", value=time(now.hour), step=timedelta(minutes=15))
    end = end_col.time_input("Until", value=time((now.hour + 1) % 24), step=timedelta(minutes=15),
                             help="An end before the start means the next day (for example 22:00 to 01:00).")
    area_col, note_col = st.columns([1, 2])
    area = area_col.selectbox("Area", AREAS, index=1)
    note = note_col.text_input("What was it?", placeholder="Board games with the kids")
    if st.form_submit_button("Log it", type="primary"):
        with reported("Logging the time"):
            start_at = datetime.combine(day, start, tzinfo=zone)
            end_day = day + timedelta(days=1) if end <= start else day
            added = workflows.log_time(
                cached.engine(), tz=zone, area=area, note=note.strip(),
                start=start_at, end=datetime.combine(end_day, end, tzinfo=zone),
            )
            flash("Logged" if added else "That entry was already there", icon="✅" if added else "ℹ️")
            st.rerun()

st.subheader("Your entries")
entries = cached.manual_entries()
if entries.empty:
    st.info("No entries yet. Log some time above, or import a CSV time log below.")
else:
    area_names = [workflows.RULES_DECIDE, *AREAS]
    shown = pd.DataFrame(
        {
            "delete": False,
            "id": entries["id"],
            "start": entries["start_utc"].dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M"),
            "end": entries["end_utc"].dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M"),
            "hours": ((entries["end_utc"] - entries["start_utc"]).dt.total_seconds() / 3600).round(2),
            "area": entries["area"].fillna(workflows.RULES_DECIDE),
            "what": entries["title"],
            "source": entries["source_name"],
        }
    )
    st.caption("Change an entry's area or text in the table, or tick entries to delete, then save.")
    edited = st.data_editor(
        shown, hide_index=True, width="stretch", key="entries_editor",
        disabled=["id", "start", "end", "hours", "source"],
        column_config={
            "id": None,
            "delete": st.column_config.CheckboxColumn("delete?", width="small"),
            "area": st.column_config.SelectboxColumn("area", options=area_names, required=True),
            "what": st.column_config.TextColumn("what", max_chars=500),
        },
    )
    doomed = edited.loc[edited["delete"], "id"].astype(int).tolist()
    kept = edited[~edited["delete"]].assign(
        what_before=shown.loc[~edited["delete"], "what"], area_before=shown.loc[~edited["delete"], "area"]
    )
    save_col, delete_col = st.columns(2)
    if save_col.button("Save changes", type="primary"):
        with reported("Saving the entries"):
            saved = workflows.edit_entries(cached.engine(), kept)
            flash(f"Saved {saved} changed entries" if saved else "Nothing had changed", icon="✅")
            st.rerun()
    if delete_col.button(f"Delete {len(doomed)} selected", disabled=not doomed):
        with reported("Deleting entries"):
            gone = workflows.delete_entries(cached.engine(), doomed)
            flash(f"Deleted {gone} entries", icon="🗑️")
            st.rerun()

st.subheader("Import a CSV time log")
st.markdown(
    "balance-dash reads its own simple format (`start,end,area,note`), and the detailed CSV exports "
    "of **Toggl Track** and **Clockify**, recognised by their header rows. Entries from Toggl and "
    "Clockify are placed by your rules, which can match the project and tags, or by project and client "
    "with one click in the list below the import."
)
CSV_REPORT = "csv_import_report"  # shown after the rerun that refreshes the entries table above
if CSV_REPORT in st.session_state:
    headline, issues = st.session_state.pop(CSV_REPORT)
    st.success(plain(headline), icon="✅")
    if issues:
        with st.expander(f"{len(issues)} rows with notes"):
            st.dataframe(pd.DataFrame(issues), hide_index=True, width="stretch")
with st.form("csv_upload", clear_on_submit=True):
    upload = st.file_uploader("CSV file", type=["csv", "txt"])
    if st.form_submit_button("Import CSV"):
        if upload is None:
            st.warning("Choose a CSV file first.")
        else:
            try:
                report = workflows.import_log_csv(
                    cached.engine(), upload.getvalue(), file_name=upload.name, tz=zone, settings=cached.settings()
                )
            except BalanceDashError as error:
                st.error(plain(f"{upload.name} was not imported: {error}"), icon="⚠️")
            else:
                st.session_state[CSV_REPORT] = (report.headline(), [i.table_row() for i in report.issues])
                st.rerun()  # the entries table above shows the new entries

# --- Projects and clients of Toggl and Clockify ---------------------------------------------------
groups = cached.tracker_groups()
if not groups.empty:
    st.subheader("Projects and clients")
    st.caption(
        "From your Toggl and Clockify imports, most hours first. One click places every entry of a project "
        "(or client) in an area, as the Rules page does for event titles; importing the same export again keeps it."
    )
    for row in groups.head(SHOWN_GROUPS).to_dict("records"):
        kind, name, source_id = str(row["kind"]), str(row["name"]), int(row["source_id"])
        key = hashlib.sha256(f"{kind}\x00{source_id}\x00{name}".encode()).hexdigest()[:12]
        with st.container(border=True, key=f"tracker-{key}"):
            about, *buttons = st.columns([3.2, 1, 1, 1, 1], vertical_alignment="center")
            with about:
                st.text(f"{kind.capitalize()}: {name}")  # plain text: names come from the export
                placed = f" · placed in {row['area']}" if row["area"] else ""
                st.text(f"{row['source']} · {row['entries']} {'entry' if row['entries'] == 1 else 'entries'} · "
                        f"{row['hours']:.1f} h{placed}")
            for column, area in zip(buttons, AREAS, strict=True):
                if column.button(area.capitalize(), key=f"tracker-{key}-{area}", width="stretch",
                                 type="primary" if row["area"] == area else "secondary",
                                 help=plain(f"Place every entry of the {kind} “{name}” in {area}")):
                    with reported(f"Placing the {kind}"):
                        count = log_workflows.place_tracker_group(
                            cached.engine(), source_id=source_id, kind=kind, name=name, area=area
                        )
                        flash(f"Placed the {kind} “{name}” in {area}: {count} {'entry' if count == 1 else 'entries'}")
                        st.rerun()
    if len(groups) > SHOWN_GROUPS:
        with st.expander(f"{len(groups) - SHOWN_GROUPS} more, with fewer hours"):
            st.dataframe(groups.iloc[SHOWN_GROUPS:].drop(columns="source_id").rename(columns=str.capitalize),
                         hide_index=True, width="stretch")
