"""DataFrame -> plotly Figure. Pure: no Streamlit, no I/O.

Each area keeps one colour everywhere, from the Okabe-Ito palette, which stays distinguishable
under the common colour-vision deficiencies (Okabe & Ito 2008, https://jfly.uni-koeln.de/color/).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, time

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from balance_dash import health
from balance_dash.models import AREAS, UNCATEGORIZED

AREA_COLOURS = {
    "work": "#0072B2",  # blue
    "family": "#E69F00",  # orange
    "personal": "#009E73",  # bluish green
    "rest": "#CC79A7",  # reddish purple
    UNCATEGORIZED: "#999999",  # grey
}
ASSUMED_SLEEP_COLOUR = "#E7C4DA"  # a lighter tint of rest
HATCH_COLOUR = "#8A8A8A"  # the hatching of scheduled weeks: a mid grey, visible on light and dark themes
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
        area_base = base.copy()
        for name, values, colour in segments:
            fig.add_bar(
                name=name,
                x=labels,
                y=values.round(2),
                marker={"color": colour, "opacity": opacity, "pattern": {"shape": pattern, "fgcolor": HATCH_COLOUR}},
                legendgroup=area,
                customdata=[f"{v:.1f} h" for v in values],
                hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{customdata}}<extra></extra>",
            )
            base = base + values
        _add_target_marks(fig, area, labels, area_base, targets, weekly.index)
    if "sleep" in weekly and weekly["sleep"].astype(float).any():
        # Sleep is not an area: it sits on top of the four, in its own tint, so the areas' bars
        # and target marks read the same with or without it.
        sleep = weekly["sleep"].astype(float)
        fig.add_bar(
            name="sleep", x=labels, y=sleep.round(2),
            marker={"color": ASSUMED_SLEEP_COLOUR, "opacity": opacity, "pattern": {"shape": pattern, "fgcolor": HATCH_COLOUR}},
            customdata=[f"{v:.1f} h" for v in sleep],
            hovertemplate="<b>%{x}</b><br>sleep (assumed or logged): %{customdata}<extra></extra>",
        )
    _mark_weeks(fig, weekly, labels)
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


def _mark_weeks(fig: go.Figure, weekly: pd.DataFrame, labels: list[str]) -> None:
    """A word under the weeks that need one: "no data" (nothing covers them), "vacation"."""
    has_data = weekly["has_data"].astype(bool) if "has_data" in weekly else pd.Series(True, index=weekly.index)
    vacation = weekly["vacation"].astype(bool) if "vacation" in weekly else pd.Series(False, index=weekly.index)
    for label, data, away in zip(labels, has_data, vacation, strict=True):
        word = "no data" if not data else ("vacation" if away else "")
        if word:
            fig.add_annotation(
                x=label, y=0, yref="y", text=word, showarrow=False, yanchor="bottom", textangle=-90,
                font={"size": 10, "color": "#888"},
            )


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
        customdata=[health.target_range_text(lo, hi) for lo, hi in zip(low, high, strict=True)],
        hovertemplate=f"<b>%{{x}}</b><br>{area} target: %{{customdata}}<extra></extra>",
    )


# --- trends and the week timeline ----------------------------------------------------------------

AFTER_HOURS_COLOUR = "#0072B2"  # work's blue: evenings and early mornings of working days
REST_DAY_WORK_COLOUR = "#D55E00"  # Okabe-Ito vermillion: work on rest days and days off
HEATMAP_SCALE = [[0.0, "#F4F8FB"], [1.0, AREA_COLOURS["work"]]]


def _plain(text: str) -> str:
    """User text (event titles) for plotly labels: plotly reads some HTML tags, so escape < > &."""
    return html.escape(text, quote=False)


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _note(fig: go.Figure, text: str) -> None:
    """A small grey line of explanation above the plot's top right corner."""
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=1, y=1.02, yanchor="bottom",
        showarrow=False, xanchor="right", font={"size": 11, "color": "#666"},
    )


def weekly_trend(trend: pd.DataFrame, *, window: int = 4, week_starts_on: str = "monday") -> go.Figure:
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
    _base_layout(fig, title="Weekly hours per area", y_title="hours per week")
    _note(fig, f"thick: {window}-week rolling mean · dotted: each week")
    # Up to half a year, ticks every 2 or 4 weeks on the weeks' first days (plotly would pick
    # Sundays); longer periods get plotly's monthly ticks.
    week_count = int(trend["week_start"].nunique())
    if week_count <= 26:
        first_day = "2000-01-02" if week_starts_on == "sunday" else "2000-01-03"
        fig.update_xaxes(tick0=first_day, dtick=(14 if week_count <= 13 else 28) * 86_400_000)
    fig.update_xaxes(tickformat="%d %b\n%Y", showgrid=True, gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig


def work_heatmap(heat: pd.DataFrame) -> go.Figure:
    """Hours of work per weekday (rows, the week's first day on top) and local hour (columns).

    `heat`: `trends.work_heatmap`.
    """
    hours = [int(h) for h in heat.columns]
    spans = [[f"{day} {h:02d}:00–{(h + 1) % 24:02d}:00" for h in hours] for day in heat.index]
    fig = go.Figure(
        go.Heatmap(
            z=heat.to_numpy().round(2), x=hours, y=[str(day) for day in heat.index],
            colorscale=HEATMAP_SCALE, zmin=0, xgap=2, ygap=2, customdata=spans,
            colorbar={"title": {"text": "hours"}, "thickness": 12},
            hovertemplate="%{customdata}: %{z:.1f} h of work<extra></extra>",
        )
    )
    _base_layout(fig, title="When you work", y_title="")
    fig.update_layout(height=360)
    _note(fig, "hours of work in the period, per weekday and hour of the day")
    fig.update_yaxes(autorange="reversed", rangemode=None, showgrid=False)
    fig.update_xaxes(
        title={"text": "hour of the day"}, showgrid=False, zeroline=False, tickangle=0,
        tickvals=list(range(0, 24, 2)), ticktext=[f"{h:02d}:00" for h in range(0, 24, 2)],
    )
    return fig


def after_hours(weekly: pd.DataFrame, *, window_text: str = "") -> go.Figure:
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
    _base_layout(fig, title="Work outside your boundaries", y_title="hours per week")
    fig.update_layout(height=360)
    if window_text:
        _note(fig, window_text)
    fig.update_yaxes(gridcolor="#eee")
    fig.update_xaxes(type="category")
    return fig


def period_comparison(
    hours: pd.DataFrame, *, current_label: str, previous_label: str, title: str
) -> go.Figure:
    """Hours per area in the previous period (pale) and the current one, with the difference.

    `hours`: `trends.compare_periods` (index area, current_hours, previous_hours, difference_hours).
    """
    areas = [str(area) for area in hours.index]
    colours = [AREA_COLOURS[area] for area in areas]
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
        textfont={"size": 12, "color": "#333"}, customdata=differences,
        hovertemplate=f"<b>%{{x}}</b><br>{current_label}: %{{y:.1f}} h (%{{customdata}})<extra></extra>",
    )
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.05, showlegend=False)
    _base_layout(fig, title=title, y_title="hours")
    # Bars of many colours make poor legend swatches: say which bar is which instead.
    missing = hours["previous_hours"].isna().all()
    _note(fig, f"no data in {previous_label}" if missing else f"pale: {previous_label} · solid: {current_label}")
    fig.update_yaxes(gridcolor="#eee")
    return fig


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


def week_timeline(
    timeline: pd.DataFrame,
    *,
    week_start: date,
    workday_start: time,
    disconnect_time: time,
    sleep: tuple[time, time] | None,
    rest_days: Sequence[int] = (),
) -> go.Figure:
    """The week day by day: one row per local day, events as bars over the time of day, coloured
    by area; all-day events as a strip along the top of their days; the working hours and the
    sleep window drawn behind.

    `timeline`: `trends.week_timeline`. Titles are user data: shown escaped, never as markup.
    """
    days = pd.date_range(week_start, periods=7, freq="D")
    off_days = set(pd.DatetimeIndex(timeline.loc[timeline["day_off"], "day"]).normalize())
    labels = [
        f"{day:%a %d %b}" + (" · day off" if day in off_days else " · rest day" if day.weekday() in rest_days else "")
        for day in days
    ]
    label_of = dict(zip(days, labels, strict=True))
    frame = timeline.assign(
        label=pd.DatetimeIndex(timeline["day"]).normalize().map(label_of),
        title_text=timeline["title"].astype(str).map(_plain),
        when=_timeline_hover(timeline),
    )
    has_all_day = bool(frame["all_day"].any())
    fig = go.Figure()
    # An invisible trace holds the seven rows, so an empty day still has its row.
    fig.add_scatter(x=[0.0] * 7, y=labels, mode="markers", marker={"opacity": 0}, showlegend=False, hoverinfo="skip")
    for area in STACK:
        colour = AREA_COLOURS[area]
        for all_day in (True, False):
            rows = frame[(frame["area"] == area) & (frame["all_day"] == all_day)]
            if rows.empty:
                continue
            fig.add_bar(
                name=area if not all_day else f"{area} (all day)", orientation="h",
                y=rows["label"], base=rows["start_hour"].round(4), x=(rows["end_hour"] - rows["start_hour"]).round(4),
                offset=-0.47 if all_day else (-0.12 if has_all_day else -0.34),
                width=0.33 if all_day else (0.56 if has_all_day else 0.68),
                marker={"color": colour, "opacity": 0.35 if all_day else 0.9, "line": {"color": "white", "width": 1}},
                text=rows["title_text"], textposition="inside", insidetextanchor="start", textangle=0,
                textfont={"color": "#222" if all_day else "white", "size": 11},
                customdata=np.column_stack([rows["title_text"], [area] * len(rows), rows["when"]]),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>",
                legendgroup=area, showlegend=not all_day or not (frame["area"].eq(area) & ~frame["all_day"]).any(),
            )
    _draw_boundaries(fig, workday_start=workday_start, disconnect_time=disconnect_time, sleep=sleep)
    _base_layout(fig, title="Events by time of day", y_title="")
    fig.update_layout(
        barmode="overlay", height=560, uniformtext={"minsize": 9, "mode": "hide"},
        margin={"l": 10, "r": 10, "t": 70, "b": 10}, legend={"y": -0.1},
    )
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=labels, autorange="reversed",
        rangemode=None, showgrid=True, gridcolor="#eee",
    )
    fig.update_xaxes(
        range=[0, 24], tickvals=list(range(0, 25, 2)), ticktext=[f"{h:02d}:00" for h in range(0, 25, 2)],
        showgrid=True, gridcolor="#eee", zeroline=False,
    )
    return fig


def _draw_boundaries(fig: go.Figure, *, workday_start: time, disconnect_time: time, sleep: tuple[time, time] | None) -> None:
    """The assumed sleep window shaded, the workday start and the disconnect time as lines."""
    if sleep is not None and sleep[0] != sleep[1]:
        bed, wake = (t.hour + t.minute / 60 for t in sleep)
        spans = [(0.0, wake), (bed, 24.0)] if wake <= bed else [(bed, wake)]
        for k, (x0, x1) in enumerate(s for s in spans if s[1] > s[0]):
            # Only the first band is named (plotly writes "new text" on an annotation without text).
            label = {"annotation_text": "sleep window", "annotation_position": "outside top left",
                     "annotation_font": {"size": 11, "color": "#666"}} if k == 0 else {}
            fig.add_vrect(x0=x0, x1=x1, fillcolor=ASSUMED_SLEEP_COLOUR, opacity=0.35, layer="below",
                          line_width=0, **label)
    for at, name in ((workday_start, "start"), (disconnect_time, "disconnect")):
        hour = at.hour + at.minute / 60
        fig.add_vline(
            x=hour, line={"color": "#444", "width": 1.5, "dash": "dash"},
            annotation_text=f"{name} {_clock(hour)}", annotation_position="top",
            annotation_font={"size": 11, "color": "#444"},
        )


def boundaries_kept(scores: pd.DataFrame) -> go.Figure:
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
    fig.update_yaxes(range=[0, 100], ticksuffix=" %")
    return _base_layout(fig, title="Boundaries kept", y_title="share of your boundaries kept")
