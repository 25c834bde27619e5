"""The trend and timeline figures: traces per area, colours from AREA_COLOURS, titles, escaping."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash import analytics, charts
from balance_dash.analytics import trends
from balance_dash.chart_theme import PALETTES
from balance_dash.charts import AREA_COLOURS
from balance_dash.models import AREAS
from tests.test_trends import daily_frame, occurrences, weekly_frame

ZONE = ZoneInfo("Europe/Berlin")


def test_weekly_trend_draws_a_mean_and_a_weekly_line_per_area():
    fig = charts.weekly_trend(trends.weekly_area_trend(weekly_frame([10, 20, 30, 40, 50, 60])))
    assert fig.layout.title.text == "Weekly hours per area"
    means = [trace for trace in fig.data if trace.showlegend is not False]
    weeks = [trace for trace in fig.data if trace.showlegend is False]
    assert [trace.name for trace in means] == list(AREAS)
    assert [trace.name for trace in weeks] == [f"{area} each week" for area in AREAS]
    assert [trace.line.color for trace in means] == [AREA_COLOURS[area] for area in AREAS]
    assert [trace.line.color for trace in weeks] == [AREA_COLOURS[area] for area in AREAS]
    work_mean = next(trace for trace in means if trace.name == "work")
    assert list(work_mean.y) == [10, 15, 20, 25, 35, 45]
    assert list(work_mean.customdata)[:2] == ["2024-W01", "2024-W02"]
    assert fig.layout.xaxis.tick0 == "2000-01-03"  # weekly ticks on Mondays


def test_work_heatmap_figure():
    intervals = analytics.area_intervals(occurrences(("2024-03-05 10:00", "2024-03-05 12:00", "work")))
    heat = trends.work_heatmap(intervals, tz=ZONE, first_day=date(2024, 3, 4), last_day=date(2024, 3, 10))
    fig = charts.work_heatmap(heat)
    trace, cells = fig.data
    assert cells.type == "scatter" and len(cells.x) == 7 * 24 and cells.marker.opacity == 0  # takes the clicks
    assert cells.customdata[24 + 10] == "Tuesday 10:00–11:00: 1.0 h of work"
    assert fig.layout.title.text == "When you work"
    assert list(trace.y) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert list(trace.x) == list(range(24))
    assert trace.z[1][10] == 1 and trace.z[1][11] == 1 and sum(map(sum, trace.z)) == 2
    assert trace.colorscale[-1][1] == AREA_COLOURS["work"]
    assert fig.layout.yaxis.autorange == "reversed"
    # Every third hour, at no fixed angle, so plotly can turn them on a phone instead of overlapping.
    assert list(fig.layout.xaxis.ticktext) == ["00:00", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00"]
    assert fig.layout.xaxis.tickangle is None


def test_after_hours_stacks_evenings_and_rest_days():
    weekly = pd.DataFrame(
        {"outside_hours": [1.0, 0.0], "rest_day_hours": [0.0, 2.5], "total_hours": [1.0, 2.5],
         "iso_week": ["2024-W10", "2024-W11"]},
        index=pd.DatetimeIndex(["2024-03-04", "2024-03-11"], name="week_start"),
    )
    fig = charts.after_hours(weekly, window_text="working hours 08:00–18:00")
    assert fig.layout.title.text == "Work outside your boundaries"
    assert fig.layout.barmode == "stack"
    assert [(t.name, list(t.y), t.marker.color) for t in fig.data] == [
        ("before start or after disconnect", [1.0, 0.0], charts.AFTER_HOURS_COLOUR),
        ("on rest days and days off", [0.0, 2.5], charts.REST_DAY_WORK_COLOUR),
    ]
    assert fig.layout.title.subtitle.text == "working hours 08:00–18:00"
    # Short week ticks, as in the weekly balance: a phone's narrow chart can read them.
    assert list(fig.layout.xaxis.ticktext) == ["W10<br>2024", "W11"]


@pytest.mark.parametrize(("data_since", "note"), [
    (None, "pale: Oct 2026, 1–23 Oct · solid: Nov 2026, 1–23 Nov"),
    (date(2026, 11, 1), "no data in Oct 2026, 1–23 Oct"),
])
def test_period_comparison_colours_each_area_and_writes_the_difference(data_since, note):
    daily = daily_frame("2026-10-01", "2026-11-23", work=2.0)
    daily.loc["2026-11-01":"2026-11-23", "work"] = 3.0
    spans = trends.period_spans(date(2026, 11, 23), "month")
    hours = trends.compare_periods(daily, spans, data_since=data_since)
    fig = charts.period_comparison(
        hours, current_label=spans.label("current"), previous_label=spans.label("previous"), title="This month against last"
    )
    previous, current = fig.data
    assert fig.layout.title.text == "This month against last"
    assert list(current.marker.color) == [AREA_COLOURS[area] for area in AREAS]
    assert list(previous.marker.color) == [AREA_COLOURS[area] for area in AREAS]
    assert previous.marker.opacity < 1
    assert fig.layout.title.subtitle.text == note
    if data_since is None:
        assert list(current.text) == ["+23.0 h", "±0 h", "±0 h", "±0 h"]
    else:
        assert list(current.text) == ["", "", "", ""]


def timeline_figure(*events, all_day=(), sleep=(time(23), time(7))):
    frame = trends.day_pieces(occurrences(*events, all_day=all_day), tz=ZONE, week_start=date(2024, 3, 4))
    return charts.week_timeline(
        frame, week_start=date(2024, 3, 4), workday_start=time(8), disconnect_time=time(18, 30), sleep=sleep,
        rest_days=(5, 6),
    )


def test_week_timeline_draws_areas_days_and_boundaries():
    fig = timeline_figure(
        ("2024-03-04 09:00", "2024-03-04 12:00", "work", "Planning"),
        ("2024-03-09 22:00", "2024-03-10 01:00", "family", "Party"),
        all_day=(("2024-03-05", "2024-03-06", "rest", True),),
    )
    assert fig.layout.title.text == "Events by time of day"
    bars = {trace.name: trace for trace in fig.data if trace.type == "bar"}
    assert set(bars) == {"Work", "Family", "Rest (all day)"}
    assert {name: bar.marker.color for name, bar in bars.items()} == {
        "Work": AREA_COLOURS["work"], "Family": AREA_COLOURS["family"], "Rest (all day)": AREA_COLOURS["rest"],
    }
    assert list(fig.layout.yaxis.categoryarray) == [
        "Mon 04 Mar", "Tue 05 Mar · day off", "Wed 06 Mar", "Thu 07 Mar", "Fri 08 Mar",
        "Sat 09 Mar · rest day", "Sun 10 Mar · rest day",
    ]
    party = bars["Family"]
    assert list(party.y) == ["Sat 09 Mar · rest day", "Sun 10 Mar · rest day"]
    assert list(party.base) == [22.0, 0.0] and list(party.x) == [2.0, 1.0]
    assert party.customdata[0][2] == "Sat 09 Mar 22:00 – Sun 10 Mar 01:00"
    assert bars["Work"].customdata[0].tolist() == ["Planning", "Work", "09:00–12:00"]
    assert bars["Rest (all day)"].customdata[0][2] == "all day · day off"
    lines = sorted(shape.x0 for shape in fig.layout.shapes if shape.type == "line")
    assert lines == [8.0, 18.5]
    sleep = sorted((shape.x0, shape.x1) for shape in fig.layout.shapes if shape.type == "rect")
    assert sleep == [(0.0, 7.0), (23.0, 24.0)]
    assert sorted(a.text for a in fig.layout.annotations) == ["disconnect 18:30", "sleep window", "start 08:00"]
    assert list(fig.layout.xaxis.range) == [0, 24]


def test_week_timeline_escapes_titles_and_can_go_without_sleep():
    fig = timeline_figure(("2024-03-04 09:00", "2024-03-04 12:00", "work", "<b>Boss</b> & <img src=x>"), sleep=None)
    [bar] = [trace for trace in fig.data if trace.type == "bar"]
    assert list(bar.text) == ["&lt;b&gt;Boss&lt;/b&gt; &amp; &lt;img src=x&gt;"]
    assert bar.customdata[0][0] == "&lt;b&gt;Boss&lt;/b&gt; &amp; &lt;img src=x&gt;"
    assert "<b>Boss" not in fig.to_json()
    assert not [shape for shape in fig.layout.shapes if shape.type == "rect"]


def test_week_timeline_of_an_empty_week_still_has_seven_rows():
    fig = timeline_figure()
    assert not [trace for trace in fig.data if trace.type == "bar"]
    assert len(fig.layout.yaxis.categoryarray) == 7


def test_week_timeline_gives_overlapping_events_their_own_lanes():
    fig = timeline_figure(
        ("2024-03-04 09:00", "2024-03-04 11:00", "work", "Planning"),
        ("2024-03-04 10:00", "2024-03-04 12:00", "work", "Review"),
        ("2024-03-04 10:30", "2024-03-04 11:30", "family", "School call"),
        ("2024-03-04 11:00", "2024-03-04 12:30", "work", "Lunch talk"),  # fits in Planning's lane again
        ("2024-03-05 09:00", "2024-03-05 10:00", "work", "Alone"),
    )
    placed = []
    for trace in (t for t in fig.data if t.type == "bar"):
        for title, day, base, length, offset, width in zip(
            trace.text, trace.y, trace.base, trace.x, trace.offset, trace.width, strict=True
        ):
            placed.append((title, day, base, base + length, offset, offset + width))
    monday = [p for p in placed if p[1].startswith("Mon")]
    for i, first in enumerate(monday):
        for second in monday[i + 1:]:
            overlap_in_time = first[2] < second[3] and second[2] < first[3]
            overlap_in_row = first[4] < second[5] - 1e-3 and second[4] < first[5] - 1e-3
            assert not (overlap_in_time and overlap_in_row), (first[0], second[0])
    lanes = {p[0]: round(p[5] - p[4], 4) for p in placed}
    assert lanes["Planning"] == lanes["Review"] == lanes["School call"] == round(0.68 / 3, 4)
    assert lanes["Alone"] == 0.68  # a day without overlaps keeps the whole row
    assert fig.layout.title.subtitle.text.startswith("overlapping events side by side")


def test_week_timeline_follows_the_dark_theme():
    frame = trends.day_pieces(occurrences(("2024-03-04 09:00", "2024-03-04 12:00", "work", "x")), tz=ZONE,
                                 week_start=date(2024, 3, 4))
    fig = charts.week_timeline(frame, week_start=date(2024, 3, 4), workday_start=time(8), disconnect_time=time(18),
                               sleep=None, theme="dark")
    dark = PALETTES["dark"]
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == dark.paper != PALETTES["light"].paper
    assert fig.layout.yaxis.gridcolor == fig.layout.xaxis.gridcolor == dark.grid
    assert fig.layout.font.color == dark.text
