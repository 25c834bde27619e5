"""The Trends page and the This week timeline under Streamlit's AppTest, on an empty and a seeded database."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import numpy as np
import pytest

from balance_dash import store, workflows
from balance_dash.settings import Settings
from tests.support.apptest import BERLIN, PAGES, make_app, no_exception

TRENDS = f"{PAGES}/trends.py"


def figures(at) -> dict[str, dict]:
    """Each plotly chart's figure by its title."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def array(value) -> np.ndarray:
    """A figure's array as the browser gets it: a list, or typed binary ({"dtype", "bdata", "shape"})."""
    if isinstance(value, dict):
        # plotly leaves out "shape" for one-dimensional arrays
        shape = tuple(int(n) for n in str(value["shape"]).split(",")) if "shape" in value else (-1,)
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.asarray(value)


def test_trends_on_an_empty_database_welcome_instead(sqlite_url, monkeypatch):
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(TRENDS).run())
    assert at.title[0].value == "Welcome to balance-dash"
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("period", ["12w", "6m", "1y", "all"])
def test_trends_on_the_sample_show_every_figure(seeded_url, monkeypatch, period):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    at.session_state["chart_range"] = period  # the range This week and Trends share
    no_exception(at.switch_page(TRENDS).run())
    assert at.title[0].value == "Trends"
    shown = figures(at)
    assert list(shown) == [
        "Weekly hours per area", "When you work", "Work outside your boundaries", "Boundaries kept",
        "Meetings, focus and fragmented time", "What each recurring meeting costs",
        "This month against last", "This quarter against last",
    ]
    names = {trace.get("name") for trace in shown["Weekly hours per area"]["data"]}
    assert {"work", "family", "personal", "rest"} <= names
    heat = shown["When you work"]["data"][0]  # the heatmap; an invisible layer of cells takes the clicks
    assert heat["y"][0] == "Monday" and array(heat["z"]).shape == (7, 24)
    assert array(heat["z"]).sum() > 0
    caption = " ".join(c.value for c in at.caption)
    assert "weeks" in caption


def test_trends_with_only_future_events_say_so(sqlite_url, monkeypatch):
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone=BERLIN))
    later = datetime.now(UTC).replace(microsecond=0).year + 2
    workflows.log_time(engine, tz=workflows.resolve_zone(BERLIN), area="work", day=date(later, 1, 5), duration_hours=2)
    engine.dispose()
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(TRENDS).run())
    assert at.title[0].value == "Trends"
    assert any("no events up to this week" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_this_week_lays_the_crunch_week_out_day_by_day(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch)
    at.session_state["week_start"] = date(2026, 11, 9)
    no_exception(at.run())
    assert "Day by day" in [s.value for s in at.subheader]
    timeline = figures(at)["Events by time of day"]
    assert timeline["layout"]["yaxis"]["categoryarray"][0] == "Mon 09 Nov"
    areas = {trace["name"] for trace in timeline["data"] if trace.get("type") == "bar"}
    assert {"Work", "Family", "Personal"} <= areas
    texts = [text for trace in timeline["data"] if trace.get("type") == "bar" for text in trace["text"]]
    assert "Release preparation" in texts and "Release day" in texts


def test_this_week_timeline_escapes_event_titles(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    workflows.log_time(
        engine, tz=workflows.resolve_zone(BERLIN), area="family", note="<script>alert(1)</script>",
        start=datetime(2026, 11, 10, 20, 0, tzinfo=workflows.resolve_zone(BERLIN)),
        end=datetime(2026, 11, 10, 22, 0, tzinfo=workflows.resolve_zone(BERLIN)),
    )
    engine.dispose()
    at = make_app(seeded_url, monkeypatch)
    at.session_state["week_start"] = date(2026, 11, 9)
    no_exception(at.run())
    timeline = figures(at)["Events by time of day"]
    [family] = [trace for trace in timeline["data"] if trace.get("name") == "Family"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in family["text"]
    assert "<script>" not in json.dumps(timeline)


def test_this_week_without_events_says_so(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch)
    at.session_state["week_start"] = date(2026, 7, 6)  # before the sample starts
    no_exception(at.run())
    assert any("No events in this week" in i.value for i in at.info)
    assert "Events by time of day" not in figures(at)


def test_trends_show_the_share_of_boundaries_kept_per_week(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch)
    at.session_state["chart_range"] = "all"
    no_exception(at.run())
    no_exception(at.switch_page(TRENDS).run())
    kept = figures(at)["Boundaries kept"]
    labels = list(kept["data"][0]["x"])
    shares = dict(zip(labels, array(kept["data"][0]["y"]).tolist(), strict=True))
    # The crunch week (9 Nov) broke the working hours, the rest days and the sleep window;
    # an ordinary September week kept every boundary.
    assert shares["14 Sep"] == 100.0
    assert shares["09 Nov"] < 100.0


def test_a_heatmap_cell_lists_its_events_and_places_the_selected_one(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(TRENDS).run())
    heat = figures(at)["When you work"]["data"][0]
    z = array(heat["z"])
    day, hour = np.unravel_index(int(np.argmax(z)), z.shape)
    weekday = heat["y"][int(day)]
    at.session_state["trend_heatmap"] = {"selection": {"points": [{"x": int(hour), "y": weekday, "z": float(z[day, hour])}],
                                                       "point_indices": [], "box": [], "lasso": []}}
    no_exception(at.run())
    assert any(m.value.startswith(f"**Work on {weekday}s, {int(hour):02d}:00") for m in at.markdown)
    assert not [b for b in at.button if b.key and b.key.startswith("heat-")]  # nothing selected yet
    [table] = [d for d in at.dataframe if "Hours in that hour" in d.value.columns]
    title = str(table.value["Event"].iloc[0])
    at.session_state[f"heat-table-{weekday_index(weekday)}-{int(hour)}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    no_exception(at.run())
    assert any(m.value.startswith(f"Place **{title}**") for m in at.markdown)
    keys = {b.key for b in at.button if b.key and b.key.startswith("heat-")}
    assert keys == {f"heat-{kind}-{area}" for kind in ("one", "series") for area in ("family", "personal", "rest")}
    no_exception(at.button(key="heat-series-rest").click().run())
    engine = store.open_engine(seeded_url)
    placements = store.load_placements(engine)
    engine.dispose()
    assert placements[["recurrence_key", "area"]].values.tolist() == [["*", "rest"]]  # the whole series
    assert any(f"“{title}” in rest" in t.value for t in at.toast)


def weekday_index(name: str) -> int:
    from balance_dash.settings import WEEKDAY_NAMES

    return WEEKDAY_NAMES.index(name)
