"""Properties of importing into the database (hypothesis): idempotent, order-free, all-or-nothing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance_dash import store, workflows
from balance_dash.errors import BalanceDashError
from balance_dash.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SETTINGS = Settings()
_counter = itertools.count()

events = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60 * 24 * 20),  # start, minutes after 2026-10-05 00:00 local
        st.integers(min_value=0, max_value=60 * 30),  # duration in minutes (0 allowed)
        st.sampled_from(["Team standup", "Family dinner", "Gym", "Errand", "Ünïcode café"]),
        st.sampled_from(["", "RRULE:FREQ=DAILY;COUNT=3", "RRULE:FREQ=WEEKLY;COUNT=4", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5"]),
        st.booleans(),  # all-day
    ),
    min_size=0,
    max_size=12,
)


def calendar_bytes(name: str, items: list[tuple[int, int, str, str, bool]]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", f"X-WR-CALNAME:{name}"]
    base = datetime(2026, 10, 5)
    for index, (start_min, duration_min, title, rule, all_day) in enumerate(items):
        start = base + timedelta(minutes=start_min)
        lines += ["BEGIN:VEVENT", f"UID:{name}-{index}", "DTSTAMP:20260101T000000Z", f"SUMMARY:{title}"]
        if all_day:
            days = max(1, duration_min // (60 * 24) + 1)
            lines += [f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{start + timedelta(days=days):%Y%m%d}"]
        else:
            lines += [
                f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID=Europe/Berlin:{start + timedelta(minutes=duration_min):%Y%m%dT%H%M%S}",
            ]
        if rule:
            lines.append(rule)
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def fresh_engine(folder: Path):  # type: ignore[no-untyped-def]
    return store.open_engine(f"sqlite:///{folder / f'prop-{next(_counter)}.db'}")


def content(engine) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Everything a user can see of the occurrences, without row ids."""
    frame = store.load_occurrences(engine).drop(columns=["id", "source_id"])
    return frame.sort_values(["source_name", "uid", "recurrence_key"]).reset_index(drop=True)


def do_import(engine, data: bytes, name: str) -> workflows.ImportReport:  # type: ignore[no-untyped-def]
    return workflows.import_calendar(
        engine, data, file_name=f"{name}.ics", tz=BERLIN, settings=SETTINGS, now=NOW,
        since=datetime(2026, 9, 1, tzinfo=UTC), until=datetime(2027, 1, 1, tzinfo=UTC),
    )


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(items=events)
def test_reimporting_a_calendar_changes_nothing(tmp_path, items):
    engine = fresh_engine(tmp_path)
    data = calendar_bytes("Work", items)
    first = do_import(engine, data, "work")
    before = content(engine)
    again = do_import(engine, data, "work")
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == first.occurrences
    pd.testing.assert_frame_equal(content(engine), before)
    engine.dispose()


@PROPERTY
@given(a=events, b=events)
def test_import_order_of_two_calendars_does_not_matter(tmp_path, a, b):
    one, two = fresh_engine(tmp_path), fresh_engine(tmp_path)
    do_import(one, calendar_bytes("Work", a), "work")
    do_import(one, calendar_bytes("Home", b), "home")
    do_import(two, calendar_bytes("Home", b), "home")
    do_import(two, calendar_bytes("Work", a), "work")
    pd.testing.assert_frame_equal(content(one), content(two))
    one.dispose()
    two.dispose()


@PROPERTY
@given(
    items=events.filter(bool),
    cuts=st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.binary(max_size=8)), min_size=1, max_size=6),
)
def test_a_corrupted_file_is_refused_whole_or_imported_without_crashing(tmp_path, items, cuts):
    engine = fresh_engine(tmp_path)
    do_import(engine, calendar_bytes("Work", items), "work")
    before, revision = content(engine), store.data_revision(engine)
    data = bytearray(calendar_bytes("Home", items))
    for position, junk in cuts:
        at = position % max(len(data), 1)
        data[at : at + len(junk)] = junk
    try:
        do_import(engine, bytes(data), "home")
    except BalanceDashError:
        pd.testing.assert_frame_equal(content(engine), before)
        assert store.data_revision(engine) == revision
    else:
        # Whatever was readable went to its own calendar; the other calendar is untouched.
        after = content(engine)
        pd.testing.assert_frame_equal(
            after[after["source_name"] == "Work"].reset_index(drop=True), before.reset_index(drop=True)
        )
    engine.dispose()
