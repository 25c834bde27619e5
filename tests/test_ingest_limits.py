"""Every .ics import is bounded in time and memory, whatever the file (issue 11).

Each reproducer of the issue is refused with one line naming the file and the reason, within a
few seconds, at a bounded peak memory (measured in a subprocess under an address-space limit),
with the database unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from balance_dash import store, workflows
from balance_dash.errors import CalendarError, LimitError
from balance_dash.ingest import limits, worker
from balance_dash.ingest.ics import read_ics
from tests.support import hostile
from tests.test_cli import table_counts

REPO = Path(__file__).resolve().parents[1]
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)

# Runs `balance-dash import` in a child with a 1.5 GB address-space limit, and prints its wall
# time and the peak resident memory of the child and of the worker it forks.
MEASURE = """
import json, resource, subprocess, sys, time
limit = 1536 * 1024 * 1024
started = time.monotonic()
done = subprocess.run(
    [sys.executable, "-c", "from balance_dash.cli import main; main()", "import", "--db", sys.argv[1], sys.argv[2]],
    capture_output=True, text=True, timeout=60,
    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
)
print(json.dumps({
    "seconds": time.monotonic() - started, "code": done.returncode, "out": done.stdout, "err": done.stderr,
    "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""

EXPECTED = {
    "interval_zero.ics": "has INTERVAL=0",
    "secondly_zone.ics": "makes a time zone change its offset secondly",
    "nested_events.ics": "components are nested 6 deep",
    "never_matching.ics": "can never match",
}


@pytest.fixture
def small_db(sqlite_url: str) -> str:
    engine = store.open_engine(sqlite_url)
    data = hostile.calendar(hostile.event("kept", title="Kept"), name="Work")
    workflows.import_calendar(engine, data, file_name="work.ics", tz=BERLIN, settings=store.load_settings(engine), now=NOW)
    engine.dispose()
    return sqlite_url


@pytest.mark.parametrize("name", sorted(hostile.REPRODUCERS))
def test_each_reproducer_is_refused_fast_small_and_leaves_the_database_alone(name, small_db, tmp_path):
    path = tmp_path / name
    path.write_bytes(hostile.REPRODUCERS[name]())
    before = table_counts(small_db)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, small_db, str(path)], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    figures = json.loads(done.stdout)
    assert figures["code"] == 1, figures
    assert figures["out"] == ""
    lines = figures["err"].splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {name}: ")
    assert EXPECTED[name] in lines[0]
    assert figures["seconds"] < 15, figures  # a fresh interpreter's start included
    assert figures["peak_mb"] < 400, figures
    assert table_counts(small_db) == before


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
        ("FREQ=DAILY;INTERVAL=-3", "INTERVAL=-3"),
        ("FREQ=WEEKLY;INTERVAL=99999999", "INTERVAL=99999999"),
        ("FREQ=MONTHLY;BYMONTHDAY=40", "BYMONTHDAY=40"),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY=-32"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR=24"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY=367"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO=54"),
        ("FREQ=MONTHLY;BYDAY=60MO", "BYDAY=60MO"),
        ("FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=31", "never match"),
        ("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30,31,-30", "never match"),
    ],
)
def test_rules_the_library_would_loop_on_are_named(rule, words):
    assert words in limits.rule_problem(rule)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=DAILY;INTERVAL=2", "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH",
        "FREQ=MINUTELY;INTERVAL=30;BYHOUR=9,10", "FREQ=HOURLY;UNTIL=20261231T000000Z", "FREQ=BOGUS",
        "RSCALE=HEBREW;FREQ=YEARLY;BYMONTH=13",
    ],
)
def test_real_rules_pass(rule):
    assert limits.rule_problem(rule) == ""


def test_a_zone_may_change_monthly_or_yearly_only():
    assert limits.rule_problem("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", in_zone=True) == ""
    assert "hourly" in limits.rule_problem("FREQ=HOURLY", in_zone=True)


def test_folded_lines_cannot_hide_a_rule():
    data = hostile.calendar(hostile.event("folded", extra="RRULE:FREQ=DAILY;INTE\r\n RVAL=0\r\n"))
    with pytest.raises(CalendarError, match="INTERVAL=0"):
        read_ics(data, file_name="folded.ics", tz=BERLIN, now=NOW)


def test_a_shallow_nesting_is_still_read():
    nested = hostile.event("inner").replace("END:VEVENT\r\n", "")
    data = hostile.calendar(hostile.event("outer", extra=nested + "END:VEVENT\r\n"))
    read_ics(data, file_name="nested.ics", tz=BERLIN, now=NOW)  # depth 3: icalendar decides


def test_one_series_that_never_matches_is_skipped_and_the_rest_imported():
    # Not caught by the checks before parsing: day 366 is never in January.
    slow = hostile.event("slow", title="Slow", extra="RRULE:FREQ=MINUTELY;BYYEARDAY=366;BYMONTH=1\r\n")
    data = hostile.calendar(slow + hostile.event("fine", title="Fine"))
    started = time.monotonic()
    parsed = read_ics(data, file_name="slow.ics", tz=BERLIN, now=NOW, seconds=60)
    assert time.monotonic() - started < limits.SERIES_SECONDS + 3
    assert parsed.frame["uid"].tolist() == ["fine"]
    assert [(issue.kind, issue.uid) for issue in parsed.issues] == [("skipped", "slow")]
    assert f"more than {limits.SERIES_SECONDS:g} s to compute" in parsed.issues[0].message


def test_many_series_that_search_for_years_refuse_the_file_within_seconds():
    # Every seventh day from a Monday is never a Tuesday: the library searches until year 9999.
    rule = "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU\r\n"
    data = hostile.calendar("".join(hostile.event(f"s{i}", title=f"Search {i}", extra=rule) for i in range(50)))
    started = time.monotonic()
    with pytest.raises(LimitError, match=r"searching\.ics: \d+ recurring series \(the first: 'Search 0'\)"):
        read_ics(data, file_name="searching.ics", tz=BERLIN, now=NOW, seconds=60)
    assert time.monotonic() - started < limits.WASTED_SECONDS + 4


def test_the_whole_file_has_a_time_limit():
    rule = "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU\r\n"
    data = hostile.calendar(hostile.event("s", extra=rule))
    started = time.monotonic()
    with pytest.raises(LimitError, match=r"budget\.ics: reading and expanding the calendar takes longer than 0\.3 s"):
        read_ics(data, file_name="budget.ics", tz=BERLIN, now=NOW, seconds=0.3)
    assert time.monotonic() - started < 2


def test_the_worker_returns_what_the_reader_returns(frozen_now):
    data = hostile.calendar(hostile.event("a", extra="RRULE:FREQ=DAILY;COUNT=5\r\n"), name="Work")
    stages: list[str] = []
    parsed = worker.read_ics_isolated(
        data, file_name="a.ics", seconds=60, memory_mb=500, tz=BERLIN, now=frozen_now,
        progress=lambda fraction, stage: stages.append(stage),
    )
    direct = read_ics(data, file_name="a.ics", tz=BERLIN, now=frozen_now)
    assert parsed.name == "Work"
    assert parsed.frame.equals(direct.frame)
    assert stages[0] == "reading"


def test_the_worker_refuses_with_the_readers_own_error(frozen_now):
    with pytest.raises(CalendarError, match=r"^zero\.ics: RRULE 'FREQ=DAILY;INTERVAL=0' has INTERVAL=0"):
        worker.read_ics_isolated(hostile.interval_zero(), file_name="zero.ics", seconds=60, memory_mb=500, tz=BERLIN, now=frozen_now)


def test_the_worker_stops_at_its_memory_limit(frozen_now):
    # 5,000 events with long texts: a 20 MB file whose parse needs several times 40 MB. The
    # descriptions carry a parameter, so icalendar parses them (a plain DESCRIPTION line is read
    # by the skim itself, which needs far less).
    text = "x" * 1900
    data = hostile.calendar(
        "".join(
            hostile.event(f"e{i}", extra=f"DESCRIPTION;LANGUAGE=en:{text}{i}\r\nLOCATION:{text}\r\n")
            for i in range(5000)
        )
    )
    # A thread alive makes the worker start from the fork server, as in the dashboard. Forked from
    # this test process instead, the child would inherit the heap that earlier tests freed but
    # still map, and could parse inside it without growing its address space: no limit to hit.
    release = threading.Event()
    server_like = threading.Thread(target=release.wait, daemon=True)
    server_like.start()
    started = time.monotonic()
    try:
        with pytest.raises(LimitError, match=r"texts\.ics: reading the calendar needs more than 40 MB of memory"):
            worker.read_ics_isolated(data, file_name="texts.ics", seconds=120, memory_mb=40, tz=BERLIN, now=frozen_now)
    finally:
        release.set()
        server_like.join()
    assert time.monotonic() - started < 30


def test_the_worker_stops_at_its_time_limit(frozen_now):
    rule = "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU\r\n"
    data = hostile.calendar("".join(hostile.event(f"s{i}", extra=rule) for i in range(3)))
    started = time.monotonic()
    with pytest.raises(LimitError, match=r"slow\.ics: reading and expanding the calendar takes longer than 1 s"):
        worker.read_ics_isolated(data, file_name="slow.ics", seconds=1, memory_mb=500, tz=BERLIN, now=frozen_now)
    assert time.monotonic() - started < 3


def test_shared_uids_long_events_and_far_years_are_reported_not_silent():
    body = (
        "".join(hostile.event("dup", title=f"Copy {i}") for i in range(1000))
        + hostile.event("long", title="Century", start="20261116T090000Z", end="21261116T090000Z")
        + hostile.event("y1", title="Year one", start="00010101T090000Z", end="00010101T100000Z")
        + hostile.event("y9999", title="Far", start="99991230T090000Z", end="99991230T100000Z")
    )
    parsed = read_ics(hostile.calendar(body), file_name="odd.ics", tz=BERLIN, now=NOW, max_event_days=92)
    assert sorted(parsed.frame["uid"]) == ["dup", "long"]
    century = parsed.frame.set_index("uid").loc["long"]
    assert (century["end_utc"] - century["start_utc"]).days == 92
    messages = [issue.message for issue in parsed.issues]
    assert "1,000 events share UID 'dup'; one of them was kept (the highest SEQUENCE, else the first in the file)." in messages
    assert any(m.startswith("2 events (the earliest: 'Year one' on 0001-01-01) lie outside the imported period") for m in messages)
    assert any(m.startswith("1 event lasts longer than 92 days (the longest 36,524 days); it was cut to 92 days") for m in messages)


def test_a_century_long_event_keeps_the_weekly_export_quick(sqlite_url, frozen_now):
    engine = store.open_engine(sqlite_url)
    data = hostile.calendar(hostile.event("long", title="Century", start="20261116T090000Z", end="21261116T090000Z"))
    workflows.import_calendar(engine, data, file_name="century.ics", tz=BERLIN, settings=store.load_settings(engine), now=frozen_now)
    from balance_dash.workflows import data as data_workflows

    started = time.monotonic()
    data_workflows.export(workflows.Scope.of(engine, tz=BERLIN), what="weeks", fmt="csv")
    assert time.monotonic() - started < 10
    engine.dispose()

