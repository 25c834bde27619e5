"""Small display pieces shared by pages (metrics, warning cards, the chart range, the theme)."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from balance_dash import health, wording, workflows
from balance_dash.analytics.trends import Period
from balance_dash.targets import range_text

SEVERITY_ICONS = {"high": "🛑", "caution": "⚠️", "boundary": "🚧", "info": "ℹ️"}
RANGE_STATE = "chart_range"  # shared by This week and Trends
RANGE_LABELS: dict[Period, str] = {"12w": "12 weeks", "6m": "6 months", "1y": "1 year", "all": "All"}  # fit a phone
# Plotly's toolbar, trimmed to what helps: download, zoom reset. Its logo and lasso tools go.
CHART_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "toggleSpikelines",
                               "hoverClosestCartesian", "hoverCompareCartesian", "zoom2d", "pan2d"],
}


def theme() -> Literal["light", "dark"]:
    """The Streamlit theme the browser shows (light until the browser has said)."""
    return "dark" if st.context.theme.type == "dark" else "light"


def chart(figure: go.Figure, *, key: str, **kwargs: Any) -> Any:
    """A plotly figure drawn with its own colours (the theme's template, not Streamlit's)."""
    return st.plotly_chart(figure, key=key, theme=None, config=CHART_CONFIG, width="stretch", **kwargs)


def figures_table(frame: pd.DataFrame, *, label: str = "The figures in this chart") -> None:
    """The numbers a chart draws, as a table to read or copy (under the chart, folded)."""
    with st.expander(label):
        st.dataframe(wording.readable_table(frame.round(2)), hide_index=True, width="stretch")


def range_control(key: str) -> Period:
    """The period of the charts (12 weeks, 6 months, a year, all), the same on every page that has it."""
    current: Period = st.session_state.get(RANGE_STATE, "12w")
    options: list[Period] = list(RANGE_LABELS)

    def remember() -> None:
        st.session_state[RANGE_STATE] = st.session_state[key] or current

    chosen = st.segmented_control(
        "Range", options, default=current, format_func=RANGE_LABELS.__getitem__, key=key, on_change=remember,
        help="How many weeks the charts show. The same choice applies on This week and on Trends.",
    )
    return chosen or current


def area_metric(area: str, hours: float, targets: pd.DataFrame, *, note: str = "", days_off: str = "") -> None:
    """One area's hours with its target range and the gap to it ("5.5 h under target").

    `days_off` ("2 of 5 working days off") explains a target pro-rated for days off.
    """
    low = targets["min_hours"].get(area) if area in targets.index else None
    high = targets["max_hours"].get(area) if area in targets.index else None
    base_low = targets["base_min_hours"].get(area) if "base_min_hours" in targets and area in targets.index else low
    base_high = targets["base_max_hours"].get(area) if "base_max_hours" in targets and area in targets.index else high
    state, gap = workflows.target_gap(hours, low, high)
    delta = wording.gap_text(state, gap)
    if high == 0 and (base_high or base_low):  # every working day off: there is nothing to meet
        state, delta = "days off", "no target: days off"
    colour: Literal["orange", "gray"] = "orange" if state in ("under", "over") else "gray"
    help_text = f"Target: {range_text(low, high)}."
    if (base_low, base_high) != (low, high) and days_off:
        help_text += f" Your target of {range_text(base_low, base_high)}, pro rata for {days_off}."
    if area == "rest":
        help_text += " Waking rest and recovery that your calendar or log holds; sleep is counted apart."
    help_text += f" {note}" if note else ""
    st.metric(
        area.capitalize(), f"{hours:.1f} h", delta=delta, delta_color=colour, help=help_text,
        border=True,
        # The words say the direction; the arrow only shows it (down: under, up: over).
        delta_arrow="down" if state == "under" else "up" if state == "over" else "off",
    )


def warning_list(warnings: list[health.HealthWarning]) -> None:
    """One card per kind of warning, the most severe first, listing its days and its source once."""
    if not warnings:
        st.success("No warnings for this week.", icon="🌿")
        return
    for group in wording.group_warnings(warnings):
        icon = SEVERITY_ICONS.get(group.severity, "•")
        severity = wording.SEVERITY_WORDS.get(group.severity, group.severity.capitalize())
        with st.container(border=True):
            st.markdown(f"{icon} **{group.headline}**", help=f"{severity} · code `{group.code}` in the JSON export")
            messages = list(dict.fromkeys(w.message for w in group.warnings))
            for message in messages[:3]:
                st.text(message)  # plain text: messages can quote event titles
            if len(messages) > 3:
                with st.expander(f"{len(messages) - 3} more"):
                    for message in messages[3:]:
                        st.text(message)
            worst = group.warnings[0]
            st.caption(f"Source: [{worst.source}]({worst.url})" if worst.url else f"Source: {worst.source}")
