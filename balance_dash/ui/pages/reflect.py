"""Reflect: the weekly review and journal, refining targets and boundaries, planning next week."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from balance_dash import wording, workflows
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, BOUNDARY_KINDS
from balance_dash.settings import WEEKDAY_NAMES
from balance_dash.ui import cached, layout, widgets
from balance_dash.ui.feedback import flash, reported
from balance_dash.workflows import reflect

st.title("Reflect")
if not cached.has_data():
    st.info("Nothing to reflect on yet: import a calendar or load the sample calendar first.", icon="📝")
    st.page_link(layout.page("import_calendars"), label="Go to Calendars", icon="➡️")
    st.stop()

settings = cached.settings()
zone = cached.display_zone()
today = datetime.now(UTC).astimezone(zone).date()
this_week = workflows.week_start_of(today, settings.week_starts_on)
if "reflect_week" not in st.session_state:  # the week named in the address (?week=2026-W46), else last week
    st.session_state["reflect_week"] = this_week - timedelta(weeks=1)
    with contextlib.suppress(InvalidValueError):
        st.session_state["reflect_week"] = workflows.parse_iso_week(st.query_params.get("week", ""))
chosen = st.date_input("Week to review", format="YYYY-MM-DD", help="Pick any day of the week; last week by default.",
                       key="reflect_week")
week_start = workflows.week_start_of(chosen, settings.week_starts_on)
review = cached.review(week_start)
st.query_params["week"] = review.iso_week

st.subheader(f"{review.iso_week} · {week_start:%d %b} – {week_start + timedelta(days=6):%d %b %Y}"
             + (" · scheduled" if review.scheduled else ""))
st.caption("Judged by the targets and boundaries in force that week.")
targets = review.targets.set_index("area")
for column, area in zip(st.columns(len(AREAS)), AREAS, strict=True):
    with column:
        widgets.area_metric(
            area, review.hours[area], targets,
            note=f"Includes {review.hours['assumed_sleep']:.1f} h of assumed sleep." if area == "rest" and "sleep" not in review.hours else "",
        )

bounds, numbers = st.columns([3, 2])
with bounds:
    kept = int(review.boundaries["kept"].sum())
    st.metric("Boundaries kept", f"{kept} of {len(review.boundaries)}" if len(review.boundaries) else "none",
              help="Start and disconnect time, rest days, days off, the sleep window and your own boundaries.",
              border=True)
    st.dataframe(review.boundaries[["boundary", "kept", "broken_hours", "streak", "rule"]], hide_index=True,
                 width="stretch", column_config={
                     "broken_hours": st.column_config.NumberColumn("broken (h)", format="%.1f", width="small"),
                     "streak": st.column_config.NumberColumn("weeks kept in a row", width="small"),
                     "kept": st.column_config.CheckboxColumn("kept", width="small"),
                     "rule": st.column_config.TextColumn("rule", width="large"),
                 })
    if len(review.breaks):
        st.caption("Where they broke")
        st.dataframe(review.breaks, hide_index=True, width="stretch",
                     column_config={"hours": st.column_config.NumberColumn("hours", format="%.1f")})
with numbers:
    st.markdown(f"**Warnings** ({len(review.warnings)})")
    with st.container(height=480 if len(review.warnings) > 3 else "content"):
        widgets.warning_list(review.warnings)

account = cached.working_time()
account_week = account.week(week_start) if account.has_contract else None
if account_week is not None:
    st.caption(
        f"Working time: {account_week['worked_hours']:.1f} h worked against {account_week['contract_hours']:.1f} h of "
        f"contract ({account_week['balance_hours']:+.1f} h); balance since your contract began "
        f"{account_week['running_balance_hours']:+.1f} h."
    )

st.header("Your review")
journal = review.journal
with st.form(f"journal_{week_start}"):
    answers: dict[str, str] = {}
    for step in dict.fromkeys(step for step, _question in reflect.QUESTIONS):
        st.markdown(f"**{step}**")
        for number, (where, question) in enumerate(reflect.QUESTIONS):
            if where == step:
                answers[question] = st.text_area(question, value=review.answers.get(question, ""), key=f"q{number}_{week_start}")
    notes = st.text_area("Notes", value=journal.notes if journal else "", key=f"notes_{week_start}")
    energy_col, mood_col = st.columns(2)
    energy = energy_col.select_slider("Energy (1-5)", options=reflect.SCALE, value=(journal.energy if journal and journal.energy else 3))
    mood = mood_col.select_slider("Mood (1-5)", options=reflect.SCALE, value=(journal.mood if journal and journal.mood else 3))
    if st.form_submit_button("Save the review", type="primary"):
        with reported("Saving the review"):
            reflect.save_review(cached.engine(), week_start=week_start, answers=answers, notes=notes, energy=energy, mood=mood)
            flash(f"Review of {review.iso_week} saved", icon="📝")
            st.rerun()

st.header("Refine")
history = cached.reflect_history()
next_week = this_week + timedelta(weeks=1)
target_tab, boundary_tab = st.tabs(["Change a target", "Add or change a boundary"])
with target_tab:
    area = st.selectbox("Area", AREAS, format_func=str.capitalize, key="refine_area")
with target_tab, st.form("refine_target"):
    low_col, high_col, when_col = st.columns(3)
    low_now = targets["min_hours"].get(area)
    high_now = targets["max_hours"].get(area)
    low = low_col.number_input("At least (h)", 0.0, 168.0, None if pd.isna(low_now) else float(low_now), step=1.0)
    high = high_col.number_input("At most (h)", 0.0, 168.0, None if pd.isna(high_now) else float(high_now), step=1.0)
    effective = when_col.date_input("From", value=next_week, format="YYYY-MM-DD", key="refine_target_from")
    if st.form_submit_button("Save the target", type="primary"):
        with reported("Saving the target"):
            reflect.change_target(cached.engine(), area=area, min_hours=low, max_hours=high, effective_from=effective)
            flash(f"Target for {area} saved from {effective}", icon="🎯")
            st.rerun()
with boundary_tab, st.form("refine_boundary"):
    KIND_LABELS = {"forbid": "Keep an area out of a time span", "protect": "Protect a time span for an area"}
    name = st.text_input("Name", placeholder="No work on Sunday")
    kind = st.radio("Kind", BOUNDARY_KINDS, format_func=KIND_LABELS.__getitem__, horizontal=True)
    area_col, days_col = st.columns([1, 3])
    boundary_area = area_col.selectbox("Area", AREAS, format_func=str.capitalize, key="boundary_area")
    weekdays = days_col.multiselect("Days", list(range(7)), default=[6], format_func=lambda d: WEEKDAY_NAMES[d])
    start_col, end_col, from_col = st.columns(3)
    start = start_col.time_input("From (local time)", time(0, 0), step=900)
    end = end_col.time_input("Until", time(0, 0), step=900, help="Until the same time as 'from' (00:00 to 00:00): the whole day; earlier than 'from': into the next day.")
    boundary_from = from_col.date_input("In force from", value=next_week, format="YYYY-MM-DD", key="boundary_from")
    active = st.checkbox("Active", value=True, help="Untick to retire a boundary from that date on.")
    if st.form_submit_button("Save the boundary", type="primary"):
        with reported("Saving the boundary"):
            reflect.save_boundary(cached.engine(), name=name, kind=kind, area=boundary_area, weekdays=weekdays,
                                  start_local=start, end_local=end, effective_from=boundary_from, active=active)
            flash("Boundary saved", icon="🚧")
            st.rerun()

st.subheader("What you changed, and how it went")
sentences = [*history["targets"]["sentence"], *history["boundaries"]["sentence"]]
if not sentences:
    st.caption("No changes yet: targets and boundaries you change here show up with how the weeks since went.")
for sentence in sentences:
    st.text(sentence)  # plain text: boundary names are the user's own
with st.expander("Every version of the targets and boundaries"):
    st.dataframe(wording.readable_table(cached.targets()[["area", "min_hours", "max_hours", "effective_from"]]),
                 hide_index=True, width="stretch")
    versions = history["boundary_versions"]
    if len(versions):
        st.dataframe(wording.readable_table(
            versions[["name", "kind", "area", "weekdays", "start_local", "end_local", "effective_from", "active"]]
        ), hide_index=True, width="stretch")

st.header("Plan next week")
plan = cached.plan(next_week)
st.caption(f"Week of {next_week:%d %b %Y}: long blocks (1.5 h or more) in free evening and weekend time, clear of "
           "your events, sleep, working hours and boundaries. Edit them, then download them for your calendar.")
if not plan.shortfall:
    st.success("Next week's calendar already meets your targets for family, personal time and rest.", icon="🌿")
else:
    st.text("Short of target: " + ", ".join(f"{area} {hours:.1f} h" for area, hours in plan.shortfall.items()))
    if plan.unmet:
        st.warning("Not enough free time for: " + ", ".join(f"{a} ({h:.1f} h left)" for a, h in plan.unmet.items()), icon="⏳")
    edited = st.data_editor(
        reflect.blocks_for_editing(plan.blocks, tz=zone), num_rows="dynamic", hide_index=True, width="stretch",
        key=f"plan_{next_week}", column_order=["area", "title", "start", "end"],
        column_config={
            "area": st.column_config.SelectboxColumn("area", options=list(AREAS), required=True),
            "start": st.column_config.DatetimeColumn("start", format="ddd D MMM, HH:mm", step=900, required=True),
            "end": st.column_config.DatetimeColumn("end", format="ddd D MMM, HH:mm", step=900, required=True),
        },
    )
    with reported("Preparing the calendar file"):
        blocks = reflect.blocks_from_editor(edited, tz=zone)
        st.download_button(
            f"Download the plan ({len(blocks)} blocks, .ics)", reflect.plan_calendar(blocks, tz=zone),
            file_name=f"balance-dash-plan-{next_week:%Y-%m-%d}.ics", mime="text/calendar", type="primary",
            icon="📥",
        )

against = cached.plan_against_actual(week_start)
if len(against):
    st.subheader("Planned against logged")
    st.caption(f"{review.iso_week}: what your calendars planned and what you logged by hand.")
    st.dataframe(wording.readable_table(against), hide_index=True, width="stretch")

st.header("Past reviews")
reviews = history["reviews"]
if reviews.empty:
    st.caption("Saved reviews appear here beside their week's figures.")
else:
    st.dataframe(reviews, hide_index=True, width="stretch",
                 column_config={"boundaries_kept": st.column_config.ProgressColumn("boundaries kept", min_value=0.0, max_value=1.0, format="percent"),
                                "answers": st.column_config.NumberColumn("answers")})
