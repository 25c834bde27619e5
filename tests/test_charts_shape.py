"""charts_shape: the weekly time-shape and priority-matrix figures, as bars and as stacked areas."""

from __future__ import annotations

import pandas as pd
import pytest

from balance_dash import charts_shape


def weekly(weeks: int) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=weeks, freq="7D", name="week_start")
    columns = dict.fromkeys((*charts_shape.SHAPE_COLOURS, *charts_shape.MATRIX_COLOURS), 1.0)
    return pd.DataFrame({**columns, "iso_week": [f"{d.isocalendar().year}-W{d.isocalendar().week:02d}" for d in index]},
                        index=index)


@pytest.mark.parametrize(("draw", "colours"), [
    (lambda frame: charts_shape.working_time_shape(frame, focus_block_hours=1.5), charts_shape.SHAPE_COLOURS),
    (charts_shape.priority_matrix, charts_shape.MATRIX_COLOURS),
])
def test_a_year_is_stacked_bars_with_short_week_ticks_and_longer_is_stacked_areas(draw, colours):
    bars = draw(weekly(12))
    assert [trace.type for trace in bars.data] == ["bar"] * len(colours)
    assert [trace.marker.color for trace in bars.data] == list(colours.values())
    assert bars.layout.barmode == "stack"
    assert list(bars.layout.xaxis.ticktext[:2]) == ["W01<br>2024", "W02"]
    areas = draw(weekly(charts_shape.LONGEST_BARS + 1))
    assert {trace.type for trace in areas.data} == {"scatter"}
    assert len({trace.stackgroup for trace in areas.data}) == 1
    assert [trace.fillcolor for trace in areas.data] == list(colours.values())
    assert areas.layout.xaxis.type == "date"


def test_the_focus_name_says_the_block_length_set():
    names = [trace.name for trace in charts_shape.working_time_shape(weekly(3), focus_block_hours=1.5).data]
    assert any("1.5 h" in name for name in names)
