"""The events behind a figure as a table, and one-click placement of the row a user selects:
only that occurrence, or its whole series (This week's drill-down and the Trends heatmap)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from balance_dash.models import AREAS
from balance_dash.ui import cached
from balance_dash.ui.feedback import flash, reported
from balance_dash.ui.text import plain
from balance_dash.workflows import drilldown


def events_with_placement(
    events: pd.DataFrame, *, headers: dict[str, str], key: str, current_area: str, button_prefix: str = ""
) -> None:
    """`events` (from `workflows.drilldown`) shown with `headers` (column -> header in words);
    selecting a row offers its placement in every other area, one occurrence or the series."""
    shown = events[list(headers)].rename(columns=headers)
    picked = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key=key,
        column_config={headers["hours"]: st.column_config.NumberColumn(format="%.2f")},
    )
    rows = picked.selection.rows if picked and picked.selection else []
    if not rows or rows[0] >= len(events):
        return
    chosen = events.iloc[rows[0]]
    st.markdown(f"Place **{plain(chosen['title'] or '(no title)')}** ({plain(chosen['when'])}):")
    one, whole = st.columns(2)
    others = [area for area in AREAS if area != current_area]
    with one:
        st.caption("Only this occurrence")
        for area in others:
            if st.button(area.capitalize(), key=f"{button_prefix}one-{area}", width="stretch"):
                with reported("Placing the occurrence"):
                    drilldown.place_occurrence(cached.engine(), source_id=int(chosen["source_id"]), uid=str(chosen["uid"]),
                                               recurrence_key=str(chosen["recurrence_key"]), area=area)
                    flash(f"Placed this “{chosen['title']}” ({chosen['when']}) in {area}; the rest of its series keeps its area")
                    st.rerun()
    with whole:
        st.caption("The whole series")
        for area in others:
            if st.button(area.capitalize(), key=f"{button_prefix}series-{area}", width="stretch"):
                with reported("Placing the series"):
                    drilldown.place_series_of(cached.engine(), source_id=int(chosen["source_id"]), uid=str(chosen["uid"]), area=area)
                    flash(f"Placed every occurrence of “{chosen['title']}” in {area}")
                    st.rerun()
