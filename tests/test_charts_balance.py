"""The weekly balance chart: bars per area with their own target marks up to 30 weeks, rows of
lines with target bands past that, sleep apart, weeks without data empty, both themes."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from balance_dash import charts, charts_balance
from balance_dash.chart_theme import AREA_COLOURS, PALETTES
from balance_dash.models import AREAS


def weekly(weeks: int, *, start: str = "2024-01-01", sleep: bool = True, no_data: tuple[int, ...] = (),
           vacation: tuple[int, ...] = ()) -> pd.DataFrame:
    index = pd.date_range(start, periods=weeks, freq="7D", name="week_start")
    frame = pd.DataFrame(
        {"work": 40.0, "family": 15.0, "personal": 8.0, "rest": 12.0, "uncategorized": 0.0,
         "assumed_sleep": 50.0, "integration": 0.0, "unaccounted": 43.0, "days_off": 0,
         "iso_week": [f"{stamp.isocalendar().year}-W{stamp.isocalendar().week:02d}" for stamp in index]},
        index=index,
    )
    if sleep:
        frame["sleep"] = 52.0
        frame["has_data"] = [k not in no_data for k in range(weeks)]
        frame["vacation"] = [k in vacation for k in range(weeks)]
    return frame


def targets_for(frame: pd.DataFrame, **ranges: tuple[float | None, float | None]) -> pd.DataFrame:
    rows = [
        {"week_start": stamp, "area": area, "min_hours": np.nan if low is None else low,
         "max_hours": np.nan if high is None else high}
        for stamp in frame.index for area, (low, high) in ranges.items()
    ]
    return pd.DataFrame(rows)


TARGETS = {"work": (35.0, 48.0), "family": (14.0, None), "personal": (5.0, None), "rest": (10.0, None)}


def test_up_to_thirty_weeks_each_area_has_its_own_bar_and_its_own_target_mark():
    frame = weekly(12)
    fig = charts.weekly_balance(frame, targets_for(frame, **TARGETS), scheduled=[False] * 11 + [True])
    bars = [t for t in fig.data if t.type == "bar" and not t.name.endswith("target")]
    marks = [t for t in fig.data if t.name.endswith(" target")]
    assert [b.name for b in bars] == ["Work", "Family", "Personal", "Rest"]  # no sleep, no empty uncategorized
    assert [b.marker.color for b in bars] == [AREA_COLOURS[a] for a in AREAS]
    assert fig.layout.barmode == "group"
    # each target box shares its area's slot, at the hours it names (never at a stacked height)
    assert [(m.offsetgroup, m.name) for m in marks] == [(a, f"{a.capitalize()} target") for a in AREAS]
    assert len({b.offsetgroup for b in bars}) == 4
    work = marks[0]
    assert set(work.base) == {35.0} and set(work.y) == {13.0}  # a box from 35 to 48 h
    assert set(marks[1].base) == {14.0} and set(marks[1].y) == {charts_balance.TARGET_LINE_HOURS}
    assert list(fig.layout.xaxis.ticktext[:2]) == ["W01<br>2024", "W02"]
    # the legend sits at the foot of the figure, where plotly leaves it room below upright ticks
    assert (fig.layout.legend.yref, fig.layout.legend.yanchor, fig.layout.legend.y) == ("container", "bottom", 0)
    assert len(set(bars[0].x)) == 12
    # scheduled weeks keep the area colour, hatched on top
    assert list(bars[0].marker.pattern.shape) == [""] * 11 + ["/"]
    assert bars[0].marker.color == AREA_COLOURS["work"]
    assert list(bars[0].customdata[0]) == ["2024-01-01", "work"]


def test_sleep_is_apart_and_off_by_default_and_rest_is_waking_rest():
    frame = weekly(4)
    off = charts.weekly_balance(frame, targets_for(frame, **TARGETS), scheduled=[False] * 4)
    on = charts.weekly_balance(frame, targets_for(frame, **TARGETS), scheduled=[False] * 4, show_sleep=True)
    assert "Sleep" not in [t.name for t in off.data]
    [sleep] = [t for t in on.data if t.name == "Sleep"]
    assert list(sleep.y) == [52.0] * 4 and sleep.offsetgroup == "sleep"
    [rest] = [t for t in off.data if t.name == "Rest"]
    assert list(rest.y) == [12.0] * 4


def test_a_frame_without_a_sleep_column_takes_the_assumed_sleep_out_of_rest():
    frame = weekly(2, sleep=False).assign(rest=62.0)
    hours = charts.balance_hours(frame)
    assert list(hours["rest"]) == [12.0, 12.0] and list(hours["sleep"]) == [50.0, 50.0]
    assert hours["has_data"].all() and not hours["vacation"].any()


def test_weeks_without_data_are_empty_and_say_so_and_vacation_weeks_are_named():
    frame = weekly(6, no_data=(0, 1), vacation=(4,))
    targets = targets_for(frame, **TARGETS)
    targets.loc[(targets["week_start"] == frame.index[4]) & (targets["area"] == "work"), ["min_hours", "max_hours"]] = 0.0
    fig = charts.weekly_balance(frame, targets, scheduled=[False] * 6)
    [work] = [t for t in fig.data if t.name == "Work"]
    [work_target] = [t for t in fig.data if t.name == "Work target"]
    assert [v is None or np.isnan(v) for v in work.y] == [True, True, False, False, False, False]
    # no target boxes on weeks without data, nor for a work target pro-rated to nothing
    assert [v is None or np.isnan(v) for v in work_target.base] == [True, True, False, False, True, False]
    notes = [(a.x, a.text) for a in fig.layout.annotations]
    assert notes == [(frame["iso_week"].iloc[0], "no data"), (frame["iso_week"].iloc[1], "no data"),
                     (frame["iso_week"].iloc[4], "vacation")]
    table = charts.balance_table(frame, targets, scheduled=[False] * 5 + [True])
    assert list(table["Note"]) == ["no data", "no data", "", "", "vacation", "scheduled"]
    assert list(table.columns[:4]) == ["Week", "Starts", "Work (h)", "Work target"]
    assert table["Work target"].iloc[2] == "35–48 h"


@pytest.mark.parametrize("weeks", [31, 470])
def test_long_ranges_draw_one_row_per_area_whose_bands_never_meet(weeks):
    frame = weekly(weeks, start="2017-01-02")
    fig = charts.weekly_balance(frame, targets_for(frame, **TARGETS), scheduled=[False] * (weeks - 2) + [True] * 2)
    assert not [t for t in fig.data if t.type == "bar"]  # no bars: lines
    bands = [t for t in fig.data if t.name and t.name.endswith(" target")]
    assert [b.name for b in bands] == [f"{a.capitalize()} target" for a in AREAS]
    axes = [b.yaxis for b in bands]
    assert len(set(axes)) == 4  # each band on its own axis
    domains = sorted(tuple(fig.layout[axis.replace("y", "yaxis")].domain) for axis in axes)
    for lower, upper in itertools.pairwise(domains):
        assert lower[1] < upper[0]  # the rows do not overlap
    [work_band] = [b for b in bands if b.name == "Work target"]
    assert set(work_band.y) == {48.0}
    assert len(fig.layout.shapes) == 4  # the scheduled weeks, shaded in each row
    assert [fig.layout[a.replace("y", "yaxis")].title.text for a in axes] == [f"{a.capitalize()} h" for a in AREAS]


def test_both_themes_set_their_colours_on_the_figure():
    frame = weekly(3)
    for theme in ("light", "dark"):
        fig = charts.weekly_balance(frame, targets_for(frame, **TARGETS), scheduled=[False] * 3, theme=theme)
        colours = PALETTES[theme]
        assert fig.layout.paper_bgcolor == colours.paper and fig.layout.plot_bgcolor == colours.plot
        assert fig.layout.yaxis.gridcolor == colours.grid
        assert fig.layout.font.color == colours.text
    assert PALETTES["dark"].paper != PALETTES["light"].paper


def test_long_ranges_mark_each_vacation_week_in_every_row_and_shade_each_run():
    frame = weekly(40, start="2024-01-01", vacation=(5, 6, 7, 20))
    fig = charts.weekly_balance(frame, targets_for(frame, **TARGETS), scheduled=[False] * 40)
    markers = [t for t in fig.data if t.name == "Vacation week"]
    assert len(markers) == 4 and len({m.yaxis for m in markers}) == 4  # one per row
    expected = [frame.index[k] for k in (5, 6, 7, 20)]
    for marker in markers:
        assert list(pd.DatetimeIndex(marker.x)) == expected and set(marker.y) == {0.0}
    columns = [s for s in fig.layout.shapes if s.name == "vacation"]
    assert [(pd.Timestamp(c.x0), pd.Timestamp(c.x1)) for c in columns] == [
        (frame.index[5], frame.index[8]), (frame.index[20], frame.index[21])]  # two runs, each up to its week's end
    assert all(c.yref == "paper" and c.y0 == 0 and c.y1 == 1 for c in columns)  # over every row
    assert "4 vacation weeks" in fig.layout.title.subtitle.text
    plain = charts.weekly_balance(weekly(40), targets_for(weekly(40), **TARGETS), scheduled=[False] * 40)
    assert not [t for t in plain.data if t.name == "Vacation week"]
    assert not [s for s in plain.layout.shapes if s.name == "vacation"]


def test_long_range_target_bands_stop_at_weeks_without_a_target_instead_of_bridging_them():
    frame = weekly(40, start="2024-01-01", no_data=(30,))
    fig = charts.weekly_balance(frame, targets_for(frame, **TARGETS), scheduled=[False] * 40)
    bands = [t for t in fig.data if t.name and t.name.endswith(" target band")]
    assert [b.name for b in bands] == [f"{a.capitalize()} target band" for a in AREAS]
    for band in bands:
        assert band.fill == "toself" and sum(x is None for x in band.x) == 1  # two polygons, apart
        assert pd.Timestamp(frame.index[30]) not in {pd.Timestamp(x) for x in band.x if x is not None}
    work = bands[0]
    assert {y for y in work.y if y is not None} == {35.0, 48.0}
