"""Each named .ics fixture, imported and analysed: the hours it places on each local day.

The display zone of each case is chosen so that a wrong reading (a zone ignored, an override
lost, a series expanded in UTC) moves hours to another day and the test fails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash import analytics
from balance_dash.ingest import ics

FIXTURES = Path(__file__).parent / "data" / "ics"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SINCE = datetime(2023, 12, 1, tzinfo=UTC)
UNTIL = datetime(2025, 12, 31, tzinfo=UTC)


def work_hours_by_day(name: str, zone: str) -> dict[date, float]:
    tz = ZoneInfo(zone)
    parsed = ics.read_ics((FIXTURES / name).read_bytes(), file_name=name, tz=tz, now=NOW, since=SINCE, until=UNTIL)
    occurrences = parsed.frame.assign(area="work", source_id=1, source_name="test", id=range(len(parsed.frame)))
    daily = analytics.daily_hours(occurrences, tz=tz, first_day=date(2023, 12, 1), last_day=date(2025, 12, 30), sleep=None)
    work = daily["work"]
    return {stamp.date(): round(float(hours), 4) for stamp, hours in zip(pd.DatetimeIndex(work[work > 0].index), work[work > 0], strict=True)}


CASES = [
    # A weekly 09:00 meeting in Berlin stays at 09:00 across the end of summer time (27 Oct).
    ("dst_weekly_standup.ics", "Europe/Berlin",
     {date(2024, 10, 14): 0.25, date(2024, 10, 21): 0.25, date(2024, 10, 28): 0.25, date(2024, 11, 4): 0.25}),
    # 22:00 to 02:00 puts two hours on each day; the all-day event adds none.
    ("overnight.ics", "Europe/Berlin", {date(2024, 9, 5): 2.0, date(2024, 9, 6): 2.0}),
    # Floating times are wall-clock time in the user's zone, wherever that is.
    ("floating.ics", "America/New_York", {date(2024, 3, 25): 1.0, date(2024, 3, 26): 1.0}),
    # RANGE=THISANDFUTURE moves 3 Jan and every later instance from 17:00Z to 19:00Z, which in
    # Karachi (UTC+5) is past midnight: their hours land on the next day.
    ("thisandfuture.ics", "Asia/Karachi",
     {date(2024, 1, 1): 1.0, date(2024, 1, 2): 1.0, date(2024, 1, 4): 1.0, date(2024, 1, 5): 1.0, date(2024, 1, 6): 1.0}),
    # The 9 September instance moved to 10 September and became two hours long.
    ("override_moved_instance.ics", "UTC", {date(2024, 9, 2): 1.0, date(2024, 9, 10): 2.0, date(2024, 9, 16): 1.0}),
    # A cancelled instance and a cancelled single event count nothing.
    ("cancelled_instance.ics", "UTC", {date(2024, 9, 2): 1.0, date(2024, 9, 16): 1.0}),
    # EXDATE given once in the event's zone and once in UTC: both instances go.
    ("exdate.ics", "Europe/Berlin", {date(2024, 9, 2): 1.0, date(2024, 9, 5): 1.0}),
    # RDATE periods carry their own length; a plain RDATE takes the event's.
    ("rdate_period.ics", "UTC", {date(2024, 9, 2): 1.0, date(2024, 9, 5): 3.0, date(2024, 9, 6): 0.5, date(2024, 9, 10): 1.0}),
    # "Pacific Standard Time" (Windows) is Los Angeles: 09:00 PDT is 01:00 the next day in Tokyo.
    ("outlook_windows_zone.ics", "Asia/Tokyo", {date(2024, 7, 11): 1.0}),
    # A VTIMEZONE without TZNAME must not be relabelled by X-WR-TIMEZONE: 12:00 in Berlin is
    # 19:00 in Tokyo the same day (relabelled as New York it would be 01:00 the next day).
    ("outlook_no_tzname_with_x_wr_timezone.ics", "Asia/Tokyo", {date(2024, 10, 7): 1.0}),
    # An unknown TZID is read in the user's zone, so the UTC EXDATE still removes 3 September.
    ("unknown_tzid.ics", "Europe/Berlin", {date(2024, 9, 2): 0.5, date(2024, 9, 4): 0.5}),
    # DURATION instead of DTEND; the two-day all-day event adds no hours.
    ("duration.ics", "UTC", {date(2024, 9, 2): 1.5}),
    # Without DTEND a timed event lasts no time (RFC 5545 section 3.6.1).
    ("no_dtend.ics", "UTC", {}),
    ("multi_vcalendar.ics", "UTC", {date(2024, 9, 2): 1.0, date(2024, 9, 3): 1.0}),
    ("latin1.ics", "UTC", {date(2024, 9, 2): 1.0}),
    ("endless_allday_series.ics", "Europe/Berlin", {}),
]


@pytest.mark.parametrize(("name", "zone", "expected"), CASES, ids=[case[0] for case in CASES])
def test_hours_per_local_day(name, zone, expected):
    assert work_hours_by_day(name, zone) == expected
