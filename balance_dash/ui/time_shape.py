"""The shape of the time on the dashboard: the "Time shape" section of This week and the Meetings
view of Trends (meetings, focus and fragmented time, chunks, series cost, people)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from balance_dash import charts_shape
from balance_dash.settings import Settings
from balance_dash.ui import cached, layout, widgets
from balance_dash.workflows.patterns import Patterns

SERIES_STATE = "meeting_series"  # the series key whose occurrences are listed
SERIES_CHART = "meeting_series_chart"
DEFINITIONS = (
    "A meeting is an event with someone else on it (other attendees, or someone else organised it); "
    "declined, cancelled and free ones are left out. Focus time: meeting-free blocks of {focus:g} h or more "
    "inside your working hours ({start:%H:%M}–{end:%H:%M}, not on rest days or days off); shorter gaps are "
    "fragmented. See docs/time-shape.md for the definitions and their sources."
)


def _hours(value: float) -> str:
    return f"{value:.1f} h"


def week_section(selected: date, settings: Settings) -> None:
    """This week's meeting share, focus hours, and family and personal time in chunks or scraps."""
    shape = cached.patterns(selected, selected + timedelta(days=6))
    week = shape.week(selected)
    st.subheader("Time shape")
    if float(week["working_hours"]) == 0 and int(week["meetings"]) == 0 and float(
        week["family_block_hours"] + week["personal_block_hours"]
    ) == 0:
        st.caption("No working hours, meetings, family or personal time this week: nothing to shape.")
        return
    meetings, focus, family, personal = st.columns(4)
    work = float(week["work_hours"])
    meetings.metric(
        "Meetings", _hours(float(week["meeting_hours"])),
        delta=f"{float(week['meeting_share']):.0%} of {work:.1f} h of work" if work else "no work this week",
        delta_color="off", delta_arrow="off",
        help="Hours in events with someone else on them, placed in work or in no area yet (overlapping ones "
             "count once), and the share of the week's work hours they took.",
    )
    focus.metric(
        "Focus time", _hours(float(week["focus_hours"])), delta=f"{float(week['fragmented_hours']):.1f} h fragmented",
        delta_color="off", delta_arrow="off",
        help=f"Meeting-free blocks of {settings.focus_block_hours:g} h or more inside your working hours; "
             "fragmented: the shorter gaps between meetings.",
    )
    for column, area in ((family, "family"), (personal, "personal")):
        total = float(week[f"{area}_block_hours"])
        column.metric(
            f"{area.capitalize()} time in chunks", f"{float(week[f'{area}_chunk_share']):.0%}" if total else "–",
            delta=f"longest block {float(week[f'{area}_longest_block_hours']):.1f} h" if total else None,
            delta_color="off", delta_arrow="off",
            help=f"The share of this week's {area} time that came in blocks of {settings.chunk_hours:g} h or more, "
                 "against scraps; and the longest block.",
        )
    if float(week[list(charts_shape.MATRIX_COLOURS)].sum()) > 0:
        st.caption(
            f"Priority matrix: {float(week['urgent_not_important_share']):.0%} of this week's work was urgent but "
            f"not important ({float(week['urgent_not_important_work_hours']):.1f} h), "
            f"{float(week['matrix_schedule_hours']):.1f} h important and not urgent."
        )
    notes = []
    if int(week["meetings"]):
        notes.append(f"{int(week['meetings'])} meetings: {int(week['meetings_by_me'])} organised by you, "
                     f"{int(week['meetings_by_others'])} by others")
    if int(week["back_to_back"]):
        notes.append(f"{int(week['back_to_back'])} back to back (longest run: {int(week['longest_run_meetings'])} "
                     f"meetings, {float(week['longest_run_hours']):.1f} h)")
    unplaced = float(week["meeting_hours_unplaced"])
    if unplaced >= 0.05:  # shown to one decimal
        notes.append(f"{unplaced:.1f} h of meetings in events with no area yet, not in the share of work")
    if float(week["meeting_hours_outside"]) > 0:
        notes.append(f"{float(week['meeting_hours_outside']):.1f} h of meetings outside working hours")
    if int(week["workdays_with_work"]):
        notes.append(f"workday span {float(week['span_hours_mean']):.1f} h on average, "
                     f"{float(week['span_hours_max']):.1f} h at most (first to last work of a day)")
    if notes:
        st.caption(" · ".join(notes) + ".")
    _working_time_block(selected)
    listed = shape.week_meetings(selected)
    if not listed.empty:
        with st.expander(f"The meetings of this week ({len(listed)})"):
            st.dataframe(listed, hide_index=True, width="stretch",
                         column_config={"start": st.column_config.DatetimeColumn("Start", format="ddd DD MMM HH:mm"),
                                        "end": st.column_config.DatetimeColumn("End", format="HH:mm")})
    st.page_link(layout.page("trends"), label="Meetings over time, and what each series costs", icon="📈")


def _working_time_block(selected: date) -> None:
    """The week against the contract, and the running balance (with the cap's warning)."""
    account = cached.working_time()
    if not account.has_contract:
        st.caption("Set your contract hours under Targets and boundaries to see your hours against your contract.")
        return
    week = account.week(selected)
    if week is None:
        st.caption("This week is not in your working-time account (before your contract, or no data yet).")
        return
    contract, worked, running = st.columns(3)
    contract.metric("Contract hours", _hours(week["contract_hours"]),
                    delta=_days_off_note(week["days_off"], week["holidays"]), delta_color="off", delta_arrow="off",
                    help="What your contract asks of the days so far; days off and public holidays ask nothing.")
    worked.metric("Worked", _hours(week["worked_hours"]), delta=f"{week['balance_hours']:+.1f} h this week",
                  delta_color="off", delta_arrow="off")
    running.metric("Working-time balance", f"{week['running_balance_hours']:+.1f} h",
                   help="Hours over (+) or under (−) your contract since it began, at the end of this week.")
    names = account.holidays_in(selected, selected + timedelta(days=6))
    if not names.empty:
        st.caption("Public holidays: " + ", ".join(f"{day:%a %d %b} {name}" for day, name in names.items()) + ".")
    mine = [w for w in account.warnings if w.period_start == selected]
    if mine:
        st.warning(mine[0].message, icon="🚧")


def _days_off_note(days_off: float, holidays: float) -> str | None:
    parts = [f"{int(days_off)} day{'s' if days_off != 1 else ''} off" if days_off else "",
             f"{int(holidays)} holiday{'s' if holidays != 1 else ''}" if holidays else ""]
    text = ", ".join(part for part in parts if part)
    return text or None


def _series_clicked() -> None:
    state = st.session_state.get(SERIES_CHART)
    points = state.selection.points if state and state.selection else []
    if points and points[0].get("customdata"):
        st.session_state[SERIES_STATE] = str(points[0]["customdata"][0])


def meetings_view(first_day: date, last_day: date, settings: Settings, theme: str) -> None:
    """Meetings in the period: working hours by what filled them, series cost with their occurrences, people."""
    st.subheader("Meetings")
    shape = cached.patterns(first_day, last_day)
    st.caption(DEFINITIONS.format(focus=settings.focus_block_hours, start=settings.workday_start,
                                  end=settings.disconnect_time))
    weekly = shape.weekly
    total, per_week, back_to_back, outside = st.columns(4)
    weeks = max(len(weekly), 1)
    total.metric("Meeting hours", _hours(float(weekly["meeting_hours"].sum())),
                 help="All meeting hours in the period (overlapping meetings count once).")
    per_week.metric("A week, on average", _hours(float(weekly["meeting_hours"].sum()) / weeks),
                    delta=f"{float(weekly['focus_hours'].sum()) / weeks:.1f} h focus", delta_color="off", delta_arrow="off")
    back_to_back.metric("Back to back", f"{int(weekly['back_to_back'].sum())}",
                        delta=f"longest run {int(weekly['longest_run_meetings'].max() or 0)} meetings",
                        delta_color="off", delta_arrow="off",
                        help=f"Meetings that start less than {settings.back_to_back_minutes:g} minutes after the one before.")
    outside.metric("Outside working hours", _hours(float(weekly["meeting_hours_outside"].sum())))
    widgets.chart(charts_shape.working_time_shape(weekly, focus_block_hours=settings.focus_block_hours, theme=theme),
                  key="trend_time_shape")
    widgets.figures_table(weekly[["iso_week", *charts_shape.SHAPE_COLOURS, "back_to_back", "span_hours_mean"]].rename(
        columns={"iso_week": "Week", **{c: n.capitalize() + " (h)" for c, n in charts_shape.SHAPE_NAMES.items()},
                 "back_to_back": "Back to back", "span_hours_mean": "Workday span (h, mean)"}))
    _matrix(weekly, theme)
    if shape.meetings.empty:
        st.info("No meetings in this period. A meeting is an event that lists other people, or that someone "
                "else organised.", icon="🤝")
        return
    _series(shape)
    _people(shape, settings)


def _matrix(weekly: pd.DataFrame, theme: str) -> None:
    columns = list(charts_shape.MATRIX_COLOURS)
    if not weekly[columns].to_numpy().any():
        st.caption("The priority matrix: give rules a priority (important, urgent) on the Rules page to see "
                   "the hours of each quadrant here.")
        return
    widgets.chart(charts_shape.priority_matrix(weekly, theme=theme), key="trend_priority_matrix")
    widgets.figures_table(weekly[["iso_week", *columns]].rename(
        columns={"iso_week": "Week", **{c: n.capitalize() + " (h)" for c, n in charts_shape.MATRIX_NAMES.items()}}))


def _series(shape: Patterns) -> None:
    series = shape.series
    if series.empty:
        st.caption("No recurring meetings in this period.")
        return
    widgets.chart(charts_shape.series_cost(series, theme=widgets.theme()), key=SERIES_CHART, on_select=_series_clicked,
                  selection_mode="points")
    keys = series["series_key"].astype(str).tolist()
    titles = dict(zip(keys, charts_shape.series_labels(series, length=80), strict=True))
    if st.session_state.get(SERIES_STATE) not in (None, *keys):
        st.session_state.pop(SERIES_STATE)
    picked = st.selectbox(
        "Show the meetings of a series", keys, index=None, key=SERIES_STATE, placeholder="Pick a series, or click its bar",
        format_func=lambda key: f"{titles[key]} · {float(series.loc[series['series_key'] == key, 'hours'].iloc[0]):.1f} h",
    )
    table = series.assign(
        hours_per_week=series["hours_per_week"].round(2), hours=series["hours"].round(2),
        next=pd.to_datetime(series["next_start_utc"], utc=True).dt.tz_convert(shape.tz).dt.tz_localize(None),
    )[["title", "hours_per_week", "hours", "occurrences", "next"]]
    with st.expander(f"Every recurring meeting ({len(table)})"):
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "title": "Series", "hours_per_week": "Hours a week", "hours": "Hours", "occurrences": "Meetings",
            "next": st.column_config.DatetimeColumn("Next", format="ddd DD MMM YYYY HH:mm"),
        })
    if picked:
        occurrences = shape.series_occurrences(picked)
        with st.container(border=True, key="series-occurrences"):
            st.markdown(f"**{titles[picked]}**: {len(occurrences)} meetings, {occurrences['hours'].sum():.1f} h in the period")
            st.dataframe(occurrences, hide_index=True, width="stretch",
                         column_config={"start": st.column_config.DatetimeColumn("Start", format="ddd DD MMM YYYY HH:mm"),
                                        "end": st.column_config.DatetimeColumn("End", format="HH:mm")})


def _people(shape: Patterns, settings: Settings) -> None:
    if shape.hide_people:
        st.caption("The people you meet are hidden (setting hide_people).")
        return
    if shape.people.empty:
        return
    st.markdown("**The people you spend most meeting time with**")
    if not settings.my_addresses:
        st.caption("Your own addresses are not set, so you may be on this list too: set them under Targets and boundaries.")
    st.dataframe(shape.people.rename(columns={"person": "Person", "hours": "Hours", "meetings": "Meetings"}).round(2),
                 hide_index=True, width="stretch")
