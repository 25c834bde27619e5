"""Charts of the shape of the time: working hours by what filled them, and what each series costs (pure).

The colours come from Paul Tol's "muted" scheme, distinguishable under the common colour-vision
deficiencies and apart from the area colours (https://personal.sron.nl/~pault/#sec:qualitative).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from balance_dash.chart_theme import base_layout, week_ticks

SHAPE_COLOURS = {
    "focus_hours": "#44AA99",  # teal
    "fragmented_hours": "#DDCC77",  # sand
    "meeting_hours_working": "#882255",  # wine
    "interrupted_hours_working": "#999999",  # grey
    "meeting_hours_outside": "#CC6677",  # rose
}
SHAPE_NAMES = {
    "focus_hours": "focus (blocks of 2 h or more)",
    "fragmented_hours": "fragmented (shorter gaps)",
    "meeting_hours_working": "meetings in working hours",
    "interrupted_hours_working": "family, personal, rest in working hours",
    "meeting_hours_outside": "meetings outside working hours",
}
SERIES_SHOWN = 12
LONGEST_BARS = 53  # weeks drawn as bars; more as stacked areas


def working_time_shape(weekly: pd.DataFrame, *, focus_block_hours: float = 2.0, theme: str | None = "light") -> go.Figure:
    """Per week, the working hours split into focus, fragmented, meetings and other time, and the
    meetings outside working hours on top (stacked bars).

    `weekly`: `time_shape.weekly_shape` with `iso_week`.
    """
    fig = go.Figure()
    # Up to a year, one bar per week; longer periods as stacked areas over a date axis, which
    # stay readable where hundreds of bars would not.
    names = {column: SHAPE_NAMES[column].replace("2 h", f"{focus_block_hours:g} h") for column in SHAPE_COLOURS}
    _stack_weeks(fig, weekly, names, SHAPE_COLOURS, group="shape")
    base_layout(fig, title="Meetings, focus and fragmented time", y_title="hours per week", theme=theme,
                note="your working hours, by what filled them")
    fig.update_layout(height=420)
    _week_axis(fig, weekly)
    return fig


def series_labels(series: pd.DataFrame, *, length: int = 40) -> pd.Series:
    """A unique label per series: its title, with the months it ran when another series has that title."""
    titles = series["title"].astype(str).str.slice(0, length)
    repeated = titles.duplicated(keep=False)
    first = pd.to_datetime(series["first_start_utc"], utc=True).dt.strftime("%b %Y")
    last = pd.to_datetime(series["last_start_utc"], utc=True).dt.strftime("%b %Y")
    labels = titles.where(~repeated, titles + " · " + first + "–" + last)
    # Still the same (two series with one title in the same months): number them.
    count = labels.groupby(labels).cumcount()
    return labels.where(count == 0, labels + " #" + (count + 1).astype(str))


def series_cost(series: pd.DataFrame, *, theme: str | None = "light", shown: int = SERIES_SHOWN) -> go.Figure:
    """The recurring meetings that cost the most, as hours per week (horizontal bars, costliest on top).

    `series`: `meetings.series_cost`. Each bar's customdata holds its series key (a click picks it).
    """
    top = series.head(shown).iloc[::-1]
    labels = series_labels(top).tolist()
    fig = go.Figure()
    fig.add_bar(
        x=top["hours_per_week"].round(2), y=labels, orientation="h", marker={"color": SHAPE_COLOURS["meeting_hours_working"]},
        customdata=list(zip(top["series_key"].astype(str), top["hours"].round(1), top["occurrences"], strict=True)),
        text=[f"{h:.1f} h/week · {total:.0f} h" for h, total in zip(top["hours_per_week"], top["hours"], strict=True)],
        textposition="auto", cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>%{x:.2f} h a week<br>%{customdata[1]} h in %{customdata[2]} meetings<extra></extra>",
    )
    fig.update_layout(showlegend=False, bargap=0.35)
    base_layout(fig, title="What each recurring meeting costs", y_title="", theme=theme,
                note="hours per week while the series ran; the total over the period on the bar")
    fig.update_layout(height=max(220, 60 + 34 * len(top)))
    fig.update_xaxes(title={"text": "hours per week"}, rangemode="tozero")
    fig.update_yaxes(type="category")
    return fig


MATRIX_COLOURS = {
    "matrix_do_hours": "#CC6677",  # rose: important and urgent
    "matrix_schedule_hours": "#117733",  # green: important, not urgent
    "matrix_delegate_hours": "#DDCC77",  # sand: urgent, not important
    "matrix_drop_hours": "#888888",  # grey: neither
}
MATRIX_NAMES = {
    "matrix_do_hours": "important and urgent",
    "matrix_schedule_hours": "important, not urgent",
    "matrix_delegate_hours": "urgent, not important",
    "matrix_drop_hours": "neither",
}


def priority_matrix(weekly: pd.DataFrame, *, theme: str | None = "light") -> go.Figure:
    """Hours per quadrant of the priority matrix per week (stacked bars; areas past a year).

    `weekly`: `time_shape.weekly_shape` with `iso_week`.
    """
    fig = go.Figure()
    _stack_weeks(fig, weekly, MATRIX_NAMES, MATRIX_COLOURS, group="matrix")
    base_layout(fig, title="The priority matrix", y_title="hours per week", theme=theme,
                note="time your rules tag as important and/or urgent")
    fig.update_layout(height=380)
    _week_axis(fig, weekly)
    return fig


def _stack_weeks(
    fig: go.Figure, weekly: pd.DataFrame, names: Mapping[str, str], colours: Mapping[str, str], *, group: str
) -> None:
    """One stacked series per column of `colours`: bars per ISO week up to LONGEST_BARS weeks,
    stacked areas over the weeks' dates beyond (hundreds of bars would not stay readable)."""
    as_bars = len(weekly) <= LONGEST_BARS
    weeks = weekly["iso_week"].astype(str).tolist() if as_bars else pd.DatetimeIndex(weekly.index).tolist()
    for column, colour in colours.items():
        hover = f"<b>%{{x}}</b><br>{names[column]}: %{{y:.1f}} h<extra></extra>"
        if as_bars:
            fig.add_bar(name=names[column], x=weeks, y=weekly[column].round(2), marker={"color": colour},
                        hovertemplate=hover)
        else:
            fig.add_scatter(name=names[column], x=weeks, y=weekly[column].round(2), mode="lines", stackgroup=group,
                            line={"color": colour, "width": 0.5}, fillcolor=colour,
                            hovertemplate=hover.replace("%{x}", "week of %{x|%d %b %Y}"))
    fig.update_layout(barmode="stack", bargap=0.3)


def _week_axis(fig: go.Figure, weekly: pd.DataFrame) -> None:
    """Short week ticks under bars, a date axis under stacked areas (as `_stack_weeks` drew them)."""
    if len(weekly) <= LONGEST_BARS:
        fig.update_xaxes(**week_ticks(weekly["iso_week"].astype(str).tolist()))
    else:
        fig.update_xaxes(type="date")
