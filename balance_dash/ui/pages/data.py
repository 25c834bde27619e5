"""Data: export entries and weekly summaries (CSV, JSON) and the chart (PNG); back up and restore."""

from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st

from balance_dash.errors import BalanceDashError
from balance_dash.ui import cached
from balance_dash.ui.text import plain
from balance_dash.workflows import data as data_workflows

if "data_flash" in st.session_state:
    st.success(plain(st.session_state.pop("data_flash")), icon="✅")

st.title("Data")
st.caption("Your data stays on this machine: exports and backups go straight to your browser's downloads.")
engine = cached.engine()
settings = cached.settings()
zone = cached.display_zone()
span = cached.data_span()

st.subheader("Export")
if span is None:
    st.info("Nothing to export yet. Import a calendar or log some time first; you can restore a backup below.")
else:
    picked = st.date_input(
        "Period", value=span, min_value=date(1900, 1, 1), max_value=date(2200, 12, 31), format="YYYY-MM-DD",
        help=f"Local days in {zone.key}. It starts as everything you have.",
    )
    first, last = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else span
    entries_box, weeks_box = st.columns(2, border=True)
    for box, what, title, about in (
        (entries_box, "entries", "Entries", f"Every event and logged entry: area, start and end in {zone.key}, hours, calendar."),
        (weeks_box, "weeks", "Weekly summaries", "Hours per area per week, the targets in force and the warnings."),
    ):
        with box:
            st.markdown(f"**{title}**")
            st.caption(about)
            for column, fmt in zip(st.columns(2), data_workflows.EXPORT_FORMATS, strict=True):
                column.download_button(
                    f"{title} as {fmt.upper()}",
                    data=partial(
                        data_workflows.export, cached.scope(), what=what, fmt=fmt, first_day=first, last_day=last,
                    ),
                    file_name=data_workflows.export_file_name(what, fmt, first, last),
                    mime=data_workflows.MIME_TYPES[fmt],
                    on_click="ignore",
                    key=f"export-{what}-{fmt}",
                    width="stretch",
                )
    st.caption("CSV files are safe to open in a spreadsheet: a cell that would start a formula starts with ' instead.")

    chart_box = st.container(border=True)
    chart_box.markdown("**The weekly balance chart**")
    chart_box.caption("The weekly balance chart of the period as a PNG image, as This week draws it: each area's bar "
                  "with its target range, or, past 30 weeks, one row per area with its target band.")
    if data_workflows.chart_browser() is None:
        chart_box.warning(f"{data_workflows.NO_BROWSER}. {data_workflows.NO_BROWSER_HINT}", icon="🖼️")
    else:
        chart_box.download_button(
            "Chart as PNG",
            data=partial(data_workflows.chart_png, cached.scope(), first_day=first, last_day=last),
            file_name=data_workflows.export_file_name("weekly-balance", "png", first, last),
            mime=data_workflows.MIME_TYPES["png"],
            on_click="ignore",
            key="export-chart-png",
            help="Drawn by this machine's Chromium; nothing is sent anywhere.",
        )

st.subheader("Backup and restore")
backup_box, restore_box = st.columns(2, border=True)
with backup_box:
    st.markdown("**Download a backup**")
    if engine.dialect.name == "sqlite":
        st.caption("A consistent copy of the whole database as one SQLite file, taken while everything keeps running.")
    else:
        st.caption("A JSON dump of every table. Restoring here takes SQLite backups only.")
    with_secrets = st.checkbox(
        "Include calendar addresses and passwords", value=False,
        help="Left out by default: a calendar's secret address reads the whole calendar. Those kept in the "
        "system keyring are never in a backup.",
    )
    st.download_button(
        "Download backup",
        data=lambda: data_workflows.backup(engine, with_secrets=with_secrets).data,
        file_name=data_workflows.backup_name(engine),
        mime="application/vnd.sqlite3" if engine.dialect.name == "sqlite" else "application/json",
        on_click="ignore",
        key="backup",
        type="primary",
    )
with restore_box:
    st.markdown("**Restore a backup**")
    st.caption(
        "Replaces all data here (calendars, entries, rules, targets, settings, journal) with the backup's, "
        "in one step: if anything is wrong, nothing changes."
    )
    with st.form("restore", clear_on_submit=True, border=False):
        upload = st.file_uploader("Backup file (.db)")
        confirm = st.checkbox("Replace all my data with this backup")
        if st.form_submit_button("Restore"):
            if upload is None:
                st.warning("Choose a backup file first.")
            elif not confirm:
                st.warning("Tick the box to confirm that the backup replaces all your data.")
            else:
                try:
                    report = data_workflows.restore(engine, upload.getvalue(), file_name=upload.name, settings=settings)
                except BalanceDashError as error:
                    st.error("Nothing was restored:", icon="⚠️")
                    st.code(str(error), language=None, wrap_lines=True)
                else:
                    st.session_state["data_flash"] = report.headline()
                    st.rerun()
