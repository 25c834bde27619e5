"""The events behind a figure: their credited hours add up to the area's hours of the week, each
says what placed it, and one occurrence or its series can be placed from there."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from balance_dash import charts, store, workflows
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS
from balance_dash.workflows import drilldown
from tests.support.apptest import BERLIN

CRUNCH = date(2026, 11, 9)


def test_credited_hours_count_shared_time_once():
    hour = 3_600_000_000
    starts = np.array([0, 1 * hour, 5 * hour, 5 * hour])
    ends = np.array([2 * hour, 3 * hour, 6 * hour, 6 * hour])
    assert drilldown.credited_hours(starts, ends).tolist() == [2.0, 1.0, 1.0, 0.0]
    assert drilldown.credited_hours(np.array([], dtype=int), np.array([], dtype=int)).tolist() == []


@pytest.mark.parametrize("week", [CRUNCH, date(2026, 10, 19), date(2026, 11, 16)])
def test_the_events_behind_each_area_add_up_to_its_hours(seeded_url, frozen_now, week):
    engine = store.open_engine(seeded_url)
    scope = workflows.Scope.of(engine, tz=BERLIN, now=frozen_now)
    result = workflows.balance(scope, first_day=week, last_day=week)
    hours = charts.balance_hours(result.weekly).iloc[0]
    for area in (*AREAS, "uncategorized"):
        events = drilldown.events_behind(scope, first_day=week, last_day=week + timedelta(days=6), area=area)
        assert events["hours"].sum() == pytest.approx(float(hours[area]), abs=1e-6), area
        assert (events["area"] == area).all()
        assert set(events.columns) == set(drilldown.EVENT_COLUMNS)
    work = drilldown.events_behind(scope, first_day=week, last_day=week + timedelta(days=6), area="work")
    assert work["placed_by"].str.startswith(("rule ", "the calendar", "placed by you", "logged by you")).all()


def test_placing_one_occurrence_or_its_series_and_making_a_rule(seeded_url):
    engine = store.open_engine(seeded_url)
    scope = workflows.Scope.of(engine, tz=BERLIN)
    occurrences = scope.occurrences
    work = drilldown.events_behind(scope, first_day=CRUNCH, last_day=CRUNCH + timedelta(days=6), area="work")
    repeats = occurrences.groupby(["source_id", "uid"]).size()
    recurring = next(row for _, row in work.iterrows() if repeats.get((row["source_id"], row["uid"]), 0) > 3)
    drilldown.place_occurrence(engine, source_id=int(recurring["source_id"]), uid=str(recurring["uid"]),
                               recurrence_key=str(recurring["recurrence_key"]), area="family")
    after = workflows.categorized_occurrences(engine)
    series = after[(after["uid"] == recurring["uid"]) & (after["source_id"] == recurring["source_id"])]
    moved = series["recurrence_key"] == recurring["recurrence_key"]
    assert (series.loc[moved, "area"] == "family").all() and moved.sum() == 1
    assert (series.loc[~moved, "area"] == "work").all()  # one row placed, not the series
    drilldown.place_series_of(engine, source_id=int(recurring["source_id"]), uid=str(recurring["uid"]), area="rest")
    after = workflows.categorized_occurrences(engine)
    series = after[(after["uid"] == recurring["uid"]) & (after["source_id"] == recurring["source_id"])]
    assert set(series.loc[series["recurrence_key"] != recurring["recurrence_key"], "area"]) == {"rest"}
    moved_events = drilldown.events_behind(workflows.Scope.of(engine, tz=BERLIN), first_day=CRUNCH,
                                           last_day=CRUNCH + timedelta(days=6), area="family")
    assert "placed by you (this occurrence)" in set(moved_events["placed_by"])

    before = len(store.load_rules(engine))
    number = drilldown.add_title_rule(engine, title="  Gym   with Sam ", area="personal")
    rules = store.load_rules(engine).sort_values("position")
    assert number == before + 1 == len(rules)
    assert rules.iloc[-1][["field", "pattern", "area", "is_regex"]].tolist() == ["title", "Gym with Sam", "personal", False]
    with pytest.raises(InvalidValueError):
        drilldown.add_title_rule(engine, title="   ", area="work")


def test_the_events_behind_a_heatmap_cell_hold_time_in_that_hour(seeded_url):
    from balance_dash import analytics
    from balance_dash.analytics import trends

    engine = store.open_engine(seeded_url)
    scope = workflows.Scope.of(engine, tz=BERLIN)
    zone, occurrences = scope.tz, scope.occurrences
    first, last = date(2026, 9, 7), date(2026, 11, 29)
    heat = trends.work_heatmap(analytics.area_intervals(occurrences), tz=zone, first_day=first, last_day=last)
    for weekday, hour in ((0, 10), (0, 20), (5, 12), (2, 3)):
        events = drilldown.events_in_hour(scope, first_day=first, last_day=last, weekday=weekday, hour=hour)
        cell = float(heat.iloc[weekday][hour])
        # the heatmap counts double-booked time once; the list gives each event its own time
        assert events["hours"].sum() >= cell - 1e-9
        assert (events["hours"] > 0).all() and (events["hours"] <= 13 * 1.0 + 1e-9).all()
        assert (cell == 0) == events.empty
        assert events["when"].str.startswith(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")).all()
