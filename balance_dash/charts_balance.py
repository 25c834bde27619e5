"""The weekly balance chart and the table of the figures it draws (pure: DataFrame -> Figure).

Up to `LONG_RANGE_WEEKS` weeks, one bar per area per week side by side, each with its own target
range drawn over its own bar at the hours it names: a mark never sits at a stacked height, and
the marks of different areas never meet. Past that, bars get too thin to read, so each area gets
a row of its own: a line of its weekly hours over its target band.

Frames from before sleep was split out of rest (no `sleep` column) are read with the assumed
sleep taken out of `rest`, so both shapes draw the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from balance_dash.chart_theme import AREA_COLOURS, Palette, base_layout, palette, week_ticks
from balance_dash.models import AREAS, UNCATEGORIZED
from balance_dash.targets import range_text

LONG_RANGE_WEEKS = 30  # more weeks than this (six months and the weeks ahead) are drawn as rows of lines
SCHEDULED_PATTERN = "/"
TARGET_LINE_HOURS = 0.6  # the height of a one-sided target's box: a thick line at its bound


def area_label(area: str) -> str:
    return "Uncategorized" if area == UNCATEGORIZED else area.capitalize()


def balance_hours(weekly: pd.DataFrame) -> pd.DataFrame:
    """Per week the hours the chart draws: each area, `sleep` apart from `rest`, `has_data`, `vacation`.

    Weeks without data hold NaN hours (drawn empty, not as zero).
    """
    assumed = weekly["assumed_sleep"].astype(float) if "assumed_sleep" in weekly else pd.Series(0.0, index=weekly.index)
    if "sleep" in weekly:
        sleep, rest = weekly["sleep"].astype(float), weekly["rest"].astype(float)
    else:  # rest still holds the assumed sleep: take it out
        sleep, rest = assumed, (weekly["rest"].astype(float) - assumed).clip(lower=0)
    has_data = weekly["has_data"].astype(bool) if "has_data" in weekly else pd.Series(True, index=weekly.index)
    vacation = weekly["vacation"].astype(bool) if "vacation" in weekly else pd.Series(False, index=weekly.index)
    hours = pd.DataFrame(
        {
            **{area: weekly[area].astype(float) for area in AREAS},
            "rest": rest,
            UNCATEGORIZED: weekly[UNCATEGORIZED].astype(float) if UNCATEGORIZED in weekly else 0.0,
            "sleep": sleep,
        },
        index=weekly.index,
    )
    hours = hours.where(has_data)
    return hours.assign(
        has_data=has_data,
        vacation=vacation & has_data,
        iso_week=weekly["iso_week"].astype(str),
    )


def waking_rest_targets(weekly: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Targets to compare with the hours `balance_hours` gives. A frame without `sleep` still holds
    the assumed sleep inside `rest` (and its rest target counts it): the rest target then loses
    that week's assumed sleep, so waking rest is measured against what is left of it."""
    if "sleep" in weekly or "assumed_sleep" not in weekly or targets.empty:
        return targets
    assumed = targets["week_start"].map(weekly["assumed_sleep"].astype(float)).fillna(0.0)
    is_rest = targets["area"] == "rest"
    return targets.assign(
        min_hours=targets["min_hours"].where(~is_rest, (targets["min_hours"] - assumed).clip(lower=0)),
        max_hours=targets["max_hours"].where(~is_rest, (targets["max_hours"] - assumed).clip(lower=0)),
    )


def _shown_areas(hours: pd.DataFrame, show_sleep: bool) -> list[str]:
    areas = [*AREAS]
    if hours[UNCATEGORIZED].fillna(0).gt(0).any():
        areas.append(UNCATEGORIZED)
    if show_sleep:
        areas.append("sleep")
    return areas


def _target_bounds(targets: pd.DataFrame, area: str, weeks: pd.Index, has_data: pd.Series) -> tuple[pd.Series, pd.Series]:
    """An area's (low, high) target per week: NaN where open, where the week has no data, or where
    the range is 0-0 (a week of days off owes nothing)."""
    empty = pd.Series(np.nan, index=weeks)
    if targets.empty or area not in AREAS:
        return empty, empty.copy()
    rows = targets[targets["area"] == area].drop_duplicates("week_start", keep="last").set_index("week_start")
    rows = rows.reindex(pd.DatetimeIndex(weeks))
    low = pd.Series(rows["min_hours"].astype(float).to_numpy(), index=weeks)
    high = pd.Series(rows["max_hours"].astype(float).to_numpy(), index=weeks)
    nothing_owed = low.fillna(0).le(0) & high.fillna(0).le(0)
    keep = has_data.to_numpy() & ~nothing_owed.to_numpy()
    return low.where(keep), high.where(keep)


def balance_table(weekly: pd.DataFrame, targets: pd.DataFrame, *, scheduled: Sequence[bool]) -> pd.DataFrame:
    """The figures the chart draws, one row per week, with headers in words (for the page's table)."""
    hours = balance_hours(weekly)
    targets = waking_rest_targets(weekly, targets)
    table = pd.DataFrame({"Week": hours["iso_week"], "Starts": [f"{stamp:%d %b %Y}" for stamp in pd.DatetimeIndex(weekly.index)]})
    for area in _shown_areas(hours, show_sleep=True):
        table[f"{area_label(area)} (h)"] = hours[area].round(1).to_numpy()
        if area in AREAS:
            low, high = _target_bounds(targets, area, weekly.index, hours["has_data"])
            table[f"{area_label(area)} target"] = [
                "" if pd.isna(lo) and pd.isna(hi) else range_text(lo, hi) for lo, hi in zip(low, high, strict=True)
            ]
    notes = np.where(~hours["has_data"], "no data", np.where(hours["vacation"], "vacation", ""))
    table["Note"] = [
        ", ".join(part for part in (note, "scheduled" if flag else "") if part) for note, flag in zip(notes, scheduled, strict=True)
    ]
    return table.reset_index(drop=True)


def weekly_balance(
    weekly: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    scheduled: Sequence[bool],
    selected_week: pd.Timestamp | None = None,
    show_sleep: bool = False,
    theme: str | None = "light",
) -> go.Figure:
    """Hours per area per week against each area's target range.

    `weekly`: index week_start, the area columns, `iso_week`, and when known `sleep`, `has_data`,
    `vacation` (see `balance_hours`). `targets`: week_start, area, min_hours, max_hours (NaN where
    open). Every point carries `customdata` [week start (ISO date), area] for the drill-down.
    """
    hours = balance_hours(weekly)
    targets = waking_rest_targets(weekly, targets)
    flags = pd.Series(list(scheduled), index=weekly.index, dtype=bool)
    if len(weekly) > LONG_RANGE_WEEKS:
        return _area_rows(hours, targets, flags, selected_week=selected_week, show_sleep=show_sleep, theme=theme)
    return _area_bars(hours, targets, flags, selected_week=selected_week, show_sleep=show_sleep, theme=theme)


def _customdata(hours: pd.DataFrame, area: str) -> np.ndarray:
    starts = [f"{stamp:%Y-%m-%d}" for stamp in pd.DatetimeIndex(hours.index)]
    return np.column_stack([starts, [area] * len(starts)])


def _area_bars(
    hours: pd.DataFrame, targets: pd.DataFrame, scheduled: pd.Series, *,
    selected_week: pd.Timestamp | None, show_sleep: bool, theme: str | None,
) -> go.Figure:
    colours = palette(theme)
    labels = hours["iso_week"].tolist()
    fig = go.Figure()
    pattern = [SCHEDULED_PATTERN if flag else "" for flag in scheduled]
    for area in _shown_areas(hours, show_sleep):
        colour = colours.sleep if area == "sleep" else AREA_COLOURS[area]
        values = hours[area]
        fig.add_bar(
            name=area_label(area), x=labels, y=values.round(2), offsetgroup=area, legendgroup=area,
            marker={
                "color": colour,
                "line": {"color": colour, "width": 1},
                "pattern": {"shape": pattern, "fgcolor": colours.paper, "fgopacity": 0.75, "solidity": 0.3, "fillmode": "overlay"},
            },
            customdata=_customdata(hours, area),
            hovertemplate=f"<b>%{{x}}</b><br>{area_label(area)}: %{{y:.1f}} h<extra></extra>",
        )
        low, high = _target_bounds(targets, area, hours.index, hours["has_data"])
        if low.notna().any() or high.notna().any():
            # A hollow box over the area's own bar, from the least to the most hours it asks
            # for; a bound alone is a thin box at that bound. Bars of the same offsetgroup share
            # the slot, so the box scales with the bar at any width.
            bottom = low.where(low.notna() & high.notna(), low.fillna(high))
            height = (high - low).where(low.notna() & high.notna(), TARGET_LINE_HOURS)
            fig.add_bar(
                name=f"{area_label(area)} target", x=labels, base=bottom.round(2), y=height.round(2).where(bottom.notna()),
                offsetgroup=area, legendgroup=area, showlegend=False,
                marker={"color": "rgba(0,0,0,0)", "line": {"color": colours.text, "width": 1.5}},
                customdata=_customdata(hours, area),
                hovertext=[range_text(lo, hi) for lo, hi in zip(low, high, strict=True)],
                hovertemplate=f"<b>%{{x}}</b><br>{area_label(area)} target: %{{hovertext}}<extra></extra>",
            )
    fig.update_layout(barmode="group", bargap=0.22, bargroupgap=0.04)
    for position, (has_data, vacation) in enumerate(zip(hours["has_data"], hours["vacation"], strict=True)):
        if not has_data or vacation:
            fig.add_annotation(
                x=labels[position], y=0, yanchor="bottom", showarrow=False, textangle=-90,
                text="no data" if not has_data else "vacation", font={"size": 11, "color": colours.muted},
            )
    if selected_week is not None and selected_week in hours.index:
        at = int(hours.index.get_loc(selected_week))  # type: ignore[arg-type]  # a unique index gives an int
        fig.add_vrect(x0=at - 0.5, x1=at + 0.5, fillcolor=colours.muted, opacity=0.12, line_width=0, layer="below")
    notes = ["outlined boxes: each area's target range"]
    if scheduled.any():
        notes.append("hatched: scheduled, the week is not over yet")
    base_layout(fig, title="Weekly balance", y_title="hours per week", theme=theme, note="<br>".join(notes))
    fig.update_xaxes(**week_ticks(labels))
    return fig


def _area_rows(
    hours: pd.DataFrame, targets: pd.DataFrame, scheduled: pd.Series, *,
    selected_week: pd.Timestamp | None, show_sleep: bool, theme: str | None,
) -> go.Figure:
    colours = palette(theme)
    areas = _shown_areas(hours, show_sleep)
    fig = make_subplots(rows=len(areas), cols=1, shared_xaxes=True, vertical_spacing=0.035)
    weeks = pd.DatetimeIndex(hours.index)
    for row, area in enumerate(areas, start=1):
        colour = colours.sleep if area == "sleep" else AREA_COLOURS[area]
        low, high = _target_bounds(targets, area, hours.index, hours["has_data"])
        if low.notna().any() or high.notna().any():
            lower = low.where(low.notna() | high.isna(), 0.0)  # "at most 48 h": the band starts at 0
            upper = high.fillna(low)
            band = [range_text(lo, hi) for lo, hi in zip(low, high, strict=True)]
            band_x, band_y = _band_outline(weeks, lower, upper)
            fig.add_scatter(name=f"{area_label(area)} target band", x=band_x, y=band_y, mode="lines", fill="toself",
                            fillcolor=_with_alpha(colour, colours.band_opacity), line={"width": 0},
                            showlegend=False, hoverinfo="skip", legendgroup=area, row=row, col=1)
            fig.add_scatter(
                name=f"{area_label(area)} target", x=weeks, y=upper.round(2), mode="lines",
                line={"width": 1, "shape": "hv", "color": colour, "dash": "dot"},
                showlegend=False, legendgroup=area, hovertext=band, customdata=_customdata(hours, area),
                hovertemplate=f"week of %{{x|%d %b %Y}}<br>{area_label(area)} target: %{{hovertext}}<extra></extra>",
                row=row, col=1,
            )
        fig.add_scatter(
            name=area_label(area), x=weeks, y=hours[area].round(2), mode="lines", connectgaps=False,
            line={"color": colour, "width": 1.6}, legendgroup=area, showlegend=False,
            customdata=_customdata(hours, area),
            hovertemplate=f"week of %{{x|%d %b %Y}}<br>{area_label(area)}: %{{y:.1f}} h<extra></extra>",
            row=row, col=1,
        )
    _mark_vacations(fig, hours, len(areas), colours)
    if scheduled.any():
        first = weeks[scheduled.to_numpy()].min()
        fig.add_vrect(x0=first, x1=weeks.max() + pd.Timedelta(days=7), fillcolor=colours.muted, opacity=0.12,
                      line_width=0, layer="below")
    if selected_week is not None and selected_week in hours.index:
        fig.add_vline(x=selected_week, line={"color": colours.line, "width": 1, "dash": "dot"})
    note = "one row per area: its weekly hours over its target band<br>gaps: weeks without data"
    if hours["vacation"].any():
        note += f"<br>shaded columns with ▲: {int(hours['vacation'].sum())} vacation weeks"
    base_layout(fig, title="Weekly balance", y_title="", theme=theme, note=note)
    fig.update_layout(height=140 * len(areas) + 120, showlegend=False, hovermode="x unified")
    fig.update_yaxes(rangemode="tozero", gridcolor=colours.grid, zerolinecolor=colours.grid)
    fig.update_xaxes(showgrid=True, gridcolor=colours.grid)
    for row, area in enumerate(areas, start=1):
        fig.update_yaxes(title={"text": f"{area_label(area)} h", "font": {"color": colours.text}}, row=row, col=1)
    return fig


def _band_outline(weeks: pd.DatetimeIndex, lower: pd.Series, upper: pd.Series) -> tuple[list[object], list[object]]:
    """The target band as closed steps, one polygon per run of weeks that have a target, apart
    (None between them): a fill between two lines would bridge the weeks without one diagonally."""
    xs: list[object] = []
    ys: list[object] = []
    valid = (lower.notna() & upper.notna()).to_numpy()
    low, high = lower.round(2).to_numpy(), upper.round(2).to_numpy()
    k = 0
    while k < len(valid):
        if not valid[k]:
            k += 1
            continue
        end = k
        while end + 1 < len(valid) and valid[end + 1]:
            end += 1
        top_x, top_y = [], []
        for i in range(k, end + 1):  # steps like the line's "hv" shape: flat to the next week
            top_x += [weeks[i], weeks[i + 1] if i < end else weeks[i]]
            top_y += [float(high[i]), float(high[i])]
        bottom_x = [x for i in range(end, k - 1, -1) for x in (weeks[i + 1] if i < end else weeks[i], weeks[i])]
        bottom_y = [float(low[i]) for i in range(end, k - 1, -1) for _ in range(2)]
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [*top_x, *bottom_x, top_x[0]]
        ys += [*top_y, *bottom_y, top_y[0]]
        k = end + 1
    return xs, ys


def _mark_vacations(fig: go.Figure, hours: pd.DataFrame, rows: int, colours: Palette) -> None:
    """Vacation weeks, week by week: a shaded column over every row for each run of them, and a
    marker on each row's zero line per week (with its date on hover)."""
    weeks = pd.DatetimeIndex(hours.index)[hours["vacation"].to_numpy(dtype=bool)]
    if weeks.empty:
        return
    week = pd.Timedelta(days=7)
    run_starts = [stamp for k, stamp in enumerate(weeks) if k == 0 or stamp - weeks[k - 1] != week]
    run_ends = [stamp + week for k, stamp in enumerate(weeks) if k == len(weeks) - 1 or weeks[k + 1] - stamp != week]
    for start, end in zip(run_starts, run_ends, strict=True):
        fig.add_shape(type="rect", xref="x", yref="paper", x0=start, x1=end, y0=0, y1=1, fillcolor=colours.muted,
                      opacity=0.16, line_width=0, layer="below", name="vacation")
    for row in range(1, rows + 1):
        fig.add_scatter(
            name="Vacation week", x=weeks, y=[0.0] * len(weeks), mode="markers",
            marker={"symbol": "triangle-up", "size": 7, "color": colours.muted}, showlegend=False, cliponaxis=False,
            hovertemplate="week of %{x|%d %b %Y}: vacation<extra></extra>", row=row, col=1,
        )


def _with_alpha(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
