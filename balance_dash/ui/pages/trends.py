"""Trends: weekly hours per area, when you work, work outside your boundaries, and this month
and quarter against the ones before."""

from __future__ import annotations

import streamlit as st

from balance_dash import charts
from balance_dash.analytics.trends import ROLLING_WEEKS, Period
from balance_dash.settings import WEEKDAY_NAMES
from balance_dash.ui import cached, layout, placement, time_shape, widgets

if not cached.has_data():
    layout.welcome()
    st.stop()

st.title("Trends")
settings = cached.settings()
theme = widgets.theme()
period: Period = widgets.range_control("range_trends")
result = cached.trends(period)

if not result.has_events:
    st.info(
        "Your calendars hold no events up to this week yet, so there is no trend to show. "
        "Import a calendar with past events, or log some time.",
        icon="🌱",
    )
    st.page_link(layout.page("import_calendars"), label="Go to Calendars", icon="📥")
    st.stop()

st.caption(
    f"{result.first_day:%d %b %Y} – {result.last_day:%d %b %Y} · {result.weeks} "
    + ("week" if result.weeks == 1 else "weeks")
    + (f" · your data starts on {result.data_since:%d %b %Y}" if result.shortened and result.data_since else "")
)
if result.weeks < ROLLING_WEEKS:
    st.info(
        f"Only {result.weeks} {'week' if result.weeks == 1 else 'weeks'} of data so far: the "
        f"{ROLLING_WEEKS}-week mean averages the weeks there are, and settles as more weeks come in.",
        icon="ℹ️",
    )

widgets.chart(
    charts.weekly_trend(result.weekly, window=ROLLING_WEEKS, week_starts_on=settings.week_starts_on, theme=theme),
    key="trend_weekly",
)
widgets.figures_table(result.weekly[["iso_week", "area", "hours", "rolling_hours"]].rename(
    columns={"iso_week": "Week", "area": "Area", "hours": "Hours", "rolling_hours": f"{ROLLING_WEEKS}-week mean"}))
heat_event = widgets.chart(charts.work_heatmap(result.heatmap, theme=theme), key="trend_heatmap", on_select="rerun",
                           selection_mode="points")
points = ((heat_event or {}).get("selection") or {}).get("points") or []  # a dict-like state, read as one
cell = points[0] if points else None
if cell is not None and str(cell.get("y")) in WEEKDAY_NAMES and cell.get("x") is not None:
    weekday, hour = WEEKDAY_NAMES.index(str(cell["y"])), int(cell["x"])
    events = cached.events_in_hour(result.first_day, result.last_day, weekday, hour)
    with st.container(border=True, key="heatmap-drilldown"):
        st.markdown(f"**Work on {WEEKDAY_NAMES[weekday]}s, {hour:02d}:00–{(hour + 1) % 24:02d}:00:** "
                    f"{len(events)} {'event' if len(events) == 1 else 'events'}, {events['hours'].sum():.1f} h in that hour")
        if events.empty:
            st.caption("No timed work events in that hour in the period shown.")
        else:
            st.caption("Each event's time inside that hour, in the period shown; the rule or choice that made it work. "
                       "Select a row to place it in another area.")
            placement.events_with_placement(
                events, key=f"heat-table-{weekday}-{hour}", current_area="work", button_prefix="heat-",
                headers={"title": "Event", "calendar": "Calendar", "when": "When", "hours": "Hours in that hour",
                         "placed_by": "Why work"},
            )
widgets.figures_table(result.heatmap.rename(columns=lambda hour: f"{int(hour):02d}:00").rename_axis("Day").reset_index())

rest_days = ", ".join(WEEKDAY_NAMES[d][:3] for d in sorted(settings.rest_days)) or "none"
window_text = (
    f"working hours {settings.workday_start:%H:%M}–{settings.disconnect_time:%H:%M} · rest days: {rest_days}"
)
if result.after_hours["total_hours"].gt(0).any():
    widgets.chart(charts.after_hours(result.after_hours, window_text=window_text, theme=theme), key="trend_after_hours")
    widgets.figures_table(result.after_hours[["iso_week", "outside_hours", "rest_day_hours"]].rename(columns={
        "iso_week": "Week", "outside_hours": "Before start or after disconnect (h)", "rest_day_hours": "On rest days and days off (h)",
    }))
else:
    st.success(f"No work outside your boundaries in this period ({window_text}).", icon="🌿")
scores = cached.boundary_scores(result.first_day, result.last_day)
if not scores.empty and scores["boundaries"].gt(0).any():
    widgets.chart(charts.boundaries_kept(scores, theme=theme), key="trend_boundaries_kept")
    streak = int(scores["all_kept_streak"].iloc[-1])
    if streak:
        st.caption(f"Every boundary kept {streak} {'week' if streak == 1 else 'weeks'} in a row.")
st.page_link(layout.page("targets"), label="Change your boundaries", icon="🎯")

time_shape.meetings_view(result.first_day, result.last_day, settings, theme)

st.subheader("This period against the last")
st.caption("Each period so far against the same number of days of the one before it.")
for column, (comparison, title) in zip(
    st.columns(2), ((result.month, "This month against last"), (result.quarter, "This quarter against last")),
    strict=True,
):
    with column:
        figure = charts.period_comparison(
            comparison.hours,
            current_label=comparison.spans.label("current"),
            previous_label=comparison.spans.label("previous"),
            title=title,
            theme=theme,
        )
        widgets.chart(figure, key=f"trend_{comparison.spans.span}")
        widgets.figures_table(comparison.hours.rename_axis("Area").reset_index().rename(columns={
            "current_hours": comparison.spans.label("current"), "previous_hours": comparison.spans.label("previous"),
            "difference_hours": "Difference (h)",
        }))
