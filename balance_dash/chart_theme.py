"""Colours and the shared layout of every chart, in a light and a dark version (pure, no Streamlit).

Each area keeps one colour everywhere, from the Okabe-Ito palette, which stays distinguishable
under the common colour-vision deficiencies (Okabe & Ito 2008, https://jfly.uni-koeln.de/color/).
The page colours follow Streamlit's own light and dark themes (background #FFFFFF / #171614 as
Streamlit 1.67 paints them, measured on a screenshot), so a chart sits on the page without a
block of another colour around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import plotly.graph_objects as go

from balance_dash.models import UNCATEGORIZED

Theme = Literal["light", "dark"]

AREA_COLOURS = {
    "work": "#0072B2",  # blue
    "family": "#E69F00",  # orange
    "personal": "#009E73",  # bluish green
    "rest": "#CC79A7",  # reddish purple
    UNCATEGORIZED: "#999999",  # grey
}
FONT = "Source Sans Pro, sans-serif"


@dataclass(frozen=True)
class Palette:
    """The non-area colours of one theme."""

    paper: str  # the figure's background: the page's
    plot: str  # the plotting area's background
    grid: str  # gridlines
    text: str  # titles, axis labels
    muted: str  # notes, annotations
    line: str  # reference lines (start, disconnect, the selected week)
    heat_low: str  # the heatmap's zero
    heat_high: str  # the heatmap's most
    sleep: str  # sleep: a tint of rest that reads on the background
    band_opacity: float  # the target bands


PALETTES: dict[Theme, Palette] = {
    "light": Palette(
        paper="#FFFFFF", plot="#FFFFFF", grid="#E6E8EC", text="#31333F", muted="#5F6470", line="#31333F",
        heat_low="#F4F8FB", heat_high=AREA_COLOURS["work"], sleep="#E7C4DA", band_opacity=0.18,
    ),
    "dark": Palette(
        paper="#171614", plot="#171614", grid="#36342F", text="#FAFAFA", muted="#B3AFA6", line="#D5D9E0",
        heat_low="#26241F", heat_high="#56B4E9", sleep="#7A4D69", band_opacity=0.28,
    ),
}


def palette(theme: str | None) -> Palette:
    """The palette of `theme`; anything but "dark" (also None: the theme is not known yet) is light."""
    return PALETTES["dark" if theme == "dark" else "light"]


def template(theme: str | None) -> go.layout.Template:
    """A plotly template for the theme: backgrounds, fonts, gridlines, hover labels."""
    colours = palette(theme)
    axis = {"gridcolor": colours.grid, "zerolinecolor": colours.grid, "linecolor": colours.grid,
            "tickfont": {"color": colours.text}, "title": {"font": {"color": colours.text}}}
    return go.layout.Template(
        layout={
            "paper_bgcolor": colours.paper,
            "plot_bgcolor": colours.plot,
            "font": {"family": FONT, "color": colours.text},
            "xaxis": axis,
            "yaxis": axis,
            "legend": {"font": {"color": colours.text}},
            "hoverlabel": {"font": {"family": FONT}},
            "colorway": list(AREA_COLOURS.values()),
        }
    )


def base_layout(fig: go.Figure, *, title: str, y_title: str, theme: str | None, note: str = "") -> go.Figure:
    """The title (with a short note under it, left-aligned so the toolbar on the right never covers
    it), the legend under the plot, the theme's colours set on the figure itself."""
    colours = palette(theme)
    title_layout: dict[str, object] = {"text": title, "x": 0, "xanchor": "left", "font": {"color": colours.text}}
    if note:
        title_layout["subtitle"] = {"text": note, "font": {"size": 12, "color": colours.muted}}
    fig.update_layout(
        template=template(theme),
        title=title_layout,
        font={"family": FONT, "color": colours.text},
        # Anchored to the bottom of the whole figure, not under the plot: plotly then makes room for
        # it below the week ticks, which a phone's narrow chart turns upright (under the plot, the
        # legend covered them).
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0, "traceorder": "normal"},
        margin={"l": 10, "r": 10, "t": 70 + 16 * (note.count("<br>") + 1) if note else 60, "b": 10},
        hovermode="closest",
        paper_bgcolor=colours.paper,
        plot_bgcolor=colours.plot,
    )
    fig.update_yaxes(title={"text": y_title}, rangemode="tozero", gridcolor=colours.grid, zerolinecolor=colours.grid,
                     automargin=True)
    fig.update_xaxes(gridcolor=colours.grid, zerolinecolor=colours.grid, automargin=True)
    return fig


def week_ticks(labels: list[str]) -> dict[str, object]:
    """X-axis settings that show ISO weeks ("2026-W38") as short ticks (W38), with the year where
    it starts, so that a phone's narrow chart can still read them."""
    years = [label[:4] for label in labels]
    ticks = [label[5:] if k and years[k - 1] == years[k] else f"{label[5:]}<br>{years[k]}" for k, label in enumerate(labels)]
    return {"type": "category", "categoryorder": "array", "categoryarray": labels, "tickvals": labels, "ticktext": ticks}

