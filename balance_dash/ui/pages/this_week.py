"""This week: what needs sorting first, the week's figures against targets, the weekly balance
chart over the chosen range, the events behind any figure, the warnings, the week day by day."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pandas as pd
import streamlit as st

from balance_dash import charts, wording, workflows
from balance_dash.analytics.trends import PERIOD_WEEKS
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, UNCATEGORIZED
from balance_dash.ui import cached, layout, placement, time_shape, widgets
from balance_dash.ui.feedback import flash, reported
from balance_dash.ui.text import plain
from balance_dash.workflows import data as data_workflows
from balance_dash.workflows import drilldown
from balance_dash.workflows import rules as rule_workflows

AHEAD_WEEKS = 2  # scheduled weeks drawn after the current week
UNCATEGORIZED_SHARE = 0.25  # from this share of a week's hours on, sorting them comes first
DRILL_STATE = "drill"  # (week start, area) whose events are listed

if not cached.has_data():
    layout.welcome()
    st.stop()

settings = cached.settings()
zone = cached.display_zone()
theme = widgets.theme()
today = datetime.now(UTC).astimezone(zone).date()
this_week = workflows.week_start_of(today, settings.week_starts_on)


def _week_from_url() -> date:
    """The week named in the address (?week=2026-W47), so a week can be bookmarked and shared."""
    named = st.query_params.get("week")
    if named:
        with contextlib.suppress(InvalidValueError):
            return workflows.week_start_of(workflows.parse_iso_week(named), settings.week_starts_on)
    return this_week


def _go_to(week_start: date) -> None:
    st.session_state["week_start"] = workflows.week_start_of(week_start, settings.week_starts_on)
    for key in (DRILL_STATE, "week_picker", "drill_pick"):  # the picker shows the new week; no area picked
        st.session_state.pop(key, None)


def _picked() -> None:
    picked = st.session_state.get("week_picker")
    if isinstance(picked, date):
        _go_to(picked)


def _typed() -> None:
    """A date (2026-11-10) or a week (2026-W46) typed and confirmed with Enter."""
    text = str(st.session_state.get("week_typed") or "").strip()
    if not text:
        return
    try:
        day = workflows.parse_iso_week(text) if "w" in text.lower() else date.fromisoformat(text)
    except (InvalidValueError, ValueError):
        st.session_state["week_typed_error"] = f"“{text}” is neither a date like 2026-11-10 nor a week like 2026-W46."
        return
    _go_to(day)
    st.session_state["week_typed"] = ""


if "week_start" not in st.session_state:
    st.session_state["week_start"] = _week_from_url()
selected: date = st.session_state["week_start"]

st.title("Your week")
back, picker, forward, jump = st.columns([1, 2.4, 1, 1.2], vertical_alignment="bottom")
back.button("◀ Previous", on_click=_go_to, args=(selected - timedelta(weeks=1),), width="stretch")
forward.button("Next ▶", on_click=_go_to, args=(selected + timedelta(weeks=1),), width="stretch")
jump.button("This week", on_click=_go_to, args=(this_week,), disabled=selected == this_week, width="stretch")
picker.date_input(
    "Week of", value=selected, format="YYYY-MM-DD", key="week_picker", on_change=_picked,
    help="Pick a day: the page shows its week.",
)

typed, range_column = st.columns([1, 1.6], vertical_alignment="bottom")
typed.text_input("Go to a date or week", key="week_typed", on_change=_typed, placeholder="2026-11-10 or 2026-W46",
                 help="Type a date or an ISO week and press Enter.")
if "week_typed_error" in st.session_state:
    st.warning(st.session_state.pop("week_typed_error"), icon="📅")
with range_column:
    period = widgets.range_control("range_this_week")
weeks = PERIOD_WEEKS[period]
span = cached.data_span()
last_week = selected + timedelta(weeks=AHEAD_WEEKS) if selected >= this_week else selected
if weeks is None:
    first_week = min(selected, workflows.week_start_of(span[0], settings.week_starts_on)) if span else selected
    last_week = max(last_week, min(workflows.week_start_of(span[1], settings.week_starts_on), this_week + timedelta(weeks=AHEAD_WEEKS))) if span else last_week
else:
    first_week = selected - timedelta(weeks=weeks - 1)
result = cached.balance(first_week, last_week + timedelta(days=6))
week = result.week(selected)
st.query_params["week"] = str(week["iso_week"])
targets_in_view = charts.waking_rest_targets(result.weekly, result.targets)
targets_now = targets_in_view[targets_in_view["week_start"] == pd.Timestamp(selected)].set_index("area")
scheduled = result.is_scheduled(selected)
hours = charts.balance_hours(result.weekly.loc[[pd.Timestamp(selected)]]).iloc[0]
has_data = bool(hours["has_data"])

st.subheader(f"Week {week['iso_week']} · {selected:%d %b} – {selected + timedelta(days=6):%d %b %Y}"
             + (" · scheduled" if scheduled else "") + (" · vacation" if bool(hours["vacation"]) else ""))
if not has_data:
    where = f" Your data runs from {span[0]:%d %b %Y} to {span[1]:%d %b %Y}." if span else ""
    st.info(f"No calendar or log covers this week, so it is not judged.{where}", icon="🗓️")
    if span:
        st.button("Go to the latest week with data", on_click=_go_to, args=(min(span[1], today),))
elif scheduled:
    st.caption("This week is not over yet: its figures are what your calendar already holds.")
if has_data and bool(hours["vacation"]):
    st.caption(
        "Every working day of this week is a day off: there is no work target, and work on a day off "
        "is a broken boundary instead."
    )

# --- Uncategorized first ----------------------------------------------------------------------
counted = sum(float(hours[column]) for column in (*AREAS, UNCATEGORIZED)) if has_data else 0.0
share = float(hours[UNCATEGORIZED]) / counted if counted else 0.0
if share >= UNCATEGORIZED_SHARE:
    with st.container(border=True, key="sort-first"):
        st.markdown(
            f"**{share:.0%} of this week's hours have no area yet** ({hours[UNCATEGORIZED]:.1f} of {counted:.1f} h). "
            "Until they have one, the figures below understate every area. Sort the biggest ones here:"
        )
        left = cached.uncategorized().head(5)
        for row in left.to_dict("records"):
            source_id, title = int(row["source_id"]), str(row["title"])
            key = hashlib.sha256(f"{source_id}\x00{title}".encode()).hexdigest()[:12]
            st.text(f"{title or '(no title)'} · {row['source']} · {row['hours']:.1f} h in all")
            # A row of buttons that wraps on a narrow screen instead of stacking five columns.
            buttons = st.container(horizontal=True, key=f"first-row-{key}")
            for area in AREAS:
                if buttons.button(area.capitalize(), key=f"first-{key}-{area}",
                                  help=plain(f"Place every “{title}” of {row['source']} in {area}")):
                    with reported("Placing the series"):
                        placed = rule_workflows.place_series(cached.engine(), source_id=source_id, title=title, area=area)
                        flash(f"“{title}” is now {area}: {placed} series placed")
                        st.rerun()
            with buttons.popover("Make a rule"):
                st.caption(plain(f"Every event titled like “{title}”, in any calendar, now and in future imports:"))
                for area in AREAS:
                    if st.button(area.capitalize(), key=f"rule-{key}-{area}", width="stretch"):
                        with reported("Adding the rule"):
                            number = drilldown.add_title_rule(cached.engine(), title=title, area=area)
                            flash(f"Rule {number} added: titles like “{title}” go to {area}")
                            st.rerun()
        st.page_link(layout.page("rules"), label="All uncategorized events, and the rules", icon="🏷️")

# --- The week's figures -------------------------------------------------------------------------
days_off = (
    f"{int(week['workdays_off'])} of {int(week['workdays'])} working days off" if int(week.get("workdays_off", 0)) else ""
)
for column, area in zip(st.columns(len(AREAS)), AREAS, strict=True):
    with column:
        widgets.area_metric(
            area, float(hours[area]) if has_data else 0.0, targets_now if has_data else targets_now.iloc[0:0],
            days_off=days_off,
        )
shared, unaccounted, sleep_column, uncategorized_column = st.columns(4)
shared.metric("Counted for two areas", f"{week['integration']:.1f} h",
              help="Time that counts for two areas at once (for example work and family).")
unaccounted.metric("Unaccounted", f"{week['unaccounted']:.1f} h", help="Hours of the week's 168 that no event, log or sleep covers.")
nights = max(int(week.get("data_days", 7)), 1)
sleep_column.metric(
    "Sleep", f"{hours['sleep']:.1f} h" if has_data else "–",
    delta=f"{float(hours['sleep']) / nights:.1f} h a night" if has_data else None, delta_color="off", delta_arrow="off",
    help=(f"{week['assumed_sleep']:.1f} h of it is the assumed sleep window where nothing else is on; the rest "
          "is sleep you logged. Sleep is not part of any area, rest included."),
)
if has_data and week[UNCATEGORIZED] > 0:
    uncategorized_column.metric("Uncategorized", f"{week[UNCATEGORIZED]:.1f} h", help="Events no rule places; give them an area here or on the Rules page.")
left_out = result.not_counted(selected) if has_data else {}
if left_out or (has_data and week.get("tentative", 0)):
    parts = [f"{left_out[reason]:.1f} h {word}" for reason, word in wording.NOT_COUNTED_WORDS.items() if reason in left_out]
    note = f"Not counted: {', '.join(parts)}." if parts else ""
    if week.get("tentative", 0):
        note += f" Counted but not yet accepted (tentative or unanswered): {week['tentative']:.1f} h."
    st.caption(note.strip())


def _drill_picked() -> None:
    area = st.session_state.get("drill_pick")
    if area:
        st.session_state[DRILL_STATE] = (selected, area)
    else:
        st.session_state.pop(DRILL_STATE, None)


st.segmented_control(
    "See the events behind", [*AREAS, *([UNCATEGORIZED] if has_data and week[UNCATEGORIZED] > 0 else [])],
    format_func=charts.area_label, key="drill_pick", selection_mode="single", on_change=_drill_picked,
    help="Lists the events that make this week's hours of an area. Clicking a bar in the chart does the same.",
)

# --- The chart ----------------------------------------------------------------------------------
show_sleep = st.toggle("Show sleep", key="show_sleep", help="Sleep is not an area: it is drawn apart, next to the areas.")
flags = [result.is_scheduled(start.date()) for start in result.weekly.index]
figure = charts.weekly_balance(
    result.weekly, result.targets, scheduled=flags, selected_week=pd.Timestamp(selected), show_sleep=show_sleep, theme=theme,
)
CHART_KEY = "balance_chart"


def _clicked() -> None:
    """A click on a bar (or a point of a line) opens that week and lists the events behind it."""
    state = st.session_state.get(CHART_KEY)
    points = state.selection.points if state and state.selection else []
    if points and points[0].get("customdata"):
        start_text, area = points[0]["customdata"][:2]
        if area in (*AREAS, UNCATEGORIZED):
            clicked = date.fromisoformat(str(start_text))
            _go_to(clicked)
            st.session_state[DRILL_STATE] = (clicked, area)


widgets.chart(figure, key=CHART_KEY, on_select=_clicked, selection_mode="points")
table_box, png_box = st.columns([3, 1], vertical_alignment="center")
with table_box.expander("The figures in this chart"):
    st.dataframe(charts.balance_table(result.weekly, result.targets, scheduled=flags), hide_index=True, width="stretch")
if data_workflows.chart_browser() is not None:
    png_box.download_button(
        "Chart as PNG", data=partial(data_workflows.figure_png, figure), on_click="ignore", width="stretch",
        file_name=data_workflows.export_file_name("weekly-balance", "png", first_week, last_week + timedelta(days=6)),
        mime=data_workflows.MIME_TYPES["png"], help="This chart as shown, drawn by this machine's Chromium.",
    )

# --- The events behind a figure -------------------------------------------------------------------
drill = st.session_state.get(DRILL_STATE)
if drill:
    drill_week, drill_area = drill
    events = cached.events_behind(drill_week, drill_week + timedelta(days=6), drill_area)
    with st.container(border=True, key="drilldown"):
        heading, close = st.columns([5, 1], vertical_alignment="center")
        heading.markdown(
            f"**{charts.area_label(drill_area)} in week {workflows.week_start_of(drill_week, settings.week_starts_on):%d %b %Y}:** "
            f"{len(events)} {'event' if len(events) == 1 else 'events'}, {events['hours'].sum():.1f} h"
        )
        if close.button("Close", key="drill-close", width="stretch"):
            st.session_state.pop(DRILL_STATE, None)
            st.session_state.pop("drill_pick", None)
            st.rerun()
        if events.empty:
            st.caption("No timed events: these hours come from sleep or from logs without times.")
        else:
            st.caption("Hours: each event's share of the area's hours (time two events of one area share counts once). "
                       "Select a row to place it in another area.")
            placement.events_with_placement(
                events, key=f"drill-table-{drill_week}-{drill_area}", current_area=drill_area,
                headers={"title": "Event", "calendar": "Calendar", "when": "When", "hours": "Hours", "placed_by": "Why this area"},
            )

# --- The shape of the time ------------------------------------------------------------------------------
if has_data:
    time_shape.week_section(selected, settings)

# --- Warnings and the week day by day ---------------------------------------------------------------
st.subheader("Warnings")
if has_data:
    widgets.warning_list(result.warnings_for_week(selected))
else:
    st.caption("No data, no warnings.")

st.subheader("Day by day")
timeline = cached.week_events(selected)
if timeline.empty:
    st.info("No events in this week: nothing to lay out day by day.", icon="🗓️")
else:
    widgets.chart(
        charts.week_timeline(
            timeline,
            week_start=selected,
            workday_start=settings.workday_start,
            disconnect_time=settings.disconnect_time,
            sleep=(settings.sleep_start, settings.sleep_end) if settings.sleep_enabled else None,
            rest_days=settings.rest_days,
            theme=theme,
        ),
        key="week_timeline",
    )
