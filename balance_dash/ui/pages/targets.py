"""Targets and boundaries: hours per area per week, and the settings the warnings use."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from balance_dash import wording
from balance_dash.models import AREAS
from balance_dash.settings import WEEKDAY_NAMES, Settings, Thresholds
from balance_dash.ui import cached
from balance_dash.ui.feedback import flash, reported
from balance_dash.workflows import preferences
from balance_dash.workflows import working_time as working_time_workflows

st.title("Targets and boundaries")
settings = cached.settings()
scope = cached.scope()
zone, today = scope.tz, scope.today

st.subheader("Target hours per week")
st.caption("A range per area: at least / at most. Each change applies from the date you give, so past weeks keep the targets they had.")
targets = cached.targets()
current = targets[targets["effective_from"] <= today].sort_values("effective_from").groupby("area").last()
with st.form("targets"):
    effective = st.date_input("Apply from", value=today, format="YYYY-MM-DD")
    values: dict[str, tuple[float | None, float | None]] = {}
    for area in AREAS:
        low_col, high_col = st.columns(2)
        low = current["min_hours"].get(area) if area in current.index else None
        high = current["max_hours"].get(area) if area in current.index else None
        new_low = low_col.number_input(f"{area.capitalize()}: at least (h)", 0.0, 168.0,
                                       None if low is None or pd.isna(low) else float(low), step=1.0, key=f"min_{area}")
        new_high = high_col.number_input(f"{area.capitalize()}: at most (h)", 0.0, 168.0,
                                         None if high is None or pd.isna(high) else float(high), step=1.0, key=f"max_{area}")
        values[area] = (new_low, new_high)
    if st.form_submit_button("Save targets", type="primary"):
        with reported("Saving the targets"):  # one transaction: a refused range saves none
            preferences.set_targets(cached.engine(), values, effective_from=effective)
            flash("Targets saved", icon="🎯")
            st.rerun()

with st.expander("Target history"):
    st.dataframe(wording.readable_table(targets[["area", "min_hours", "max_hours", "effective_from"]]), hide_index=True,
                 width="stretch")

st.subheader("Boundaries and time")
with st.form("settings"):
    left, right = st.columns(2)
    zone_name = left.text_input("Time zone", value=settings.timezone or "", placeholder=f"browser's: {zone.key}",
                                help=Settings.model_fields["timezone"].description)
    week_start = right.radio("Weeks start on", ["monday", "sunday"], index=0 if settings.week_starts_on == "monday" else 1,
                             horizontal=True, format_func=str.capitalize)
    start_time = left.time_input("Workday starts", settings.workday_start, help=Settings.model_fields["workday_start"].description)
    disconnect = right.time_input("Disconnect time", settings.disconnect_time, help=Settings.model_fields["disconnect_time"].description)
    rest_days = st.multiselect("Rest days", list(range(7)), default=list(settings.rest_days),
                               format_func=lambda d: WEEKDAY_NAMES[d])
    addresses = st.text_input(
        "My addresses", value=", ".join(settings.my_addresses),
        help=f"{Settings.model_fields['my_addresses'].description} Separate several with commas.",
    )
    sleep_on = st.toggle("Assume sleep in a nightly window (sleep is counted apart from rest)", settings.sleep_enabled,
                         help=Settings.model_fields["sleep_enabled"].description)
    sleep_from, sleep_to = st.columns(2)
    sleep_start = sleep_from.time_input("Sleep from", settings.sleep_start)
    sleep_end = sleep_to.time_input("Sleep until", settings.sleep_end)
    if st.form_submit_button("Save settings", type="primary"):
        with reported("Saving the settings"):
            try:
                updated = Settings.model_validate(
                    {**settings.model_dump(), "timezone": zone_name.strip() or None, "week_starts_on": week_start,
                     "workday_start": start_time, "disconnect_time": disconnect, "rest_days": tuple(sorted(rest_days)),
                     "sleep_enabled": sleep_on, "sleep_start": sleep_start, "sleep_end": sleep_end,
                     "my_addresses": addresses}
                )
            except ValidationError as error:
                st.error("Saving the settings failed: " + "; ".join(
                    str(e["msg"]).removeprefix("Value error, ") for e in error.errors()), icon="⚠️")
            else:
                preferences.save_settings(cached.engine(), updated)
                flash("Settings saved", icon="⚙️")
                st.rerun()

st.subheader("Time shape")
st.caption("How meetings, focus time and chunks are measured (This week's Time shape, the Meetings view in Trends).")
with st.form("time_shape"):
    left, right = st.columns(2)
    focus_hours = left.number_input("Focus block (hours)", min_value=0.25, max_value=12.0, step=0.25,
                                    value=float(settings.focus_block_hours),
                                    help=Settings.model_fields["focus_block_hours"].description)
    chunk_hours = right.number_input("Chunk of family or personal time (hours)", min_value=0.25, max_value=24.0,
                                     step=0.25, value=float(settings.chunk_hours),
                                     help=Settings.model_fields["chunk_hours"].description)
    gap_minutes = left.number_input("Back to back: less than (minutes) apart", min_value=0.0, max_value=60.0, step=1.0,
                                    value=float(settings.back_to_back_minutes),
                                    help=Settings.model_fields["back_to_back_minutes"].description)
    hide_people = right.toggle("Hide the people I meet", settings.hide_people,
                               help=Settings.model_fields["hide_people"].description)
    if st.form_submit_button("Save", type="primary"):
        with reported("Saving the time shape settings"):
            preferences.save_settings(cached.engine(), settings.model_copy(update={
                "focus_block_hours": focus_hours, "chunk_hours": chunk_hours, "back_to_back_minutes": gap_minutes,
                "hide_people": hide_people,
            }))
            flash("Time shape settings saved", icon="⚙️")
            st.rerun()

st.subheader("Working time")
st.caption("Your contract hours per weekday, in force from a day on (earlier weeks keep the hours then in force); "
           "public holidays of your country and region are days off; the cap is the balance over your contract "
           "you accept before a warning shows.")
account = cached.working_time()
current_contract = tuple(account.contracts["weekday_hours"].iloc[-1]) if account.has_contract else (8.0,) * 5 + (0.0,) * 2
with st.form("contract"):
    day_columns = st.columns(7)
    contract_hours = [
        column.number_input(WEEKDAY_NAMES[index][:3], min_value=0.0, max_value=24.0, step=0.5,
                            value=float(current_contract[index]), key=f"contract_{index}")
        for index, column in enumerate(day_columns)
    ]
    left, right = st.columns(2)
    contract_from = left.date_input("In force from", value=datetime.now(UTC).astimezone(cached.display_zone()).date(),
                                    format="YYYY-MM-DD")
    cap_text = right.text_input("Cap on hours over the contract", placeholder="no cap",
                                value="" if settings.working_time_cap_hours is None else f"{settings.working_time_cap_hours:g}",
                                help=Settings.model_fields["working_time_cap_hours"].description)
    country = left.text_input("Public holidays of (country code)", value=settings.holiday_country or "",
                              placeholder="DE, AT, US …", help=Settings.model_fields["holiday_country"].description)
    region = right.text_input("Region", value=settings.holiday_subdivision or "", placeholder="BY, CA …",
                              help=Settings.model_fields["holiday_subdivision"].description)
    if st.form_submit_button("Save working time", type="primary"):
        with reported("Saving the working time"):
            try:
                updated = Settings.model_validate({
                    **settings.model_dump(), "holiday_country": country, "holiday_subdivision": region,
                    "working_time_cap_hours": cap_text.strip().replace(",", ".") or None,
                })
            except ValidationError as error:
                st.error("Saving the working time failed: " + "; ".join(
                    str(e["msg"]).removeprefix("Value error, ") for e in error.errors()), icon="⚠️")
            else:
                if isinstance(contract_from, date):
                    working_time_workflows.set_contract(cached.engine(), contract_hours, effective_from=contract_from)
                preferences.save_settings(cached.engine(), updated)
                flash(f"Contract of {sum(contract_hours):g} h a week saved from {contract_from}", icon="⚙️")
                st.rerun()
if account.has_contract:
    st.dataframe(
        account.contracts.assign(
            hours_a_week=[sum(hours) for hours in account.contracts["weekday_hours"]],
            weekday_hours=[", ".join(f"{h:g}" for h in hours) for hours in account.contracts["weekday_hours"]],
        ).rename(columns={"effective_from": "From", "weekday_hours": "Mon–Sun", "hours_a_week": "Hours a week"}),
        hide_index=True,
    )

st.subheader("Warning thresholds")
st.caption(
    "Each warning compares your hours with a threshold from a law or a health study. "
    "Start from a preset, then adjust any figure."
)
PRESET_LABELS = {
    "eu_directive": "EU Working Time Directive (default)",
    "germany": "Germany (Arbeitszeitgesetz)",
    "health_only": "Health studies only (no legal rest and break rules)",
}
preset = st.selectbox("Preset", list(PRESET_LABELS), format_func=PRESET_LABELS.__getitem__, key="preset")
if st.button("Apply this preset"):
    with reported("Applying the preset"):
        preferences.apply_preset(cached.engine(), preset)
        for name in Thresholds.model_fields:  # the inputs below must show the preset, not what was typed
            st.session_state.pop(f"th_{name}", None)
        flash(f"Applied: {PRESET_LABELS[preset]}", icon="⚖️")
        st.rerun()
with st.form("thresholds"):
    current_thresholds = settings.thresholds
    fields = Thresholds.model_fields
    values_by_field: dict[str, float] = {}
    columns = st.columns(2)
    for index, (name, info) in enumerate(fields.items()):
        value = getattr(current_thresholds, name)
        label = wording.threshold_label(name)
        step = 1.0 if isinstance(value, float) else 1
        values_by_field[name] = columns[index % 2].number_input(label, value=value, step=step, help=info.description, key=f"th_{name}")
    if st.form_submit_button("Save thresholds", type="primary"):
        with reported("Saving the thresholds"):
            try:
                thresholds = Thresholds.model_validate(values_by_field)
            except ValidationError as error:
                st.error("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors()))
            else:
                preferences.set_thresholds(cached.engine(), thresholds)
                flash("Thresholds saved", icon="⚖️")
                st.rerun()
