"""analytics: daily and weekly hours per area, local days, DST, overlaps and assumed sleep."""

from __future__ import annotations

import itertools
import os
import time as time_module
from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance_dash.analytics import (
    AREA_COLUMNS,
    DAILY_COLUMNS,
    HOUR_COLUMNS,
    area_intervals,
    daily_hours,
    sleep_nights,
    weekly_hours,
)
from balance_dash.models import AREAS, UNCATEGORIZED

BERLIN = ZoneInfo("Europe/Berlin")
SLEEP = (time(23, 0), time(7, 0))


def local(stamp: str, tz: ZoneInfo) -> pd.Timestamp:
    """A wall time in `tz` as UTC; of two equal wall times (fall back) the first."""
    return pd.Timestamp(stamp).tz_localize(tz, ambiguous=True).tz_convert("UTC")


def timed(area: str | None, start: str, end: str, tz: ZoneInfo = BERLIN, **fields: Any) -> dict[str, Any]:
    return {"area": area, "start_utc": local(start, tz), "end_utc": local(end, tz), "all_day": False, **fields}


def all_day(area: str | None, first: str, stop: str, **fields: Any) -> dict[str, Any]:
    return {
        "area": area, "all_day": True, "start_utc": pd.NaT, "end_utc": pd.NaT,
        "day_start": pd.Timestamp(first), "day_end": pd.Timestamp(stop), **fields,
    }


def make_occurrences(*events: dict[str, Any]) -> pd.DataFrame:
    """An occurrence frame with the store's columns and dtypes, `area` already assigned."""
    rows = []
    for number, event in enumerate(events, start=1):
        row = {
            "id": number, "source_id": 1, "source_name": "Calendar", "uid": f"uid-{number}",
            "recurrence_key": "", "title": f"Event {number}", "location": "", "description": "",
            "all_day": False, "start_utc": pd.NaT, "end_utc": pd.NaT, "day_start": pd.NaT,
            "day_end": pd.NaT, "area": None, "day_off": False,
        }
        row.update(event)
        rows.append(row)
    columns = ["id", "source_id", "source_name", "uid", "recurrence_key", "title", "location", "description",
               "all_day", "start_utc", "end_utc", "day_start", "day_end", "area", "day_off"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(
        {
            "id": "int64", "source_id": "int64", "all_day": bool, "day_off": bool, "area": object,
            "start_utc": "datetime64[us, UTC]", "end_utc": "datetime64[us, UTC]",
            "day_start": "datetime64[s]", "day_end": "datetime64[s]",
        }
    )


def days_of(occ: pd.DataFrame, first: str, last: str, tz: ZoneInfo = BERLIN,
            sleep: tuple[time, time] | None = None) -> pd.DataFrame:
    return daily_hours(occ, tz=tz, first_day=date.fromisoformat(first), last_day=date.fromisoformat(last), sleep=sleep)


def row(daily: pd.DataFrame, day: str) -> dict[str, float]:
    return {str(k): v for k, v in daily.loc[pd.Timestamp(day)].items()}


def test_shape_and_dtypes() -> None:
    daily = days_of(make_occurrences(timed("work", "2024-10-07 09:00", "2024-10-07 17:00")), "2024-10-07", "2024-10-09")
    assert list(daily.columns) == list(DAILY_COLUMNS)
    assert daily.index.name == "day"
    assert daily.index.dtype == "datetime64[s]"
    assert list(daily.index) == list(pd.date_range("2024-10-07", "2024-10-09"))
    assert all(daily[column].dtype == "float64" for column in HOUR_COLUMNS)
    assert daily["day_off"].dtype == bool
    assert row(daily, "2024-10-07")["work"] == 8.0


def test_empty_occurrences_give_zero_hours_and_full_unaccounted_days() -> None:
    daily = days_of(make_occurrences(), "2024-10-07", "2024-10-08")
    assert (daily[list(AREA_COLUMNS)] == 0).all().all()
    assert list(daily["unaccounted"]) == [24.0, 24.0]


@pytest.mark.parametrize(
    ("tz_name", "event", "expected"),
    [
        # crossing local midnight: the hours go to each day they touch
        ("Europe/Berlin", ("2024-10-07 22:00", "2024-10-08 02:30"), {"2024-10-07": 2.0, "2024-10-08": 2.5}),
        ("America/New_York", ("2024-10-07 22:00", "2024-10-08 02:30"), {"2024-10-07": 2.0, "2024-10-08": 2.5}),
        ("Pacific/Auckland", ("2024-10-07 22:00", "2024-10-08 02:30"), {"2024-10-07": 2.0, "2024-10-08": 2.5}),
        # spring forward in Berlin: 02:00-03:00 does not exist
        ("Europe/Berlin", ("2024-03-31 00:00", "2024-04-01 00:00"), {"2024-03-31": 23.0}),
        ("Europe/Berlin", ("2024-03-31 01:00", "2024-03-31 04:00"), {"2024-03-31": 2.0}),
        # fall back in Berlin: 02:00-03:00 happens twice
        ("Europe/Berlin", ("2024-10-27 00:00", "2024-10-28 00:00"), {"2024-10-27": 25.0}),
        ("Europe/Berlin", ("2024-10-26 20:00", "2024-10-27 04:00"), {"2024-10-26": 4.0, "2024-10-27": 5.0}),
        # New York and Auckland change on other dates
        ("America/New_York", ("2024-11-03 00:00", "2024-11-04 00:00"), {"2024-11-03": 25.0}),
        ("Pacific/Auckland", ("2024-09-29 00:00", "2024-09-30 00:00"), {"2024-09-29": 23.0}),
    ],
)
def test_work_hours_split_at_local_midnight_across_dst(
    tz_name: str, event: tuple[str, str], expected: dict[str, float]
) -> None:
    tz = ZoneInfo(tz_name)
    occ = make_occurrences(timed("work", *event, tz=tz))
    days = sorted(expected)
    daily = days_of(occ, days[0], days[-1], tz=tz)
    assert {str(stamp.date()): hours for stamp, hours in zip(pd.DatetimeIndex(daily.index), daily["work"], strict=True)} == expected


@pytest.mark.parametrize(
    ("tz_name", "day", "length"),
    [
        ("Europe/Berlin", "2024-03-31", 23.0),
        ("Europe/Berlin", "2024-10-27", 25.0),
        ("Europe/Berlin", "2024-10-28", 24.0),
        ("America/New_York", "2024-03-10", 23.0),
        ("Pacific/Auckland", "2024-04-07", 25.0),
        ("UTC", "2024-03-31", 24.0),
    ],
)
def test_day_length(tz_name: str, day: str, length: float) -> None:
    daily = days_of(make_occurrences(), day, day, tz=ZoneInfo(tz_name))
    assert row(daily, day)["day_length"] == length
    assert row(daily, day)["unaccounted"] == length


def test_overlap_within_an_area_counts_once_and_across_areas_is_integration() -> None:
    occ = make_occurrences(
        timed("work", "2024-10-07 10:00", "2024-10-07 11:00"),
        timed("work", "2024-10-07 10:00", "2024-10-07 11:00"),  # double-booked
        timed("work", "2024-10-07 10:30", "2024-10-07 12:00"),
        timed("family", "2024-10-07 11:30", "2024-10-07 13:00"),  # shares 11:30-12:00 with work
        timed(None, "2024-10-07 20:00", "2024-10-07 21:00"),
    )
    got = row(days_of(occ, "2024-10-07", "2024-10-07"), "2024-10-07")
    assert (got["work"], got["family"], got[UNCATEGORIZED]) == (2.0, 1.5, 1.0)
    assert got["integration"] == 0.5
    assert got["accounted"] == 4.0
    assert got["unaccounted"] == 20.0


def test_all_day_events_add_no_hours_but_mark_days_off() -> None:
    occ = make_occurrences(
        all_day("rest", "2024-10-07", "2024-10-09", day_off=True),
        all_day("work", "2024-10-10", "2024-10-11"),
        timed("rest", "2024-10-11 23:00", "2024-10-12 01:00", day_off=True),
    )
    daily = days_of(occ, "2024-10-06", "2024-10-13")
    assert daily["accounted"].tolist() == [0, 0, 0, 0, 0, 1, 1, 0]
    assert daily["day_off"].tolist() == [False, True, True, False, False, True, True, False]


def test_unknown_or_missing_area_counts_as_uncategorized() -> None:
    occ = make_occurrences(timed("chores", "2024-10-07 10:00", "2024-10-07 11:00"),
                           timed(None, "2024-10-07 12:00", "2024-10-07 13:00"))
    assert row(days_of(occ, "2024-10-07", "2024-10-07"), "2024-10-07")[UNCATEGORIZED] == 2.0


def test_events_outside_the_range_are_ignored_and_edges_are_clipped() -> None:
    occ = make_occurrences(timed("work", "2024-10-01 09:00", "2024-10-01 17:00"),
                           timed("work", "2024-10-06 20:00", "2024-10-07 03:00"))
    daily = days_of(occ, "2024-10-07", "2024-10-07")
    assert daily["work"].tolist() == [3.0]


@pytest.mark.parametrize(
    ("day", "events", "assumed", "rest", "sleep"),
    [
        # 00:00-07:00 and 23:00-24:00 of an ordinary day: sleep, not rest
        ("2024-10-08", [], 8.0, 0.0, 8.0),
        # spring forward: the night 23:00 -> 07:00 is 7 real hours; the day holds 6 + 1
        ("2024-03-31", [], 7.0, 0.0, 7.0),
        # fall back: 00:00-07:00 holds 8 real hours
        ("2024-10-27", [], 9.0, 0.0, 9.0),
        # an event in the window takes its time from the assumed sleep, whatever its area
        ("2024-10-08", [("personal", "2024-10-08 06:00", "2024-10-08 08:00")], 7.0, 0.0, 7.0),
        ("2024-10-08", [("work", "2024-10-07 22:00", "2024-10-08 01:00")], 7.0, 0.0, 7.0),  # 1-7 h and 23-24 h
        # logged waking rest in the window is rest, not sleep
        ("2024-10-08", [("rest", "2024-10-08 00:00", "2024-10-08 02:00")], 6.0, 2.0, 6.0),
        # logged sleep is sleep: the night is whole, rest is empty
        ("2024-10-08", [("rest", "2024-10-08 00:00", "2024-10-08 02:00", "Sleep")], 6.0, 0.0, 8.0),
        # a 06:00 gym session takes an hour of sleep and adds none to rest
        ("2024-10-08", [("personal", "2024-10-08 06:00", "2024-10-08 07:00", "Gym")], 7.0, 0.0, 7.0),
    ],
)
def test_assumed_sleep(
    day: str, events: list[tuple[str, ...]], assumed: float, rest: float, sleep: float
) -> None:
    occ = make_occurrences(
        *(timed(area, start, end, **({"title": rest_[0]} if rest_ else {})) for area, start, end, *rest_ in events)  # type: ignore[arg-type]  # title only
    )
    got = row(days_of(occ, day, day, sleep=SLEEP), day)
    assert (got["assumed_sleep"], got["rest"], got["sleep"]) == (assumed, rest, sleep)
    assert got["accounted"] == pytest.approx(got["day_length"] - got["unaccounted"])


def test_sleep_off_and_daytime_window() -> None:
    occ = make_occurrences()
    assert days_of(occ, "2024-10-08", "2024-10-08", sleep=None)["assumed_sleep"].tolist() == [0.0]
    siesta = days_of(occ, "2024-10-08", "2024-10-08", sleep=(time(13, 0), time(15, 0)))
    assert siesta["assumed_sleep"].tolist() == [2.0]


def test_area_intervals_are_unions_per_area_in_utc() -> None:
    occ = make_occurrences(
        timed("work", "2024-10-07 10:00", "2024-10-07 11:00"),
        timed("work", "2024-10-07 11:00", "2024-10-07 12:00"),  # touching: joins
        timed("work", "2024-10-07 09:00", "2024-10-07 09:30"),
        timed("family", "2024-10-07 10:00", "2024-10-07 11:00"),
        all_day("work", "2024-10-07", "2024-10-08"),
    )
    intervals = area_intervals(occ)
    assert list(intervals.columns) == ["area", "start_utc", "end_utc"]
    assert intervals["start_utc"].dtype == "datetime64[us, UTC]"
    got = [(a, s.strftime("%H:%M"), e.strftime("%H:%M")) for a, s, e in intervals.itertuples(index=False)]
    assert got == [("work", "07:00", "07:30"), ("work", "08:00", "10:00"), ("family", "08:00", "09:00")]


def test_sleep_nights_opportunity_is_shortened_by_non_rest_events() -> None:
    occ = make_occurrences(
        timed("work", "2024-10-07 22:00", "2024-10-08 00:30"),
        timed("rest", "2024-10-08 23:00", "2024-10-09 07:00"),
    )
    nights = sleep_nights(area_intervals(occ), tz=BERLIN, first_night=date(2024, 10, 7),
                          last_night=date(2024, 10, 9), sleep=SLEEP)
    assert nights.index.name == "night"
    assert nights["window_hours"].tolist() == [8.0, 8.0, 8.0]
    assert nights["opportunity_hours"].tolist() == [6.5, 8.0, 8.0]


@pytest.mark.parametrize(
    ("week_starts_on", "starts", "labels", "days"),
    [
        ("monday", ["2024-09-30", "2024-10-07", "2024-10-14"], ["2024-W40", "2024-W41", "2024-W42"], [2, 7, 1]),
        ("sunday", ["2024-09-29", "2024-10-06", "2024-10-13"], ["2024-W40", "2024-W41", "2024-W42"], [1, 7, 2]),
    ],
)
def test_weekly_hours(week_starts_on: str, starts: list[str], labels: list[str], days: list[int]) -> None:
    occ = make_occurrences(
        timed("work", "2024-10-05 09:00", "2024-10-05 10:00"),  # Saturday
        timed("work", "2024-10-06 09:00", "2024-10-06 11:00"),  # Sunday
        timed("family", "2024-10-07 09:00", "2024-10-07 12:00"),  # Monday
        all_day("rest", "2024-10-08", "2024-10-09", day_off=True),
    )
    daily = days_of(occ, "2024-10-05", "2024-10-14")
    weekly = weekly_hours(daily, week_starts_on=week_starts_on)  # type: ignore[arg-type]
    assert weekly.index.name == "week_start"
    assert [str(d.date()) for d in weekly.index] == starts
    assert weekly["iso_week"].tolist() == labels
    assert weekly["days"].tolist() == days
    assert weekly["work"].sum() == 3.0
    assert weekly["days_off"].sum() == 1
    assert weekly["day_length"].tolist() == [24.0 * d for d in days]
    assert weekly[list(HOUR_COLUMNS)].sum().to_dict() == pytest.approx(daily[list(HOUR_COLUMNS)].sum().to_dict())


def test_iso_week_at_year_boundary() -> None:
    daily = days_of(make_occurrences(), "2024-12-29", "2025-01-06")
    assert weekly_hours(daily, week_starts_on="monday")["iso_week"].tolist() == ["2024-W52", "2025-W01", "2025-W02"]


def test_inputs_are_not_mutated() -> None:
    occ = make_occurrences(timed("work", "2024-10-07 09:00", "2024-10-07 17:00"))
    before = occ.copy()
    daily = days_of(occ, "2024-10-07", "2024-10-13", sleep=SLEEP)
    daily_before = daily.copy()
    weekly_hours(daily)
    pd.testing.assert_frame_equal(occ, before)
    pd.testing.assert_frame_equal(daily, daily_before)


@pytest.fixture
def system_zone() -> Iterator[Any]:
    original = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time_module.tzset()

    yield use
    if original is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = original
    time_module.tzset()


def test_system_zone_never_leaks(system_zone: Any) -> None:
    occ = make_occurrences(timed("work", "2024-10-26 22:00", "2024-10-27 04:00"),
                           all_day("rest", "2024-10-28", "2024-10-29", day_off=True))
    results = []
    for name in ("Pacific/Auckland", "America/New_York", "UTC"):
        system_zone(name)
        results.append(days_of(occ, "2024-10-26", "2024-10-28", sleep=SLEEP))
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)
    assert results[0]["work"].tolist() == [2.0, 5.0, 0.0]


# --- properties --------------------------------------------------------------------------------

START = pd.Timestamp("2024-10-26 00:00", tz=BERLIN).tz_convert("UTC")
MINUTES = 4 * 24 * 60  # the generated events live in these minutes, around the fall-back night

events_strategy = st.lists(
    st.tuples(
        st.sampled_from([*AREAS, None]),
        st.integers(min_value=-120, max_value=MINUTES),
        st.integers(min_value=1, max_value=26 * 60),
    ),
    max_size=12,
)


def from_minutes(events: list[tuple[str | None, int, int]]) -> pd.DataFrame:
    return make_occurrences(
        *(
            {"area": area, "start_utc": START + pd.Timedelta(minutes=offset),
             "end_utc": START + pd.Timedelta(minutes=offset + length)}
            for area, offset, length in events
        )
    )


def brute_force_work_minutes(events: list[tuple[str | None, int, int]], area: str, first: int, stop: int) -> int:
    covered = np.zeros(MINUTES + 26 * 60 + 240, dtype=bool)
    for event_area, offset, length in events:
        if event_area == area:
            covered[offset + 120 : offset + length + 120] = True
    return int(covered[first + 120 : stop + 120].sum())


@settings(max_examples=60, deadline=None)
@given(events=events_strategy, sleep_on=st.booleans(), seed=st.integers(0, 2**16))
def test_properties(events: list[tuple[str | None, int, int]], sleep_on: bool, seed: int) -> None:
    occ = from_minutes(events)
    daily = days_of(occ, "2024-10-26", "2024-10-29", sleep=SLEEP if sleep_on else None)
    areas = daily[list(AREA_COLUMNS)]
    # no area holds more than the day
    assert (areas.le(daily["day_length"] + 1e-9, axis=0)).all().all()
    # sum of areas - integration + assumed sleep == accounted (sleep is apart from the areas, and
    # the assumed part never overlaps them); accounted + unaccounted == day length
    np.testing.assert_allclose(
        areas.sum(axis=1) - daily["integration"] + daily["assumed_sleep"], daily["accounted"], atol=1e-9
    )
    np.testing.assert_allclose(daily["accounted"] + daily["unaccounted"], daily["day_length"], atol=1e-9)
    assert (daily["integration"] >= -1e-9).all()
    assert (daily["unaccounted"] >= -1e-9).all()
    # re-ordering the rows changes nothing
    shuffled = occ.sample(frac=1.0, random_state=seed)
    pd.testing.assert_frame_equal(
        days_of(shuffled, "2024-10-26", "2024-10-29", sleep=SLEEP if sleep_on else None), daily
    )
    # work hours agree with a minute-by-minute count (days start at local midnight in Berlin)
    midnights = [pd.Timestamp(f"2024-10-{d}", tz=BERLIN).tz_convert("UTC") for d in (26, 27, 28, 29, 30)]
    bounds = [int((m - START) / pd.Timedelta(minutes=1)) for m in midnights]
    expected = [brute_force_work_minutes(events, "work", a, b) / 60 for a, b in itertools.pairwise(bounds)]
    np.testing.assert_allclose(daily["work"].to_numpy(), expected, atol=1e-9)


def test_one_more_day_changes_nothing_before_it() -> None:
    occ = make_occurrences(timed("work", "2024-10-07 22:00", "2024-10-08 02:00"))
    short = days_of(occ, "2024-10-07", "2024-10-07", sleep=SLEEP)
    longer = days_of(occ, "2024-10-07", "2024-10-08", sleep=SLEEP)
    pd.testing.assert_frame_equal(short, longer.iloc[:1])
    assert longer.index[-1] - longer.index[0] == timedelta(days=1)


# --- all-day day marks -------------------------------------------------------------------------

from balance_dash.analytics import DAY_MARK_COLUMNS, MARKED_DAYS_COLUMNS, WEEKLY_COLUMNS  # noqa: E402


def marks_only(*events: dict[str, Any]) -> pd.DataFrame:
    """`make_occurrences` of `events` alone (a timed row fixes the dtypes and is dropped)."""
    return make_occurrences(timed("work", "2000-01-03 09:00", "2000-01-03 10:00"), *events).iloc[1:]


def marked_days(daily: pd.DataFrame, column: str) -> list[str]:
    return [str(day.date()) for day in daily.index[daily[column].to_numpy(dtype=bool)]]


@pytest.mark.parametrize(
    ("tz_name", "events", "first", "last", "expected"),
    [
        # a two-day family trip marks exactly its two local days, whatever the display zone
        *(
            (name, [all_day("family", "2024-10-07", "2024-10-09", title="Family trip")],
             "2024-10-05", "2024-10-10", {"family_day": ["2024-10-07", "2024-10-08"]})
            for name in ("Europe/Berlin", "Pacific/Auckland", "America/Los_Angeles", "UTC")
        ),
        # a one-day vacation with a day-off rule: off, and the day of its area
        ("Europe/Berlin", [all_day("rest", "2024-10-10", "2024-10-11", title="Vacation", day_off=True)],
         "2024-10-07", "2024-10-13", {"rest_day": ["2024-10-10"], "day_off": ["2024-10-10"]}),
        ("Pacific/Auckland", [all_day("personal", "2024-10-10", "2024-10-11", title="PTO", day_off=True)],
         "2024-10-07", "2024-10-13", {"personal_day": ["2024-10-10"], "day_off": ["2024-10-10"]}),
        # a 25-hour DST day is one day; overlapping all-day events of one area mark a day once
        ("Europe/Berlin", [all_day("work", "2024-10-27", "2024-10-28"), all_day("work", "2024-10-26", "2024-10-28")],
         "2024-10-25", "2024-10-29", {"work_day": ["2024-10-26", "2024-10-27"]}),
        # a missing day_end covers one day; spans past the range are clipped to it
        ("Europe/Berlin", [all_day("family", "2024-10-08", "NaT"), all_day("rest", "2024-10-01", "2024-10-31")],
         "2024-10-07", "2024-10-09",
         {"family_day": ["2024-10-08"], "rest_day": ["2024-10-07", "2024-10-08", "2024-10-09"]}),
        # uncategorized or unknown areas mark no area's day; events outside the range mark nothing
        ("Europe/Berlin", [all_day("uncategorized", "2024-10-08", "2024-10-09"), all_day(None, "2024-10-08", "2024-10-09"),
                           all_day("chores", "2024-10-08", "2024-10-09"), all_day("family", "2024-09-01", "2024-09-05")],
         "2024-10-07", "2024-10-09", {}),
    ],
)
def test_all_day_events_mark_their_area_days_and_add_no_hours(
    tz_name: str, events: list[dict[str, Any]], first: str, last: str, expected: dict[str, list[str]]
) -> None:
    daily = days_of(marks_only(*events), first, last, tz=ZoneInfo(tz_name))
    assert list(daily.columns) == list(DAILY_COLUMNS)
    assert all(daily[column].dtype == bool for column in ("day_off", *DAY_MARK_COLUMNS))
    for column in ("day_off", *DAY_MARK_COLUMNS):
        assert marked_days(daily, column) == expected.get(column, []), column
    assert (daily[list(AREA_COLUMNS)] == 0).all().all()
    assert (daily["accounted"] == 0).all()
    assert daily["unaccounted"].tolist() == daily["day_length"].tolist()


def test_timed_events_add_hours_but_mark_no_area_day() -> None:
    daily = days_of(make_occurrences(timed("family", "2024-10-08 10:00", "2024-10-08 12:00")), "2024-10-08", "2024-10-08")
    assert row(daily, "2024-10-08")["family"] == 2.0
    assert not daily[list(DAY_MARK_COLUMNS)].to_numpy().any()


def test_marks_are_not_hour_columns() -> None:
    assert set(DAY_MARK_COLUMNS) == {f"{area}_day" for area in AREAS}
    assert set(MARKED_DAYS_COLUMNS) == {f"{area}_days" for area in AREAS}
    assert not set(HOUR_COLUMNS) & {*DAY_MARK_COLUMNS, *MARKED_DAYS_COLUMNS, "day_off", "days_off"}


@pytest.mark.parametrize(
    ("week_starts_on", "starts", "expected"),
    [
        ("monday", ["2024-09-30", "2024-10-07"],
         {"family_days": [2, 1], "rest_days": [0, 2], "days_off": [0, 2], "work_days": [0, 0], "personal_days": [0, 0]}),
        ("sunday", ["2024-09-29", "2024-10-06"],
         {"family_days": [1, 2], "rest_days": [0, 2], "days_off": [0, 2], "work_days": [0, 0], "personal_days": [0, 0]}),
    ],
)
def test_weekly_counts_of_marked_days(week_starts_on: str, starts: list[str], expected: dict[str, list[int]]) -> None:
    occ = make_occurrences(
        all_day("family", "2024-10-05", "2024-10-08", title="Family trip"),  # Saturday to Monday
        all_day("rest", "2024-10-09", "2024-10-11", title="Vacation", day_off=True),  # Wednesday, Thursday
        timed("work", "2024-10-07 09:00", "2024-10-07 12:00"),
    )
    daily = days_of(occ, "2024-10-05", "2024-10-12")
    weekly = weekly_hours(daily, week_starts_on=week_starts_on)  # type: ignore[arg-type]
    assert list(weekly.columns) == list(WEEKLY_COLUMNS)
    assert [str(d.date()) for d in weekly.index] == starts
    for column, counts in expected.items():
        assert weekly[column].dtype == "int64"
        assert weekly[column].tolist() == counts, column
    # the marks add no hours: the weekly hour sums are the daily ones
    assert weekly["work"].sum() == 3.0
    assert weekly[["family", "rest", "personal"]].sum().sum() == 0.0
    assert weekly[list(HOUR_COLUMNS)].sum().to_dict() == pytest.approx(daily[list(HOUR_COLUMNS)].sum().to_dict())
