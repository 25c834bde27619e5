"""meetings and time_shape: meetings, back-to-back runs, focus and fragmented hours, span, chunks, series."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance_dash.analytics import meetings as mt
from balance_dash.analytics import time_shape as ts
from balance_dash.attendance import assign_attendance

BERLIN = ZoneInfo("Europe/Berlin")
ME = "me@example.com"
# Tuesday 10 November 2026 (a working day) and the week around it.
DAY = date(2026, 11, 10)
MONDAY = date(2026, 11, 9)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def local(stamp: str) -> pd.Timestamp:
    return pd.Timestamp(stamp).tz_localize(BERLIN).tz_convert("UTC")


_ids = iter(range(1, 1_000_000))


def event(
    start: str,
    end: str,
    *,
    area: str = "work",
    title: str = "Event",
    attendees: str = "",
    organizer: str = "",
    uid: str | None = None,
    recurrence_key: str = "",
    **fields: Any,
) -> dict[str, Any]:
    number = next(_ids)
    return {
        "id": number, "source_id": 1, "uid": uid or f"u{number}", "recurrence_key": recurrence_key, "title": title,
        "all_day": False, "start_utc": local(start), "end_utc": local(end), "area": area,
        "attendees": attendees, "organizer": organizer, "transparent": False, "busy_status": "", "cancelled": False,
        "count_free": False, **fields,
    }


def meeting(start: str, end: str, **fields: Any) -> dict[str, Any]:
    """A meeting the user organised with one colleague."""
    return event(start, end, attendees=f"ACCEPTED:{ME} NEEDS-ACTION:sam@example.com", organizer=ME, **fields)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    occ = pd.DataFrame(rows)
    for column in ("start_utc", "end_utc"):
        occ[column] = pd.to_datetime(occ[column], utc=True)
    return assign_attendance(occ, (ME,))


def shape(
    rows: list[dict[str, Any]],
    *,
    first_day: date = MONDAY,
    last_day: date = MONDAY + timedelta(days=6),
    start: time = time(9, 0),
    end: time = time(17, 0),
) -> pd.DataFrame:
    occ = frame(rows)
    found = mt.meeting_rows(occ, (ME,))
    return ts.daily_shape(
        occ, found, mt.meeting_runs(found, 5), tz=BERLIN, first_day=first_day, last_day=last_day,
        workday_start=start, workday_end=end, rest_days=(5, 6), focus_block_hours=2.0, chunk_hours=2.0,
    )


# --- named fixtures --------------------------------------------------------------------------------

FOUR_HOURS_OF_MEETINGS_ONE_LONG_GAP = [
    meeting("2026-11-10 09:00", "2026-11-10 10:00"),
    meeting("2026-11-10 12:30", "2026-11-10 13:30"),
    meeting("2026-11-10 14:00", "2026-11-10 16:00"),
]
BACK_TO_BACK_RUNS = [
    meeting("2026-11-10 09:00", "2026-11-10 09:30"),
    meeting("2026-11-10 09:30", "2026-11-10 10:00"),
    meeting("2026-11-10 10:03", "2026-11-10 10:30"),  # 3 minutes later: still back to back
    meeting("2026-11-10 11:00", "2026-11-10 11:30"),  # 30 minutes later: a new run
    meeting("2026-11-10 11:30", "2026-11-10 12:00"),
    meeting("2026-11-10 15:00", "2026-11-10 15:30"),  # on its own
]
ORGANIZED_BY_SOMEONE_ELSE = [
    # Only the user is invited, but the boss organised it: a meeting, organised by others.
    event("2026-11-10 10:00", "2026-11-10 11:00", attendees=f"ACCEPTED:{ME}", organizer="boss@example.com"),
    # The user's own event listing only the user: not a meeting.
    event("2026-11-10 11:00", "2026-11-10 12:00", attendees=f"ACCEPTED:{ME}", organizer=ME),
    # A declined invitation: not lived, so not a meeting.
    event("2026-11-10 13:00", "2026-11-10 14:00", attendees=f"DECLINED:{ME} ACCEPTED:kim@example.com",
          organizer="kim@example.com"),
    # A family invitation with other people: family time, not a meeting.
    event("2026-11-10 18:00", "2026-11-10 20:00", area="family", attendees="ACCEPTED:mum@example.com",
          organizer="mum@example.com"),
    # The user organised it with others: a meeting organised by the user.
    meeting("2026-11-10 15:00", "2026-11-10 15:30"),
]
SERIES_THAT_CHANGED_DURATION = [
    meeting(f"{day} 10:00", f"{day} {'10:30' if index < 4 else '11:00'}", uid="one-on-one", title="1:1",
            recurrence_key=f"{day}T09:00:00Z")
    for index, day in enumerate(
        (date(2026, 9, 1) + timedelta(weeks=week)).isoformat() for week in range(13)
    )
]
FAMILY_EVENING = [event("2026-11-10 18:00", "2026-11-10 21:00", area="family", title="Family evening")]
FAMILY_SCRAPS = [
    event(f"2026-11-{day} 19:00", f"2026-11-{day} 20:00", area="family", title="Dinner") for day in (17, 18, 19)
]


def test_a_day_with_four_hours_of_meetings_and_one_long_gap() -> None:
    day = shape(FOUR_HOURS_OF_MEETINGS_ONE_LONG_GAP).loc[pd.Timestamp(DAY)]
    assert day["working_hours"] == 8.0
    assert day["meeting_hours"] == 4.0
    assert day["focus_hours"] == 2.5  # 10:00-12:30
    assert day["fragmented_hours"] == pytest.approx(1.5)  # 13:30-14:00 and 16:00-17:00
    assert day["meetings"] == 3
    assert day["back_to_back"] == 0


def test_back_to_back_runs() -> None:
    runs = mt.meeting_runs(mt.meeting_rows(frame(BACK_TO_BACK_RUNS), (ME,)), 5)
    assert runs["meetings"].tolist() == [3, 2, 1]
    assert runs["hours"].tolist() == [1.5, 1.0, 0.5]
    day = shape(BACK_TO_BACK_RUNS).loc[pd.Timestamp(DAY)]
    assert day["back_to_back"] == 5
    assert day["longest_run_meetings"] == 3
    assert day["longest_run_hours"] == 1.5


@pytest.mark.parametrize(
    ("gap_minutes", "runs"),
    [(0, [1, 1, 1, 1, 1, 1]), (3, [2, 1, 2, 1]), (4, [3, 2, 1]), (5, [3, 2, 1]), (31, [5, 1]), (200, [6])],
)
def test_back_to_back_gap_is_a_threshold(gap_minutes: float, runs: list[int]) -> None:
    found = mt.meeting_rows(frame(BACK_TO_BACK_RUNS), (ME,))
    assert mt.meeting_runs(found, gap_minutes)["meetings"].tolist() == runs


def test_a_meeting_organized_by_someone_else() -> None:
    found = mt.meeting_rows(frame(ORGANIZED_BY_SOMEONE_ELSE), (ME,))
    assert found["organized"].tolist() == ["others", "me"]
    assert found["others"].tolist() == ["", "sam@example.com"]
    day = shape(ORGANIZED_BY_SOMEONE_ELSE).loc[pd.Timestamp(DAY)]
    assert (day["meetings_by_me"], day["meetings_by_others"]) == (1, 1)
    assert day["meeting_hours"] == 1.5
    assert day["meeting_hours_outside"] == 0


def test_without_own_addresses_every_listed_person_is_someone_else() -> None:
    found = mt.meeting_rows(frame(ORGANIZED_BY_SOMEONE_ELSE), ())
    # The user's own one-person event now lists "someone" (the unknown user): a meeting too.
    assert len(found) == 3
    assert set(found["organized"]) == {"others"}


def test_a_series_that_changed_duration() -> None:
    found = mt.meeting_rows(frame(SERIES_THAT_CHANGED_DURATION), (ME,))
    cost = mt.series_cost(found, tz=BERLIN, first_day=date(2026, 9, 1), last_day=date(2026, 11, 30), now=NOW)
    row = cost.iloc[0]
    assert row["occurrences"] == 13
    assert row["hours"] == 4 * 0.5 + 9 * 1.0
    assert row["weeks"] == 13
    assert row["hours_per_week"] == pytest.approx(11 / 13)
    assert row["title"] == "1:1"
    assert pd.Timestamp(row["next_start_utc"]) == local("2026-11-24 10:00")
    occurrences = mt.occurrences_of_series(found, str(row["series_key"]), tz=BERLIN)
    assert len(occurrences) == 13
    assert occurrences["hours"].sum() == row["hours"]
    assert occurrences["start"].iloc[0] == pd.Timestamp("2026-09-01 10:00")


def test_series_cost_counts_only_the_period() -> None:
    found = mt.meeting_rows(frame(SERIES_THAT_CHANGED_DURATION), (ME,))
    cost = mt.series_cost(found, tz=BERLIN, first_day=date(2026, 11, 1), last_day=date(2026, 11, 30), now=NOW)
    assert cost.iloc[0]["occurrences"] == 4  # 3, 10, 17, 24 November
    assert cost.iloc[0]["hours"] == 4.0
    none = mt.series_cost(found, tz=BERLIN, first_day=date(2027, 1, 1), last_day=date(2027, 1, 31), now=NOW)
    assert none.empty


def test_people_are_ranked_by_meeting_hours() -> None:
    rows = [
        meeting("2026-11-10 09:00", "2026-11-10 11:00"),
        event("2026-11-10 13:00", "2026-11-10 14:00", attendees=f"ACCEPTED:{ME} ACCEPTED:kim@example.com "
              "ACCEPTED:sam@example.com", organizer="kim@example.com"),
    ]
    people = mt.people_hours(mt.meeting_rows(frame(rows), (ME,)))
    assert people.to_dict("records") == [
        {"person": "sam@example.com", "hours": 3.0, "meetings": 2},
        {"person": "kim@example.com", "hours": 1.0, "meetings": 1},
    ]


def test_a_family_evening_is_a_chunk_and_scraps_are_not() -> None:
    daily = shape(FAMILY_EVENING + FAMILY_SCRAPS, last_day=MONDAY + timedelta(days=13))
    weekly = ts.weekly_shape(daily)
    evening, scraps = weekly.loc[pd.Timestamp(MONDAY)], weekly.loc[pd.Timestamp(MONDAY + timedelta(days=7))]
    assert (evening["family_longest_block_hours"], evening["family_chunk_share"]) == (3.0, 1.0)
    assert (scraps["family_longest_block_hours"], scraps["family_chunk_share"]) == (1.0, 0.0)
    assert scraps["family_block_hours"] == 3.0
    assert evening["personal_chunk_share"] == 0.0  # no personal time: no share, not a division by zero


def test_workday_span_runs_from_first_to_last_work() -> None:
    rows = [event("2026-11-10 07:30", "2026-11-10 08:00"), event("2026-11-10 20:00", "2026-11-10 21:15"),
            event("2026-11-11 09:00", "2026-11-11 10:00")]
    daily = shape(rows)
    assert daily.loc[pd.Timestamp(DAY), "span_hours"] == 13.75
    assert daily.loc[pd.Timestamp(DAY + timedelta(days=1)), "span_hours"] == 1.0
    weekly = ts.weekly_shape(daily).iloc[0]
    assert weekly["span_hours_max"] == 13.75
    assert weekly["span_hours_mean"] == pytest.approx((13.75 + 1) / 2)
    assert weekly["workdays_with_work"] == 2


def test_solo_work_does_not_break_focus_but_a_dentist_does() -> None:
    rows = [event("2026-11-10 09:00", "2026-11-10 12:00", title="Write the report"),
            event("2026-11-10 13:00", "2026-11-10 14:00", area="personal", title="Dentist")]
    day = shape(rows).loc[pd.Timestamp(DAY)]
    assert day["focus_hours"] == 4.0 + 3.0  # 09:00-13:00 and 14:00-17:00
    assert day["interrupted_hours_working"] == 1.0
    assert day["fragmented_hours"] == 0


def test_rest_days_and_days_off_have_no_working_hours() -> None:
    occ = frame(FOUR_HOURS_OF_MEETINGS_ONE_LONG_GAP)
    found = mt.meeting_rows(occ, (ME,))
    days_off = np.zeros(7, dtype=bool)
    days_off[1] = True  # the Tuesday
    daily = ts.daily_shape(
        occ, found, mt.meeting_runs(found, 5), tz=BERLIN, first_day=MONDAY, last_day=MONDAY + timedelta(days=6),
        workday_start=time(9), workday_end=time(17), rest_days=(5, 6), focus_block_hours=2, chunk_hours=2,
        days_off=days_off,
    )
    assert daily["working_hours"].tolist() == [8, 0, 8, 8, 8, 0, 0]
    assert daily.loc[pd.Timestamp(DAY), "meeting_hours_outside"] == 4.0


def test_meeting_share_is_the_share_of_work() -> None:
    rows = [*FOUR_HOURS_OF_MEETINGS_ONE_LONG_GAP, event("2026-11-11 09:00", "2026-11-11 13:00")]
    weekly = ts.weekly_shape(shape(rows)).iloc[0]
    assert weekly["meeting_share"] == 0.5
    assert weekly["meeting_hours"] == 4.0


def test_meetings_in_events_with_no_area_are_outside_the_share_of_work() -> None:
    rows = [
        *FOUR_HOURS_OF_MEETINGS_ONE_LONG_GAP,  # 4 h of meetings, all work
        meeting("2026-11-12 10:00", "2026-11-12 11:30", area="uncategorized", title="Catch-up"),
        event("2026-11-12 13:00", "2026-11-12 17:00"),
    ]
    weekly = ts.weekly_shape(shape(rows)).iloc[0]
    assert weekly["meeting_hours"] == 5.5
    assert weekly["meeting_hours_unplaced"] == 1.5
    assert weekly["meeting_share"] == 0.5  # 4 h of the 8 h of work


def test_dst_day_working_hours_follow_the_wall_clock() -> None:
    # 25 October 2026 is a Sunday (fall back in Berlin); make it a working day.
    occ = frame([meeting("2026-10-25 09:00", "2026-10-25 10:00")])
    found = mt.meeting_rows(occ, (ME,))
    daily = ts.daily_shape(
        occ, found, mt.meeting_runs(found, 5), tz=BERLIN, first_day=date(2026, 10, 25), last_day=date(2026, 10, 25),
        workday_start=time(0), workday_end=time(23, 59), rest_days=(), focus_block_hours=2, chunk_hours=2,
    )
    assert daily.iloc[0]["working_hours"] == pytest.approx(24 + 59 / 60)


# --- properties ------------------------------------------------------------------------------------

AREA_CHOICES = ("work", "family", "personal", "rest", None)


@st.composite
def occurrences(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    base = datetime(2026, 11, 9)
    for _ in range(draw(st.integers(0, 25))):
        start = base + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60 // 5)) * 5)
        length = timedelta(minutes=draw(st.integers(1, 60)) * 5)
        area = draw(st.sampled_from(AREA_CHOICES))
        with_people = draw(st.booleans())
        rows.append(
            event(start.isoformat(), (start + length).isoformat(), area=area or "",
                  attendees=f"ACCEPTED:{ME} ACCEPTED:sam@example.com" if with_people else "",
                  organizer=draw(st.sampled_from((ME, "sam@example.com", ""))),
                  uid=draw(st.sampled_from(("a", "b", "c"))),
                  recurrence_key=start.isoformat() if draw(st.booleans()) else "")
        )
    return rows


@settings(max_examples=60, deadline=None)
@given(occurrences())
def test_focus_fragmented_meetings_and_other_time_fill_the_working_hours(rows: list[dict[str, Any]]) -> None:
    daily = shape(rows, first_day=MONDAY, last_day=MONDAY + timedelta(days=3)) if rows else None
    if daily is None:
        return
    parts = (
        daily["focus_hours"] + daily["fragmented_hours"] + daily["meeting_hours_working"]
        + daily["interrupted_hours_working"]
    )
    assert np.allclose(parts, daily["working_hours"])
    assert (daily["focus_hours"] + daily["fragmented_hours"] <= daily["working_hours"] + 1e-9).all()
    assert (daily["meeting_hours"] <= 24 + 1e-9).all()
    assert (daily["family_chunk_hours"] <= daily["family_block_hours"] + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(occurrences())
def test_a_series_hours_sum_to_its_occurrences_hours(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    found = mt.meeting_rows(frame(rows), (ME,))
    cost = mt.series_cost(found, tz=BERLIN, first_day=MONDAY - timedelta(days=1), last_day=MONDAY + timedelta(days=5),
                          now=NOW)
    for row in cost.to_dict("records"):
        mine = found[found["series_key"] == row["series_key"]]
        assert row["hours"] == pytest.approx(mine["hours"].sum())
        assert row["occurrences"] == len(mine)
    assert cost["hours"].sum() == pytest.approx(found.loc[found["series_key"] != "", "hours"].sum())


# --- the priority matrix ---------------------------------------------------------------------------

def test_rules_tag_time_important_and_urgent() -> None:
    from balance_dash import categorize

    occ = pd.DataFrame({
        "source_id": [1, 1, 1], "source_name": "Work", "uid": ["a", "b", "c"], "recurrence_key": "",
        "title": ["Incident call", "Roadmap writing", "Lunch"], "location": "", "description": "",
    })
    rules = categorize.rules_frame([
        {"field": "title", "pattern": "incident", "is_regex": False, "area": "work", "marks_day_off": False,
         "enabled": True, "important": False, "urgent": True},
        {"field": "title", "pattern": "roadmap", "is_regex": False, "area": "work", "marks_day_off": False,
         "enabled": True, "important": True, "urgent": False},
        {"field": "title", "pattern": "call|writing|lunch", "is_regex": True, "area": "personal",
         "marks_day_off": False, "enabled": True, "important": None, "urgent": None},
    ])
    placed = categorize.assign_areas(occ, rules, pd.DataFrame(), pd.DataFrame())
    assert placed["important"].tolist() == [False, True, None]
    assert placed["urgent"].tolist() == [True, False, None]
    assert categorize.quadrant_of(False, True) == "urgent, not important"
    assert categorize.quadrant_of(None, None) == ""


def test_the_matrix_hours_per_quadrant_and_the_urgent_share_of_work() -> None:
    rows = [
        event("2026-11-10 09:00", "2026-11-10 11:00", title="Incident", important=False, urgent=True),
        event("2026-11-10 10:00", "2026-11-10 12:00", title="Incident 2", important=False, urgent=True),
        event("2026-11-10 13:00", "2026-11-10 17:00", title="Roadmap", important=True, urgent=False),
        event("2026-11-10 19:00", "2026-11-10 20:00", area="personal", title="Errands", important=False, urgent=True),
        event("2026-11-11 09:00", "2026-11-11 10:00", title="Untagged", important=None, urgent=None),
    ]
    weekly = ts.weekly_shape(shape(rows)).iloc[0]
    assert weekly["matrix_delegate_hours"] == 4.0  # 09:00-12:00 once, and the errands
    assert weekly["matrix_schedule_hours"] == 4.0
    assert weekly["matrix_do_hours"] == weekly["matrix_drop_hours"] == 0
    assert weekly["urgent_not_important_work_hours"] == 3.0
    assert weekly["urgent_not_important_share"] == pytest.approx(3 / 8)  # of 8 h of work


def test_the_rule_editor_keeps_the_priority() -> None:
    from balance_dash.errors import InvalidValueError
    from balance_dash.workflows import rules as rule_workflows

    [rule] = rule_workflows.ordered_rules([{"pattern": "incident", "area": "work", "matrix": "urgent, not important"}])
    assert (rule["important"], rule["urgent"]) == (False, True)
    [plain] = rule_workflows.ordered_rules([{"pattern": "lunch", "area": "personal", "matrix": None}])
    assert (plain["important"], plain["urgent"]) == (None, None)
    with pytest.raises(InvalidValueError, match="unknown priority"):
        rule_workflows.ordered_rules([{"pattern": "x", "area": "work", "matrix": "someday"}])
