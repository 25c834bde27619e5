"""The planner: blocks never overlap events, sleep, work hours or boundaries; the .ics round-trips."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import numpy as np
import pandas as pd
import pytest

from balance_dash import boundaries, planning, store, workflows
from balance_dash.analytics import intervals as iv
from balance_dash.boundaries import BoundaryRule
from balance_dash.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = date(2024, 4, 8)  # Monday
NOW = datetime(2024, 4, 1, tzinfo=UTC)
SETTINGS = Settings(timezone="Europe/Berlin")


def busy_set(rows: list[tuple[str, str]], tz: ZoneInfo = BERLIN) -> iv.IntervalSet:
    start = pd.Series(pd.to_datetime([r[0] for r in rows]).tz_localize(tz))
    end = pd.Series(pd.to_datetime([r[1] for r in rows]).tz_localize(tz))
    return iv.union(iv.micros(start), iv.micros(end)) if rows else iv.EMPTY


def block_set(blocks: pd.DataFrame) -> iv.IntervalSet:
    return iv.micros(blocks["start_utc"]), iv.micros(blocks["end_utc"])


def overlap_hours(a: iv.IntervalSet, b: iv.IntervalSet) -> float:
    starts, ends = iv.intersect(a, b)
    return float((ends - starts).sum() / iv.US_PER_HOUR)


def rule_set(rule: BoundaryRule, tz: ZoneInfo = BERLIN) -> iv.IntervalSet:
    days = iv.local_days(WEEK, date(2024, 4, 14))
    _chosen, lo, hi = boundaries.rule_windows(rule, days, np.zeros(7, bool), pd.DatetimeIndex([pd.Timestamp(WEEK)] * 7), tz)
    return iv.union(lo, hi)


def local_set(day: str, start: str, end: str) -> iv.IntervalSet:
    return busy_set([(f"{day} {start}", f"{day} {end}")])


DINNER = BoundaryRule("Family dinner", "protect", "family", (0, 1, 2, 3, 4), time(19), time(20))
NO_SCREENS = BoundaryRule("Quiet Sunday", "forbid", "personal", (6,), time(0), time(0))


def test_blocks_fill_the_shortfall_without_touching_events_sleep_work_or_boundaries():
    busy = busy_set([("2024-04-08 18:00", "2024-04-08 21:00"), ("2024-04-13 10:00", "2024-04-13 12:00")])
    rules = [*boundaries.settings_rules(SETTINGS), DINNER, NO_SCREENS]
    plan = planning.propose_blocks({"family": 6.0, "personal": 4.0}, week_start=WEEK, tz=BERLIN,
                                   settings=SETTINGS, busy=busy, rules=rules, now=NOW)
    blocks = plan.blocks
    assert plan.unmet == {}
    totals = blocks.groupby("area")["hours"].sum()
    assert totals["family"] >= 6.0 and totals["personal"] >= 4.0
    assert (blocks["hours"] >= 1.5).all() and (blocks["hours"] <= 3.0).all()
    assert overlap_hours(block_set(blocks), busy) == 0
    merged = iv.union(*block_set(blocks))
    assert (merged[1] - merged[0]).sum() / iv.US_PER_HOUR == pytest.approx(blocks["hours"].sum())  # no overlaps
    local = blocks.assign(start=blocks["start_utc"].dt.tz_convert(BERLIN), end=blocks["end_utc"].dt.tz_convert(BERLIN))
    weekday = local["start"].dt.day_of_week < 5
    assert (local.loc[weekday, "start"].dt.time >= time(18)).all()  # after work on working days
    assert (local["end"].dt.time <= time(23)).all() & (local["start"].dt.time >= time(7)).all()  # not in sleep
    personal = blocks[blocks["area"] == "personal"]
    assert overlap_hours(block_set(personal), rule_set(NO_SCREENS)) == 0
    others = blocks[blocks["area"] != "family"]
    assert overlap_hours(block_set(others), rule_set(DINNER)) == 0
    assert len(set(blocks["uid"])) == len(blocks)
    again = planning.propose_blocks({"family": 6.0, "personal": 4.0}, week_start=WEEK, tz=BERLIN,
                                    settings=SETTINGS, busy=busy, rules=rules, now=NOW)
    pd.testing.assert_frame_equal(again.blocks, blocks)  # stable: same input, same blocks and UIDs


def test_planner_stops_when_free_time_runs_out():
    # Every evening and the weekend are taken but for one 2-hour gap on Saturday.
    busy = busy_set([(f"2024-04-{d:02d} 17:00", f"2024-04-{d:02d} 23:00") for d in range(8, 13)]
                    + [("2024-04-13 07:00", "2024-04-13 14:00"), ("2024-04-13 16:00", "2024-04-14 23:00")])
    plan = planning.propose_blocks({"family": 10.0}, week_start=WEEK, tz=BERLIN, settings=SETTINGS,
                                   busy=busy, rules=boundaries.settings_rules(SETTINGS), now=NOW)
    assert plan.blocks[["area", "hours"]].to_dict("records") == [{"area": "family", "hours": 2.0}]
    assert plan.unmet == {"family": 8.0}


def test_gaps_shorter_than_a_long_block_are_left_alone():
    busy = busy_set([(f"2024-04-{d:02d} 07:00", f"2024-04-{d:02d} 23:00") for d in range(8, 15)]
                    + [("2024-04-09 18:00", "2024-04-09 19:15")])
    free = planning.free_time("family", week_start=WEEK, tz=BERLIN, settings=SETTINGS, busy=busy, rules=[])
    assert free[0].size == 0
    plan = planning.propose_blocks({"family": 2.0}, week_start=WEEK, tz=BERLIN, settings=SETTINGS, busy=busy)
    assert plan.blocks.empty and plan.unmet == {"family": 2.0}


def test_past_time_of_the_week_is_not_planned():
    now = datetime(2024, 4, 12, 12, tzinfo=UTC)  # Friday noon
    plan = planning.propose_blocks({"personal": 3.0}, week_start=WEEK, tz=BERLIN, settings=SETTINGS,
                                   busy=iv.EMPTY, now=now)
    assert (plan.blocks["start_utc"] >= pd.Timestamp(now)).all() and plan.blocks["hours"].sum() == 3.0


def test_shortfall_counts_only_planned_areas_below_their_minimum():
    targets = pd.DataFrame({"area": ["work", "family", "personal", "rest"], "min_hours": [35.0, 14.0, 7.0, np.nan]})
    hours = {"work": 10.0, "family": 8.5, "personal": 9.0, "rest": 40.0}
    assert planning.shortfall_hours(hours, targets) == {"family": 5.5}


def test_ics_parses_and_reimports_with_the_same_hours(sqlite_url):
    plan = planning.propose_blocks({"family": 5.0, "personal": 3.0, "rest": 2.0}, week_start=date(2024, 3, 25),
                                   tz=BERLIN, settings=SETTINGS, busy=iv.EMPTY, now=NOW - pd.Timedelta(days=30))
    data = planning.plan_to_ics(plan.blocks, tz=BERLIN, stamp=NOW)
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.events
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert sorted(e.uid for e in events) == sorted(plan.blocks["uid"])
    assert all(e.start.tzinfo is not None and str(e.start.tzinfo) == "Europe/Berlin" for e in events)  # type: ignore[attr-defined]  # timed events: datetimes
    engine = store.open_engine(sqlite_url)
    report = workflows.import_calendar(engine, data, file_name="plan.ics", tz=ZoneInfo("America/New_York"),
                                       settings=SETTINGS, now=NOW)
    assert report.occurrences == len(plan.blocks)
    occ = workflows.categorized_occurrences(engine)
    imported = occ.assign(hours=(occ["end_utc"] - occ["start_utc"]).dt.total_seconds() / 3600).groupby("area")["hours"].sum()
    planned = plan.blocks.groupby("area")["hours"].sum()
    pd.testing.assert_series_equal(imported.sort_index(), planned.sort_index(), check_names=False)
    merged = occ.merge(plan.blocks, on="uid", suffixes=("", "_plan"))
    assert (merged["start_utc"] == merged["start_utc_plan"]).all() and len(merged) == len(plan.blocks)
    again = workflows.import_calendar(engine, data, file_name="plan.ics", tz=BERLIN, settings=SETTINGS, now=NOW)
    assert again.unchanged == len(plan.blocks)  # stable UIDs: re-importing changes nothing


def test_plan_against_actual_compares_calendar_and_logs():
    occ = pd.DataFrame(
        {
            "area": ["work", "work", "family"],
            "all_day": False,
            "start_utc": pd.to_datetime(["2024-04-08 07:00", "2024-04-08 07:30", "2024-04-09 17:00"], utc=True),
            "end_utc": pd.to_datetime(["2024-04-08 15:00", "2024-04-08 16:30", "2024-04-09 19:00"], utc=True),
            "source_kind": ["ics", "manual", "ics"],
        }
    )
    lo, hi = iv.micros(pd.Series(pd.to_datetime(["2024-04-07 22:00", "2024-04-14 22:00"], utc=True)))
    frame = planning.plan_against_actual(occ, lo_us=int(lo), hi_us=int(hi)).set_index("area")
    assert frame.loc["work"].to_dict() == {"planned": 8.0, "logged": 9.0, "difference": 1.0}
    assert frame.loc["family"].to_dict() == {"planned": 2.0, "logged": 0.0, "difference": -2.0}
    no_logs = planning.plan_against_actual(occ[occ["source_kind"] == "ics"], lo_us=int(lo), hi_us=int(hi))
    assert no_logs.empty


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/New_York"])
def test_blocks_follow_the_display_zone_not_the_machine(zone):
    tz = ZoneInfo(zone)
    settings = Settings(timezone=zone)
    plan = planning.propose_blocks({"family": 3.0}, week_start=WEEK, tz=tz, settings=settings, busy=iv.EMPTY, now=NOW)
    [block] = plan.blocks.to_dict("records")
    start = block["start_utc"].tz_convert(tz)
    assert (start.date(), start.time()) == (WEEK, settings.disconnect_time)
