"""DataFrame -> plotly Figure. Pure: no Streamlit, no I/O.

Colours and the light and dark layouts live in `chart_theme`; the weekly balance chart in
`charts_balance`. Every chart takes `theme` ("light" or "dark") and sets its colours on the figure.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, time

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from balance_dash.chart_theme import AREA_COLOURS, Theme, base_layout, palette, week_ticks
from balance_dash.charts_balance import (
    LONG_RANGE_WEEKS,
    area_label,
    balance_hours,
    balance_table,
    waking_rest_targets,
    weekly_balance,
)
from balance_dash.models import AREAS, UNCATEGORIZED

__all__ = [
    "AFTER_HOURS_COLOUR",
    "AREA_COLOURS",
    "LONG_RANGE_WEEKS",
    "REST_DAY_WORK_COLOUR",
    "STACK",
    "Theme",
    "after_hours",
    "area_label",
    "balance_hours",
    "balance_table",
    "boundaries_kept",
    "period_comparison",
    "waking_rest_targets",
    "week_timeline",
    "weekly_balance",
    "weekly_trend",
    "work_heatmap",
]

STACK = (*AREAS, UNCATEGORIZED)


# --- trends and the week timeline ----------------------------------------------------------------

AFTER_HOURS_COLOUR = "#0072B2"  # work's blue: evenings and early mornings of working days
REST_DAY_WORK_COLOUR = "#D55E00"  # Okabe-Ito vermillion: work on rest days and days off


def _plain(text: str) -> str:
    """User text (event titles) for plotly labels: plotly reads some HTML tags, so escape < > &."""
    return html.escape(text, quote=False)


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekly_trend(
    trend: pd.DataFrame, *, window: int = 4, week_starts_on: str = "monday", theme: str | None = "light"
) -> go.Figure:
    """Hours per week by area (thin dotted) with their rolling mean over `window` weeks (thick).

    `trend`: `trends.weekly_area_trend` (week_start, iso_week, area, hours, rolling_hours).
    """
    fig = go.Figure()
    for area, rows in trend.groupby("area", sort=False):
        colour = AREA_COLOURS[str(area)]
        weeks = rows["iso_week"].astype(str).to_numpy()
        fig.add_scatter(
            name=f"{area} each week", x=rows["week_start"], y=rows["hours"].round(2), mode="lines+markers",
            line={"color": colour, "width": 1.5, "dash": "dot"}, marker={"size": 6, "color": colour},
            opacity=0.75, legendgroup=str(area), showlegend=False, customdata=weeks,
            hovertemplate=f"%{{customdata}} · {area}: %{{y:.1f}} h<extra></extra>",
        )
        fig.add_scatter(
            name=str(area), x=rows["week_start"], y=rows["rolling_hours"].round(2), mode="lines",
            line={"color": colour, "width": 3}, legendgroup=str(area), customdata=weeks,
            hovertemplate=f"%{{customdata}} · {area}, {window}-week mean: %{{y:.1f}} h<extra></extra>",
        )
    base_layout(fig, title="Weekly hours per area", y_title="hours per week", theme=theme,
                note=f"thick: {window}-week rolling mean · dotted: each week")
    # Up to half a year, ticks every 2 or 4 weeks on the weeks' first days (plotly would pick
    # Sundays); longer periods get plotly's monthly ticks.
    week_count = int(trend["week_start"].nunique())
    if week_count <= 26:
        first_day = "2000-01-02" if week_starts_on == "sunday" else "2000-01-03"
        fig.update_xaxes(tick0=first_day, dtick=(14 if week_count <= 13 else 28) * 86_400_000)
    fig.update_xaxes(tickformat="%d %b\n%Y", showgrid=True)
    return fig


def work_heatmap(heat: pd.DataFrame, *, theme: str | None = "light") -> go.Figure:
    """Hours of work per weekday (rows, the week's first day on top) and local hour (columns).

    `heat`: `trends.work_heatmap`.
    """
    hours = [int(h) for h in heat.columns]
    spans = [[f"{day} {h:02d}:00–{(h + 1) % 24:02d}:00" for h in hours] for day in heat.index]
    colours = palette(theme)
    fig = go.Figure(
        go.Heatmap(
            z=heat.to_numpy().round(2), x=hours, y=[str(day) for day in heat.index],
            colorscale=[[0.0, colours.heat_low], [1.0, colours.heat_high]], zmin=0, xgap=2, ygap=2, customdata=spans,
            colorbar={"title": {"text": "hours", "font": {"color": colours.text}}, "thickness": 12,
                      "tickfont": {"color": colours.text}},
            hovertemplate="%{customdata}: %{z:.1f} h of work<extra></extra>",
        )
    )
    # Heatmaps cannot be selected in plotly: an invisible marker on each cell takes the click
    # (and the hover), so a cell can open the events behind it.
    days = [str(day) for day in heat.index]
    fig.add_scatter(
        x=[h for _ in days for h in hours], y=[day for day in days for _ in hours], mode="markers",
        marker={"symbol": "square", "size": 18, "opacity": 0}, showlegend=False, name="cells",
        customdata=[f"{span}: {value:.1f} h of work" for row, values in zip(spans, heat.to_numpy(), strict=True)
                    for span, value in zip(row, values, strict=True)],
        hovertemplate="%{customdata}<extra></extra>",
    )
    fig.update_traces(hoverinfo="skip", hovertemplate=None, selector={"type": "heatmap"})
    base_layout(fig, title="When you work", y_title="", theme=theme,
                note="hours of work in the period, per weekday and hour of the day")
    fig.update_layout(height=380)
    fig.update_yaxes(autorange="reversed", rangemode=None, showgrid=False)
    fig.update_xaxes(
        # Every third hour, and no fixed angle: on a phone's narrow chart plotly turns the ticks
        # instead of printing them on top of each other.
        title={"text": "hour of the day"}, showgrid=False, zeroline=False,
        tickvals=list(range(0, 24, 3)), ticktext=[f"{h:02d}:00" for h in range(0, 24, 3)],
    )
    return fig


def after_hours(weekly: pd.DataFrame, *, window_text: str = "", theme: str | None = "light") -> go.Figure:
    """Work outside the working hours and on rest days or days off, per week (stacked bars).

    `weekly`: `trends.after_hours_by_week` (index week_start, outside_hours, rest_day_hours, iso_week).
    """
    fig = go.Figure()
    weeks = weekly["iso_week"].astype(str).tolist()
    for column, name, colour in (
        ("outside_hours", "before start or after disconnect", AFTER_HOURS_COLOUR),
        ("rest_day_hours", "on rest days and days off", REST_DAY_WORK_COLOUR),
    ):
        fig.add_bar(
            name=name, x=weeks, y=weekly[column].round(2), marker={"color": colour},
            hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{y:.1f}} h<extra></extra>",
        )
    fig.update_layout(barmode="stack", bargap=0.3)
    base_layout(fig, title="Work outside your boundaries", y_title="hours per week", theme=theme, note=window_text)
    fig.update_layout(height=380)
    fig.update_xaxes(**week_ticks(weeks))
    return fig


def period_comparison(
    hours: pd.DataFrame, *, current_label: str, previous_label: str, title: str, theme: str | None = "light"
) -> go.Figure:
    """Hours per area in the previous period (pale) and the current one, with the difference.

    `hours`: `trends.compare_periods` (index area, current_hours, previous_hours, difference_hours).
    """
    areas = [str(area) for area in hours.index]
    colours = [AREA_COLOURS[area] for area in areas]
    text_colour = palette(theme).text
    differences = [
        "" if pd.isna(d) else "±0 h" if round(d, 1) == 0 else f"{d:+.1f} h" for d in hours["difference_hours"].astype(float)
    ]
    fig = go.Figure()
    fig.add_bar(
        name=previous_label, x=areas, y=hours["previous_hours"].round(2),
        marker={"color": colours, "opacity": 0.4, "line": {"color": colours, "width": 1.5}},
        hovertemplate=f"<b>%{{x}}</b><br>{previous_label}: %{{y:.1f}} h<extra></extra>",
    )
    fig.add_bar(
        name=current_label, x=areas, y=hours["current_hours"].round(2), marker={"color": colours},
        text=differences, textposition="outside", cliponaxis=False, constraintext="none",
        textfont={"size": 12, "color": text_colour}, customdata=differences,
        hovertemplate=f"<b>%{{x}}</b><br>{current_label}: %{{y:.1f}} h (%{{customdata}})<extra></extra>",
    )
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.05, showlegend=False)
    # Bars of many colours make poor legend swatches: say which bar is which instead.
    missing = hours["previous_hours"].isna().all()
    note = f"no data in {previous_label}" if missing else f"pale: {previous_label} · solid: {current_label}"
    return base_layout(fig, title=title, y_title="hours", theme=theme, note=note)


def _timeline_hover(timeline: pd.DataFrame) -> pd.Series:
    """When each piece's event happens, as a reader says it: 09:30-10:00, or with days."""
    start, end = timeline["event_start"], timeline["event_end"]
    same_day = start.dt.normalize() == (end - pd.Timedelta(microseconds=1)).dt.normalize()
    clock = start.dt.strftime("%H:%M") + "–" + end.dt.strftime("%H:%M")
    across = start.dt.strftime("%a %d %b %H:%M") + " – " + end.dt.strftime("%a %d %b %H:%M")
    last_day = (end - pd.Timedelta(days=1)).dt.strftime("%a %d %b")
    days = (" " + start.dt.strftime("%a %d %b") + " – " + last_day).where(~same_day, "")
    all_day = pd.Series("all day", index=timeline.index) + days
    text = pd.Series(np.where(timeline["all_day"], all_day, np.where(same_day, clock, across)), index=timeline.index)
    return text + np.where(timeline["day_off"], " · day off", "")


def timeline_lanes(timeline: pd.DataFrame) -> pd.DataFrame:
    """`timeline` with `lane` (0, 1, ...) and `lanes` (per day): timed pieces that overlap on a day
    go to separate lanes, each piece to the first lane free at its start (interval partitioning)."""
    lane = pd.Series(0, index=timeline.index, dtype="int64")
    timed = timeline[~timeline["all_day"].astype(bool)]
    for _, pieces in timed.sort_values(["day", "start_hour", "end_hour"]).groupby("day", sort=False):
        lane_ends: list[float] = []
        for index, start, end in zip(pieces.index, pieces["start_hour"], pieces["end_hour"], strict=True):
            free = next((k for k, ends_at in enumerate(lane_ends) if ends_at <= start + 1e-9), None)
            if free is None:
                lane_ends.append(float(end))
                free = len(lane_ends) - 1
            else:
                lane_ends[free] = float(end)
            lane[index] = free
    day = pd.DatetimeIndex(timeline["day"]).normalize()
    lanes = lane.groupby(day).transform("max").fillna(0).astype("int64") + 1
    return timeline.assign(lane=lane, lanes=lanes)


def week_timeline(
    timeline: pd.DataFrame,
    *,
    week_start: date,
    workday_start: time,
    disconnect_time: time,
    sleep: tuple[time, time] | None,
    rest_days: Sequence[int] = (),
    theme: str | None = "light",
) -> go.Figure:
    """The week day by day: one row per local day, events as bars over the time of day, coloured
    by area; events that overlap get lanes of their own within their day's row; all-day events as
    a strip along the top of their days; the working hours and the sleep window drawn behind.

    `timeline`: `analytics.trends.day_pieces` (through `workflows.trends.week_events`). Titles are user data: shown escaped, never as markup.
    """
    colours = palette(theme)
    days = pd.date_range(week_start, periods=7, freq="D")
    off_days = set(pd.DatetimeIndex(timeline.loc[timeline["day_off"], "day"]).normalize())
    labels = [
        f"{day:%a %d %b}" + (" · day off" if day in off_days else " · rest day" if day.weekday() in rest_days else "")
        for day in days
    ]
    label_of = dict(zip(days, labels, strict=True))
    frame = timeline_lanes(timeline).assign(
        label=pd.DatetimeIndex(timeline["day"]).normalize().map(label_of),
        title_text=timeline["title"].astype(str).map(_plain),
        when=_timeline_hover(timeline),
    )
    has_all_day = bool(frame["all_day"].any())
    band_start, band_width = (-0.12, 0.56) if has_all_day else (-0.34, 0.68)
    most_lanes = int(frame["lanes"].max()) if len(frame) else 1
    fig = go.Figure()
    # An invisible trace holds the seven rows, so an empty day still has its row.
    fig.add_scatter(x=[0.0] * 7, y=labels, mode="markers", marker={"opacity": 0}, showlegend=False, hoverinfo="skip")
    for area in STACK:
        colour = AREA_COLOURS[area]
        for all_day in (True, False):
            rows = frame[(frame["area"] == area) & (frame["all_day"] == all_day)]
            if rows.empty:
                continue
            lane_width = band_width / rows["lanes"]
            fig.add_bar(
                name=area_label(area) + (" (all day)" if all_day else ""), orientation="h",
                y=rows["label"], base=rows["start_hour"].round(4), x=(rows["end_hour"] - rows["start_hour"]).round(4),
                offset=-0.47 if all_day else (band_start + rows["lane"] * lane_width).round(4).tolist(),
                width=0.33 if all_day else lane_width.round(4).tolist(),
                marker={"color": colour, "opacity": 0.35 if all_day else 0.9, "line": {"color": colours.paper, "width": 1}},
                text=rows["title_text"], textposition="inside", insidetextanchor="start", textangle=0,
                textfont={"color": colours.text if all_day else "white", "size": 11},
                customdata=np.column_stack([rows["title_text"], [area_label(area)] * len(rows), rows["when"]]),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>",
                legendgroup=area, showlegend=not all_day or not (frame["area"].eq(area) & ~frame["all_day"]).any(),
            )
    _draw_boundaries(fig, workday_start=workday_start, disconnect_time=disconnect_time, sleep=sleep, theme=theme)
    base_layout(fig, title="Events by time of day", y_title="", theme=theme,
                note="overlapping events side by side, each in a lane of its own" if most_lanes > 1 else "")
    fig.update_layout(
        barmode="overlay", height=560 + 50 * max(0, min(most_lanes, 4) - 2), uniformtext={"minsize": 9, "mode": "hide"},
        margin={"l": 10, "r": 10, "t": 96, "b": 10}, legend={"y": -0.1},
    )
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=labels, autorange="reversed",
        rangemode=None, showgrid=True,
    )
    fig.update_xaxes(
        range=[0, 24], tickvals=list(range(0, 25, 3)), ticktext=[f"{h:02d}:00" for h in range(0, 25, 3)],
        showgrid=True, zeroline=False,
    )
    return fig


def _draw_boundaries(
    fig: go.Figure, *, workday_start: time, disconnect_time: time, sleep: tuple[time, time] | None, theme: str | None
) -> None:
    """The assumed sleep window shaded, the workday start and the disconnect time as lines."""
    colours = palette(theme)
    if sleep is not None and sleep[0] != sleep[1]:
        bed, wake = (t.hour + t.minute / 60 for t in sleep)
        spans = [(0.0, wake), (bed, 24.0)] if wake <= bed else [(bed, wake)]
        for k, (x0, x1) in enumerate(s for s in spans if s[1] > s[0]):
            # Only the first band is named (plotly writes "new text" on an annotation without text).
            label = {"annotation_text": "sleep window", "annotation_position": "outside top left",
                     "annotation_font": {"size": 11, "color": colours.muted}} if k == 0 else {}
            fig.add_vrect(x0=x0, x1=x1, fillcolor=colours.sleep, opacity=0.35, layer="below",
                          line_width=0, **label)
    # The start's label to the left of its line, the disconnect's to the right: on a narrow
    # screen the two never run into each other.
    for at, name, side in ((workday_start, "start", "top left"), (disconnect_time, "disconnect", "top right")):
        hour = at.hour + at.minute / 60
        fig.add_vline(
            x=hour, line={"color": colours.line, "width": 1.5, "dash": "dash"},
            annotation_text=f"{name} {_clock(hour)}", annotation_position=side,
            annotation_font={"size": 11, "color": colours.line},
        )


def boundaries_kept(scores: pd.DataFrame, *, theme: str | None = "light") -> go.Figure:
    """The share of boundaries kept per week (scores: week_start, boundaries, kept, score)."""
    shown = scores[scores["boundaries"] > 0]
    labels = [f"{stamp:%d %b}" for stamp in pd.to_datetime(shown["week_start"])]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=(shown["score"] * 100).round(1),
        marker={"color": AREA_COLOURS["personal"]},
        customdata=[f"{kept} of {total}" for kept, total in zip(shown["kept"], shown["boundaries"], strict=True)],
        hovertemplate="<b>week of %{x}</b><br>%{y:.0f} % kept (%{customdata})<extra></extra>",
        showlegend=False,
    )
    base_layout(fig, title="Boundaries kept", y_title="share of your boundaries kept", theme=theme)
    fig.update_yaxes(range=[0, 100], ticksuffix=" %")
    return fig
