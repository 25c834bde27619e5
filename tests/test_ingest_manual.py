"""Manual entries: CSV files (tests/data/csv/, one file per case) and single form/CLI values."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance_dash.errors import BalanceDashError, CsvError, InvalidValueError
from balance_dash.ingest.issues import IngestIssue
from balance_dash.ingest.manual import (
    ENTRY_COLUMNS,
    ParsedLog,
    make_entry,
    parse_local_datetime,
    read_csv_log,
)
from balance_dash.models import AREAS

CSV_DIR = Path(__file__).parent / "data" / "csv"
DOCS = Path(__file__).parent.parent / "docs" / "csv-format.md"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def read(name: str, tz: ZoneInfo = BERLIN) -> ParsedLog:
    return read_csv_log((CSV_DIR / name).read_bytes(), file_name=name, tz=tz, areas=AREAS)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def entries(parsed: ParsedLog) -> list[tuple[pd.Timestamp, pd.Timestamp, str | None, str]]:
    frame = parsed.frame
    return list(zip(frame["start_utc"], frame["end_utc"], frame["area"], frame["title"], strict=True))


# --- each file: format, entries (start and end in UTC, area, title), issues (row, kind, words) --------

Entry = tuple[str, str, str | None, str]  # start and end in UTC, area, title
Issue = tuple[int, str, str]  # row, kind, words in the message
CASES: dict[str, tuple[ZoneInfo, str, list[Entry], list[Issue]]] = {
    "own_start_end.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-11-23 08:00", "2026-11-23 11:30", "work", "Deep work"),
            ("2026-11-23 11:30", "2026-11-23 12:15", "family", "Lunch with Mia"),
            ("2026-11-23 17:00", "2026-11-23 18:30", "personal", "Running"),
            ("2026-11-23 20:00", "2026-11-23 21:00", None, "Reading,\ntwo chapters"),
            ("2026-11-23 21:30", "2026-11-24 05:30", "rest", "Night shift sleep"),
            ("2026-11-24 08:00", "2026-11-24 09:00", None, "Inbox"),
        ],
        [],
    ),
    "own_start_duration.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-07-06 06:30", "2026-07-06 08:00", "work", "Planning"),
            ("2026-07-06 08:00", "2026-07-06 09:45", "work", "Review"),
            ("2026-07-06 11:00", "2026-07-06 11:20", "personal", "Walk"),
            ("2026-07-06 21:00", "2026-07-06 23:00", "rest", "Late film"),
        ],
        [],
    ),
    # Without start_time, a day's entries are laid end to end from 09:00 in file order.
    "own_date_duration.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-11-23 08:00", "2026-11-23 16:00", "work", "Office day"),
            ("2026-11-23 16:00", "2026-11-23 17:30", "family", "Homework help"),
            ("2026-11-24 08:00", "2026-11-24 08:45", "personal", "Guitar"),
            ("2026-11-23 17:30", "2026-11-23 18:00", "rest", "Nap"),
        ],
        [],
    ),
    "own_date_start_time.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-11-23 06:15", "2026-11-23 06:45", "personal", "Yoga"),
            ("2026-11-23 08:00", "2026-11-23 16:00", "work", "Office"),
            ("2026-11-23 16:00", "2026-11-23 17:00", "family", "Dinner"),
            ("2026-11-23 20:00", "2026-11-23 21:00", "rest", "Bath"),
        ],
        [],
    ),
    "own_bad_rows.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-11-23 08:00", "2026-11-23 09:00", "work", "Good one"),
            ("2026-11-23 13:00", "2026-11-23 14:00", "family", "Good two"),
            ("2026-11-23 14:00", "2026-11-24 16:00", "rest", "Long weekend?"),
        ],
        [
            (3, "skipped", "end '2026-11-23 09:00' is before start '2026-11-23 10:00'"),
            (4, "skipped", "start '2026-11-31 09:00' is not a valid date and time"),
            (5, "skipped", "start '2226-11-23 09:00' has a year outside 1970-2100"),
            (6, "skipped", "start 'yesterday' is not a date and time"),
            (7, "skipped", "area 'wrok' is not one of work, family, personal, rest"),
            (8, "skipped", "the entry lasts more than 7 days"),
            (9, "skipped", "the entry lasts no time"),
            (10, "skipped", "start '2026-11-23' has no time of day"),
            (11, "skipped", "has 5 fields but the header has 4"),
            (13, "warning", "the entry lasts 26.0 hours (more than a day); it was imported"),
            (14, "skipped", "start '2026-11-23 25:00' is not a valid date and time"),
            (15, "skipped", "gives neither an end nor a duration"),
        ],
    ),
    # Gap: 02:00-03:00 does not exist on 29 March; overlap: 02:00-03:00 happens twice on 25 October
    # and is read as its first occurrence (still summer time, UTC+2).
    "dst_europe_berlin.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-03-29 00:30", "2026-03-29 01:30", "rest", "Across spring forward"),
            ("2026-10-25 00:30", "2026-10-25 02:30", "rest", "In the overlap"),
            ("2026-10-24 23:00", "2026-10-25 03:00", "rest", "Across fall back"),
        ],
        [(3, "skipped", "start '2026-03-29 02:30' does not exist in Europe/Berlin")],
    ),
    "own_day_first_dates.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-11-23 08:00", "2026-11-23 09:30", "work", "Slashes with the day first"),
            ("2026-12-01 08:00", "2026-12-01 09:00", "work", "The file says day first"),
            ("2026-12-24 17:00", "2026-12-24 20:00", "family", "Dots"),
        ],
        [],
    ),
    "excel_semicolon_bom_latin1.csv": (
        BERLIN,
        "balance-dash",
        [
            ("2026-11-23 08:00", "2026-11-23 09:30", "work", "Café mit Kunden"),
            ("2026-11-23 16:00", "2026-11-23 17:00", "family", "Übungen"),
        ],
        [],
    ),
    "excel_semicolon_utf8_bom.csv": (
        BERLIN,
        "balance-dash",
        [("2026-11-23 08:00", "2026-11-23 09:30", "work", "Überstunden – Bericht")],
        [],
    ),
    "toggl_detailed.csv": (
        BERLIN,
        "toggl",
        [
            ("2026-11-23 08:00", "2026-11-23 09:30", None, "Homepage layout"),
            ("2026-11-23 14:30", "2026-11-23 15:00", None, "School run"),
            ("2026-11-23 21:45", "2026-11-23 23:15", None, "Website"),
        ],
        [
            (5, "skipped", "the entry lasts no time"),
            (6, "skipped", "start '2026-11-xx 09:00:00' is not a date and time"),
        ],
    ),
    "toggl_detailed_member_usd.csv": (
        NEW_YORK,
        "toggl",
        [("2026-07-06 12:00", "2026-07-06 13:15", None, "Compiler notes")],
        [],
    ),
    "clockify_detailed.csv": (
        NEW_YORK,
        "clockify",
        [
            ("2026-11-23 14:00", "2026-11-23 16:30", None, "Push notifications"),
            ("2026-11-23 20:30", "2026-11-23 21:15", None, "Pick up kids"),
            ("2026-11-24 04:00", "2026-11-24 12:00", None, "Sleep"),
            ("2026-11-24 05:00", "2026-11-24 05:30", None, "Midnight"),
            ("2026-11-24 17:00", "2026-11-24 17:30", None, "Noon"),
        ],
        [(7, "skipped", "start '11/24/2026 13:00:00 PM' is not a valid date and time")],
    ),
    "clockify_ambiguous_dates.csv": (
        NEW_YORK,
        "clockify",
        [("2026-03-06 15:00", "2026-03-06 16:15", None, "Review")],
        [(1, "warning", "dates such as 03/06/2026 could be month/day or day/month")],
    ),
    # Clockify's import template: no end columns, so start + Duration (h).
    "clockify_start_and_duration.csv": (
        BERLIN,
        "clockify",
        [("2026-08-31 07:00", "2026-08-31 15:00", None, "Time off")],
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_csv_file_gives_its_entries_and_issues(name: str) -> None:
    tz, fmt, expected, expected_issues = CASES[name]
    parsed = read(name, tz)
    assert parsed.format == fmt
    assert entries(parsed) == [(utc(s), utc(e), area, title) for s, e, area, title in expected]
    assert [(issue.line, issue.kind) for issue in parsed.issues] == [
        (row, kind) for row, kind, _ in expected_issues
    ]
    for issue, (row, kind, words) in zip(parsed.issues, expected_issues, strict=True):
        assert issue.message.startswith(f"row {row}: ")
        assert words in issue.message
        assert issue.message.endswith("the row was skipped" if kind == "skipped" else "check it") or row == 1


@pytest.mark.parametrize("name", list(CASES))
def test_frame_has_the_entry_columns_and_types(name: str) -> None:
    frame = read(name, CASES[name][0]).frame
    assert tuple(frame.columns) == ENTRY_COLUMNS
    assert str(frame["start_utc"].dtype) == str(frame["end_utc"].dtype) == "datetime64[us, UTC]"
    assert (frame["end_utc"] > frame["start_utc"]).all()
    assert (frame["location"] == "").all()
    assert all(area is None or area in AREAS for area in frame["area"])
    assert frame["uid"].is_unique


def test_trackers_put_project_client_task_and_tags_in_the_description() -> None:
    toggl = read("toggl_detailed.csv").frame["description"].tolist()
    assert toggl == [
        "Project: Website; Client: Acme; Task: Design; Tags: design, client",
        "Project: Family",
        "Project: Website; Client: Acme",
    ]
    clockify = read("clockify_detailed.csv", NEW_YORK).frame["description"].tolist()
    assert clockify[:2] == [
        "Project: Mobile App; Client: Acme Corp; Task: Development; Tags: dev",
        "Project: Family",
    ]
    own = read("own_start_end.csv").frame["description"]
    assert (own == "").all()


def test_unknown_header_names_the_file_the_headers_found_and_the_formats_expected() -> None:
    with pytest.raises(CsvError) as caught:
        read("unknown_harvest.csv")
    message = str(caught.value)
    assert message.startswith("unknown_harvest.csv line 1: the header row ('date', 'client', 'project'")
    assert "'hours'" in message
    for expected in (
        "start,end,area,note",
        "date,duration,area,note",
        "Start date,Start time",
        "Duration (h)",
    ):
        assert expected in message
    assert "docs/csv-format.md" in message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b"\n\n  \n", "is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (b"start,end\x00\x01\x02", "binary data"),
        (b"\xff\xfes\x00t\x00a", "not valid UTF-16"),
        (b"start,end\n" + b'"' + b"x" * 200_000 + b'"\n', "cannot be read as CSV"),
        (b"start,date,duration\n2026-11-23 09:00,2026-11-23,1\n", "has both a start and a date column"),
    ],
)
def test_unreadable_file_is_a_csv_error(data: bytes, words: str) -> None:
    with pytest.raises(CsvError, match=re.escape(words)) as caught:
        read_csv_log(data, file_name="log.csv", tz=BERLIN, areas=AREAS)
    assert caught.value.path == "log.csv"


def test_utf16_with_bom_and_tabs_as_excel_saves_unicode_text() -> None:
    text = "start\tend\tarea\tnote\r\n2026-11-23 09:00\t2026-11-23 10:00\twork\tRésumé\r\n"
    parsed = read_csv_log(text.encode("utf-16"), file_name="log.txt", tz=BERLIN, areas=AREAS)
    assert entries(parsed) == [(utc("2026-11-23 08:00"), utc("2026-11-23 09:00"), "work", "Résumé")]


def test_header_only_gives_no_entries() -> None:
    parsed = read_csv_log(b"start,end,area,note\n", file_name="log.csv", tz=BERLIN, areas=AREAS)
    assert parsed.frame.empty and tuple(parsed.frame.columns) == ENTRY_COLUMNS and parsed.issues == ()


def test_row_numbers_count_lines_in_the_file_even_after_quoted_newlines_and_blank_lines() -> None:
    data = b'start,end,area,note\n\n2026-11-23 09:00,2026-11-23 10:00,work,"a\nb\nc"\n2026-11-23 10:00,2026-11-23 09:00,work,x\n'
    parsed = read_csv_log(data, file_name="log.csv", tz=BERLIN, areas=AREAS)
    assert [issue.line for issue in parsed.issues] == [6]


def test_huge_durations_are_reported_not_raised() -> None:
    data = b"start,duration,area,note\n2026-11-23 09:00,99999999999999999999,work,x\n2026-11-23 09:00,999999999:00,work,y\n"
    parsed = read_csv_log(data, file_name="log.csv", tz=BERLIN, areas=AREAS)
    assert parsed.frame.empty
    assert [issue.message for issue in parsed.issues] == [
        "row 2: duration is longer than 7 days; the row was skipped",
        "row 3: duration is longer than 7 days; the row was skipped",
    ]


def test_long_text_is_cut_to_the_column_sizes() -> None:
    note = "n" * 900
    data = f"start,end,area,note\n2026-11-23 09:00,2026-11-23 10:00,work,{note}\n".encode()
    frame = read_csv_log(data, file_name="log.csv", tz=BERLIN, areas=AREAS).frame
    assert len(frame["title"].iloc[0]) == 500


# --- uids ---------------------------------------------------------------------------------------------


def test_uids_are_the_same_on_every_import_and_differ_between_entries() -> None:
    first, second = read("toggl_detailed.csv").frame, read("toggl_detailed.csv").frame
    assert first["uid"].tolist() == second["uid"].tolist()
    assert first["uid"].is_unique


def test_equal_rows_in_one_file_get_numbered_uids() -> None:
    row = "2026-11-23 09:00,2026-11-23 10:00,work,Standup\n"
    data = ("start,end,area,note\n" + row * 3).encode()
    uids = read_csv_log(data, file_name="log.csv", tz=BERLIN, areas=AREAS).frame["uid"].tolist()
    assert uids[1:] == [f"{uids[0]}-2", f"{uids[0]}-3"]


def test_a_form_entry_has_the_uid_of_the_same_entry_in_a_file() -> None:
    from_file = read("own_start_end.csv").frame.iloc[0]
    entry = make_entry(
        start=datetime(2026, 11, 23, 9),
        end=datetime(2026, 11, 23, 12, 30),
        area="Work",
        note="Deep work",
        tz=BERLIN,
        areas=AREAS,
    )
    assert entry["uid"].iloc[0] == from_file["uid"]


def test_the_system_time_zone_does_not_leak_into_results(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = read("own_date_duration.csv").frame
    for zone in ("Pacific/Auckland", "America/New_York"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        pd.testing.assert_frame_equal(read("own_date_duration.csv").frame, expected)
    monkeypatch.delenv("TZ")
    time.tzset()
    assert "TZ" not in os.environ


# --- make_entry ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "start", "end"),
    [
        (
            {"start": datetime(2026, 11, 23, 9), "end": datetime(2026, 11, 23, 10, 15)},
            "2026-11-23 08:00",
            "2026-11-23 09:15",
        ),
        (
            {"start": datetime(2026, 11, 23, 22), "duration_hours": 3.5},
            "2026-11-23 21:00",
            "2026-11-24 00:30",
        ),
        ({"day": date(2026, 11, 23), "duration_hours": 2}, "2026-11-23 08:00", "2026-11-23 10:00"),
        (
            {"start": datetime(2026, 11, 23, 9, tzinfo=UTC), "duration_hours": 0.25},
            "2026-11-23 09:00",
            "2026-11-23 09:15",
        ),
        (
            {"start": datetime(2026, 10, 25, 2, 30), "duration_hours": 1},
            "2026-10-25 00:30",
            "2026-10-25 01:30",
        ),
        ({"start": datetime(2026, 11, 23, 9), "duration_hours": 30}, "2026-11-23 08:00", "2026-11-24 14:00"),
    ],
)
def test_make_entry_gives_one_validated_row(arguments: dict[str, object], start: str, end: str) -> None:
    frame = make_entry(**arguments, area="family", note="  Zoo  ", tz=BERLIN, areas=AREAS)  # type: ignore[arg-type]
    assert tuple(frame.columns) == ENTRY_COLUMNS
    assert entries(ParsedLog("balance-dash", frame, ())) == [(utc(start), utc(end), "family", "Zoo")]
    assert str(frame["start_utc"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"end": datetime(2026, 11, 23, 10)}, "give a start time or a day"),
        ({"start": datetime(2026, 11, 23, 9), "day": date(2026, 11, 23), "duration_hours": 1}, "not both"),
        ({"start": datetime(2026, 11, 23, 9)}, "give an end or a duration"),
        (
            {"start": datetime(2026, 11, 23, 9), "end": datetime(2026, 11, 23, 10), "duration_hours": 1},
            "give an end or a duration",
        ),
        (
            {"start": datetime(2026, 11, 23, 9), "end": datetime(2026, 11, 23, 8)},
            "end 2026-11-23 08:00 is not after start 2026-11-23 09:00",
        ),
        (
            {"start": datetime(2026, 11, 23, 9), "duration_hours": 0},
            "duration 0 h is not between 0 and 168 hours",
        ),
        ({"start": datetime(2026, 11, 23, 9), "duration_hours": float("nan")}, "is not between"),
        ({"start": datetime(2026, 11, 23, 9), "duration_hours": 169}, "is not between"),
        ({"start": datetime(2026, 11, 1, 9), "end": datetime(2026, 11, 23, 9)}, "more than 7 days"),
        (
            {"start": datetime(2026, 3, 29, 2, 30), "duration_hours": 1},
            "start 2026-03-29 02:30 does not exist in Europe/Berlin",
        ),
        ({"start": datetime(1969, 12, 31, 9), "duration_hours": 1}, "year outside 1970-2100"),
    ],
)
def test_make_entry_rejects_what_cannot_be_an_entry(arguments: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidValueError, match=re.escape(words)):
        make_entry(**arguments, area="work", tz=BERLIN, areas=AREAS)  # type: ignore[arg-type]


def test_make_entry_checks_the_area() -> None:
    entry = {"start": datetime(2026, 11, 23, 9), "duration_hours": 1, "tz": BERLIN, "areas": AREAS}
    assert make_entry(**entry, area=" REST ")["area"].iloc[0] == "rest"  # type: ignore[arg-type]
    assert make_entry(**entry, area="uncategorized")["area"].iloc[0] is None  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="area 'gym' is not one of work, family, personal, rest"):
        make_entry(**entry, area="gym")  # type: ignore[arg-type]


# --- parse_local_datetime ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23 09:30", "2026-11-23 08:30"),
        ("2026-11-23T09:30", "2026-11-23 08:30"),
        ("2026-11-23T09:30:15.25", "2026-11-23 08:30:15.25"),
        ("2026-07-06 09:30", "2026-07-06 07:30"),
        ("2026-11-23T09:30:00Z", "2026-11-23 09:30"),
        ("2026-11-23T09:30:00+05:30", "2026-11-23 04:00"),
        ("2026-11-23 09:30 -0800", "2026-11-23 17:30"),
        ("  2026-11-23 9:05 pm ", "2026-11-23 20:05"),
        ("2026-11-23 24:00", "2026-11-23 23:00"),
        ("2026-10-25 02:30", "2026-10-25 00:30"),
    ],
)
def test_parse_local_datetime(text: str, expected: str) -> None:
    value = parse_local_datetime(text, BERLIN)
    assert value.tzinfo is UTC
    assert value == utc(expected).to_pydatetime()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("tomorrow", "is not a date and time"),
        ("23/11/2026 09:30", "is not a date and time"),  # one value cannot tell day from month
        ("2026-11-23", "has no time of day"),
        ("2026-02-30 09:00", "is not a valid date and time"),
        ("2026-03-29 02:30", "does not exist in Europe/Berlin"),
        ("1900-01-01 09:00", "year outside 1970-2100"),
        ("2026-11-23 09:30+23:00", "offset beyond 18 hours"),
    ],
)
def test_parse_local_datetime_explains_bad_values(text: str, words: str) -> None:
    with pytest.raises(InvalidValueError, match=re.escape(words)) as caught:
        parse_local_datetime(text, BERLIN)
    assert "YYYY-MM-DD HH:MM" in str(caught.value)


# --- the documentation's example ------------------------------------------------------------------


def test_the_example_in_the_docs_imports_cleanly() -> None:
    blocks = re.findall(r"```csv\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks
    for block in blocks:
        parsed = read_csv_log(block.encode(), file_name="example.csv", tz=BERLIN, areas=AREAS)
        assert parsed.issues == () and len(parsed.frame) > 0


# --- properties ---------------------------------------------------------------------------------------

HEADERS = [
    "start,end,area,note",
    "start,duration,area,note",
    "date,start_time,duration,area,note",
    (CSV_DIR / "toggl_detailed.csv").read_text().splitlines()[0],
    (CSV_DIR / "clockify_detailed.csv").read_text().splitlines()[0],
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "work",
            "REST",
            "2026-11-23",
            "11/23/2026",
            "23.11.2026",
            "09:00",
            "9:00 PM",
            "24:00",
            "1:30",
            "1,5",
        ]
    ),
    st.sampled_from(
        ["2026-03-29 02:30", "2026-10-25 02:30", "2026-11-23T09:00+01:00", "0:00", "99:99", "\u00e9"]
    ),
    st.text(alphabet='0123456789-/:. TZAPMapm+,;"\n', max_size=25),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.builds(
            lambda header, tail: header.encode() + b"\n" + tail,
            st.sampled_from(HEADERS),
            st.binary(max_size=300),
        ),
    )
)
def test_any_bytes_give_a_log_or_a_balance_dash_error(data: bytes) -> None:
    try:
        parsed = read_csv_log(data, file_name="fuzz.csv", tz=BERLIN, areas=AREAS)
    except BalanceDashError:
        return
    assert tuple(parsed.frame.columns) == ENTRY_COLUMNS


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=17), max_size=6),
    sep=st.sampled_from([",", ";"]),
)
def test_rows_of_known_formats_import_or_are_reported(header: str, rows: list[list[str]], sep: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerows([header.split(","), *rows])
    data = out.getvalue().encode()
    try:
        parsed = read_csv_log(data, file_name="fuzz.csv", tz=BERLIN, areas=AREAS)
    except CsvError:
        return
    frame = parsed.frame
    assert tuple(frame.columns) == ENTRY_COLUMNS
    assert (frame["end_utc"] > frame["start_utc"]).all()
    assert ((frame["end_utc"] - frame["start_utc"]) <= pd.Timedelta(days=7)).all()
    assert frame["uid"].is_unique
    assert all(
        isinstance(issue, IngestIssue) and 1 <= issue.line <= data.count(b"\n") + 1 for issue in parsed.issues
    )
    skipped = sum(issue.kind == "skipped" for issue in parsed.issues)
    assert len(frame) + skipped <= len(rows)
