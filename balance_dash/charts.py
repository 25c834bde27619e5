"""DataFrame -> plotly Figure. Pure: no Streamlit, no I/O.

Each area keeps one colour everywhere, from the Okabe-Ito palette, which stays distinguishable
under the common colour-vision deficiencies (Okabe & Ito 2008, https://jfly.uni-koeln.de/color/).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from balance_dash.models import AREAS, UNCATEGORIZED

AREA_COLOURS = {
    "work": "#0072B2",  # blue
    "family": "#E69F00",  # orange
    "personal": "#009E73",  # bluish green
    "rest": "#CC79A7",  # reddish purple
    UNCATEGORIZED: "#999999",  # grey
}
ASSUMED_SLEEP_COLOUR = "#E7C4DA"  # a lighter tint of rest
STACK = (*AREAS, UNCATEGORIZED)
FONT = "Source Sans Pro, sans-serif"


def _base_layout(fig: go.Figure, *, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "traceorder": "normal"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hovermode="closest",
        yaxis={"title": y_title, "rangemode": "tozero"},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def weekly_balance(
    weekly: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    scheduled: Sequence[bool],
    selected_week: pd.Timestamp | None = None,
) -> go.Figure:
    """Stacked hours per week by area, each area's target range marked inside its stack.

    `weekly`: index week_start, columns per area plus `assumed_sleep` and `iso_week`.
    `targets`: columns week_start, area, min_hours, max_hours (NaN where open).
    Scheduled weeks (not yet over) are hatched and lighter. The target marker of an area sits
    where that area's segment would end if it met its target, so a segment that stops short
    of its marker is under target and one that passes it is over.
    """
    labels = weekly["iso_week"].astype(str).tolist()
    pattern = ["/" if flag else "" for flag in scheduled]
    opacity = [0.55 if flag else 1.0 for flag in scheduled]
    fig = go.Figure()
    base = pd.Series(0.0, index=weekly.index)
    for area in STACK:
        hours = weekly[area].astype(float)
        if area == UNCATEGORIZED and not hours.any():
            continue
        segments = [(area, hours, AREA_COLOURS[area])]
        if area == "rest" and "assumed_sleep" in weekly:
            logged = (hours - weekly["assumed_sleep"]).clip(lower=0)
            segments = [
                ("rest", logged, AREA_COLOURS["rest"]),
                ("assumed sleep", weekly["assumed_sleep"].astype(float), ASSUMED_SLEEP_COLOUR),
            ]
        area_base = base.copy()
        for name, values, colour in segments:
            fig.add_bar(
                name=name,
                x=labels,
                y=values.round(2),
                marker={"color": colour, "opacity": opacity, "pattern": {"shape": pattern, "fgcolor": "#444"}},
                legendgroup=area,
                customdata=[f"{v:.1f} h" for v in values],
                hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{customdata}}<extra></extra>",
            )
            base = base + values
        _add_target_marks(fig, area, labels, area_base, targets, weekly.index)
    fig.update_layout(barmode="stack", bargap=0.25)
    if selected_week is not None and selected_week in weekly.index:
        label = str(weekly.loc[selected_week, "iso_week"])
        fig.add_vline(x=label, line={"color": "#333", "width": 1, "dash": "dot"})
    if any(scheduled):
        fig.add_annotation(
            text="hatched: scheduled, the week is not over yet · bars with ends: target range per area",
            xref="paper", yref="paper", x=1, y=1.04,
            showarrow=False, xanchor="right", font={"size": 11, "color": "#666"},
        )
    return _base_layout(fig, title="Weekly balance", y_title="hours per week")


def _add_target_marks(
    fig: go.Figure, area: str, labels: list[str], base: pd.Series, targets: pd.DataFrame, weeks: pd.Index
) -> None:
    if area not in AREAS or targets.empty:
        return
    rows = targets[targets["area"] == area].set_index("week_start").reindex(weeks)
    low, high = rows["min_hours"].astype(float), rows["max_hours"].astype(float)
    if low.isna().all() and high.isna().all():
        return
    anchor = low.fillna(high)
    top = high.fillna(low)
    fig.add_scatter(
        name=f"{area} target",
        x=labels,
        y=(base + anchor).round(2),
        mode="markers",
        marker={"symbol": "line-ew", "size": 18, "line": {"width": 3, "color": AREA_COLOURS[area]}},
        error_y={"type": "data", "symmetric": False, "array": (top - anchor).fillna(0).round(2),
                 "arrayminus": [0] * len(labels), "color": AREA_COLOURS[area], "thickness": 2, "width": 9},
        legendgroup=area,
        showlegend=False,
        customdata=[_range_text(lo, hi) for lo, hi in zip(low, high, strict=True)],
        hovertemplate=f"<b>%{{x}}</b><br>{area} target: %{{customdata}}<extra></extra>",
    )


def _range_text(low: float, high: float) -> str:
    if pd.notna(low) and pd.notna(high):
        return f"{low:g}–{high:g} h"
    if pd.notna(low):
        return f"at least {low:g} h"
    return f"at most {high:g} h"
