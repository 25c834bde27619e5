"""This week: the weekly balance chart, the week's figures against targets, its warnings."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from balance_dash import charts, workflows
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS
from balance_dash.ui import cached, layout, widgets

if not cached.has_data():
    layout.welcome()
    st.stop()

settings = cached.settings()
zone = cached.display_zone()
today = datetime.now(UTC).astimezone(zone).date()
this_week = workflows.week_start_of(today, settings.week_starts_on)
def _week_from_url() -> date:
    """The week named in the address (?week=2026-W47), so a week can be bookmarked and shared."""
    named = st.query_params.get("week")
    if named:
        with contextlib.suppress(InvalidValueError):
            return workflows.week_start_of(workflows.parse_iso_week(named), settings.week_starts_on)
    return this_week


def _shift(weeks: int) -> None:
    st.session_state["week_start"] = st.session_state["week_start"] + timedelta(weeks=weeks)


if "week_start" not in st.session_state:
    st.session_state["week_start"] = _week_from_url()
selected: date = st.session_state["week_start"]

st.title("Your week")
back, picker, forward, jump = st.columns([1, 3, 1, 1.4], vertical_alignment="bottom")
back.button("◀ Previous", on_click=_shift, args=(-1,), width="stretch")
forward.button("Next ▶", on_click=_shift, args=(1,), width="stretch")
with picker:
    chosen = st.date_input("Week of", value=selected, format="YYYY-MM-DD", help="Pick any day of the week to show.")
if jump.button("This week", disabled=selected == this_week, width="stretch"):
    chosen = this_week
selected = workflows.week_start_of(chosen, settings.week_starts_on)
st.session_state["week_start"] = selected

# The chart shows twelve weeks up to the selected one and what is scheduled after it.
result = cached.balance(selected - timedelta(weeks=11), max(selected, this_week) + timedelta(weeks=2))
week = result.week(selected)
st.query_params["week"] = str(week["iso_week"])
targets_now = result.targets[result.targets["week_start"] == pd.Timestamp(selected)].set_index("area")
scheduled = result.is_scheduled(selected)

has_week_data = bool(week.get("has_data", True))
vacation = bool(week.get("vacation", False))
st.subheader(f"{week['iso_week']} · {selected:%d %b} – {selected + timedelta(days=6):%d %b %Y}"
             + (" · scheduled" if scheduled else "") + (" · vacation 🌴" if vacation and has_week_data else ""))
if not has_week_data:
    span = cached.data_span()
    where = f" Your data runs from {span[0]:%d %b %Y} to {span[1]:%d %b %Y}." if span else ""
    st.info(
        "No data for this week: no calendar or log covers it, so nothing here is judged and no sleep is assumed."
        + where, icon="🗓️",
    )
    if span and st.button("Go to the newest week with data"):
        st.session_state["week_start"] = workflows.week_start_of(min(span[1], today), settings.week_starts_on)
        st.rerun()
if scheduled and has_week_data:
    st.caption("This week is not over yet: its figures are what your calendar already holds.")
if vacation and has_week_data:
    st.caption(
        "Every working day of this week is a day off: the work target is pro rata 0 h, and work that day is "
        "a broken boundary instead."
    )
if has_week_data:  # a week without data has no figures to show, only the chart around it
    days_off_note = (
        f"{int(week['workdays_off'])} of {int(week['workdays'])} working days off" if int(week.get("workdays_off", 0)) else ""
    )
    area_columns = st.columns(len(AREAS) + 1)
    for column, area in zip(area_columns[: len(AREAS)], AREAS, strict=True):
        with column:
            widgets.area_metric(area, float(week[area]), targets_now, days_off_note=days_off_note)
    with area_columns[-1]:
        nights = max(int(week.get("data_days", week.get("days", 7))), 1)
        st.metric(
            "Sleep", f"{week['sleep']:.1f} h", delta=f"{week['sleep'] / nights:.1f} h a night", delta_color="off",
            delta_arrow="off", border=True,
            help=(f"{week['assumed_sleep']:.1f} h of it is the assumed sleep window where nothing else is on; "
                  "the rest is sleep you logged. Sleep is not counted as rest."),
        )
    left_out = result.not_counted(selected)
    if left_out or week.get("tentative", 0):
        words = {"declined": "declined", "free": "shown as free", "out_of_office": "out of office", "cancelled": "cancelled"}
        parts = [f"{left_out[reason]:.1f} h {word}" for reason, word in words.items() if reason in left_out]
        note = f"Not counted: {', '.join(parts)}." if parts else ""
        if week.get("tentative", 0):
            note += f" Counted but not yet accepted (tentative or unanswered): {week['tentative']:.1f} h."
        st.caption(note.strip())
    integration, unaccounted, accounted = st.columns(3)
    integration.metric("Integration hours", f"{week['integration']:.1f} h", help="Time that counts for two areas at once (for example work and family).")
    unaccounted.metric("Unaccounted", f"{week['unaccounted']:.1f} h", help="Hours of the week's 168 that no event, log or assumed sleep covers.")
    if week["uncategorized"] > 0:
        accounted.metric("Uncategorized", f"{week['uncategorized']:.1f} h", help="Events no rule places; give them an area on the Rules page.")

figure = charts.weekly_balance(
    result.weekly, result.targets,
    scheduled=[result.is_scheduled(start.date()) for start in result.weekly.index],
    selected_week=pd.Timestamp(selected),
)
event = st.plotly_chart(figure, key="balance_chart", on_select="rerun", selection_mode="points")
points = event.selection.points if event and event.selection else []
if points:
    label = points[0].get("x")
    match = result.weekly.index[result.weekly["iso_week"] == label]
    if len(match) and match[0].date() != selected:
        st.session_state["week_start"] = match[0].date()
        st.rerun()

st.subheader("Warnings")
widgets.warning_list(result.warnings_for_week(selected))

st.subheader("Day by day")
timeline = cached.week_timeline(selected)
if timeline.empty:
    st.info("No events in this week: nothing to lay out day by day.", icon="🗓️")
else:
    st.plotly_chart(
        charts.week_timeline(
            timeline,
            week_start=selected,
            workday_start=settings.workday_start,
            disconnect_time=settings.disconnect_time,
            sleep=(settings.sleep_start, settings.sleep_end) if settings.sleep_enabled else None,
            rest_days=settings.rest_days,
        ),
        key="week_timeline",
    )
