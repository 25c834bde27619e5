"""Pure exports: the spreadsheet formula guard, CSV and JSON round trips, the entries and weeks tables."""

from __future__ import annotations

import io
import json
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from balance_dash import exports, store

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+41 79 123", "'+41 79 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\r=1+2"),
        ("Team standup", "Team standup"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
        ("'already quoted", "'already quoted"),
    ],
)
def test_guard_cell(cell, expected):
    assert exports.guard_cell(cell) == expected


def test_guard_formulas_touches_text_only_and_never_the_input():
    frame = pd.DataFrame({"title": ["=cmd|' /C calc'!A0", "Lunch", None], "hours": [-1.5, 2.0, 3.0]})
    guarded = exports.guard_formulas(frame)
    assert guarded["title"].tolist()[:2] == ["'=cmd|' /C calc'!A0", "Lunch"]
    assert pd.isna(guarded["title"].iloc[2])
    assert guarded["hours"].tolist() == [-1.5, 2.0, 3.0]
    assert frame["title"].iloc[0].startswith("=")  # the input is unchanged


def sample_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start": ["2026-11-09T09:00+01:00", "2026-11-10"],
            "duration_hours": [1.25, 0.0],
            "all_day": [False, True],
            "title": ['Review "Q4", budget; Zürich', "Vacation\nday"],
            "warnings": [2, 0],
        }
    )


def test_csv_round_trip_equals_the_data():
    frame = sample_frame()
    data = exports.frame_to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets then read UTF-8 accents right
    back = pd.read_csv(io.BytesIO(data))
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    assert back["duration_hours"].dtype == float and back["all_day"].dtype == bool


def test_csv_round_trip_of_risky_cells_keeps_them_as_text():
    frame = pd.DataFrame({"title": ["=1+2", "-3", "@me", "+x"], "hours": [1.0, -3.0, 0.5, 2.0]})
    back = pd.read_csv(io.BytesIO(exports.frame_to_csv(frame)))
    assert back["title"].tolist() == ["'=1+2", "'-3", "'@me", "'+x"]
    assert back["hours"].tolist() == [1.0, -3.0, 0.5, 2.0]  # numbers stay numbers
    text = exports.frame_to_csv(frame).decode("utf-8-sig")
    assert "\n\"'=1+2\",1.0\n" in text  # text cells quoted (OWASP), numbers bare


def test_json_round_trip_equals_the_data():
    frame = sample_frame()
    data = exports.frame_to_json(frame)
    assert json.loads(data)[0]["title"] == 'Review "Q4", budget; Zürich'
    back = pd.read_json(io.BytesIO(data), orient="records", dtype=False)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def occurrences() -> pd.DataFrame:
    """Three occurrences in Berlin: one before DST ends, one after, and an all-day day off."""
    raw = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "source_id": [1, 1, 1],
            "source_name": ["Work", "Work", "Home"],
            "uid": ["a", "b", "c"],
            "recurrence_key": ["", "", ""],
            "title": ["Standup", "=SUM(A1)", "Vacation"],
            "location": ["Room 1", None, ""],
            "description": ["", "", ""],
            "all_day": [False, False, True],
            "start_utc": [pd.Timestamp("2026-10-23T07:00Z"), pd.Timestamp("2026-10-26T08:00Z"), pd.NaT],
            "end_utc": [pd.Timestamp("2026-10-23T07:15Z"), pd.Timestamp("2026-10-26T09:30Z"), pd.NaT],
            "day_start": [pd.NaT, pd.NaT, pd.Timestamp("2026-10-28")],
            "day_end": [pd.NaT, pd.NaT, pd.Timestamp("2026-10-31")],
            "area": [None, None, None],
        }
    )
    return store.occurrence_frame(raw).assign(area=["work", "uncategorized", "rest"], day_off=[False, False, True])


def test_entries_table_has_local_times_hours_and_areas():
    table = exports.entries_table(occurrences(), tz=BERLIN)
    assert table.columns.tolist() == list(exports.ENTRY_COLUMNS)
    assert table.to_dict("records") == [
        {"start": "2026-10-23T09:00+02:00", "end": "2026-10-23T09:15+02:00", "duration_hours": 0.25, "area": "work",
         "day_off": False, "all_day": False, "title": "Standup", "location": "Room 1", "source": "Work"},
        {"start": "2026-10-26T09:00+01:00", "end": "2026-10-26T10:30+01:00", "duration_hours": 1.5,
         "area": "uncategorized", "day_off": False, "all_day": False, "title": "=SUM(A1)", "location": "",
         "source": "Work"},
        {"start": "2026-10-28", "end": "2026-10-30", "duration_hours": 0.0, "area": "rest", "day_off": True,
         "all_day": True, "title": "Vacation", "location": "", "source": "Home"},
    ]


@pytest.mark.parametrize(
    ("first", "last", "titles"),
    [
        (None, None, ["Standup", "=SUM(A1)", "Vacation"]),
        (date(2026, 10, 24), None, ["=SUM(A1)", "Vacation"]),
        (None, date(2026, 10, 25), ["Standup"]),
        (date(2026, 10, 30), date(2026, 11, 2), ["Vacation"]),  # its last day
        (date(2026, 10, 31), date(2026, 11, 2), []),
    ],
)
def test_entries_table_keeps_what_touches_the_period(first, last, titles):
    table = exports.entries_table(occurrences(), tz=BERLIN, first_day=first, last_day=last)
    assert table["title"].tolist() == titles


def test_weeks_table_flattens_the_summary_document():
    hours = dict.fromkeys(exports.WEEK_HOURS, 1.0)
    document = {
        "timezone": "Europe/Berlin",
        "weeks": [
            {
                "week": "2026-W46", "start": "2026-11-09", "scheduled": False, "hours": {**hours, "work": 56.0},
                "targets": {"work": {"min_hours": 35.0, "max_hours": 45.0}},
                "warnings": [{"code": "week_55h"}, {"code": "long_day"}, {"code": "long_day"}],
            }
        ],
    }
    [row] = exports.weeks_table(document).to_dict("records")
    assert row["week"] == "2026-W46" and row["work_hours"] == 56.0 and row["assumed_sleep_hours"] == 1.0
    assert (row["work_target_min"], row["work_target_max"]) == (35.0, 45.0)
    assert (row["warnings"], row["warning_codes"]) == (3, "long_day; week_55h")
    assert exports.weeks_table({"weeks": []}).empty
