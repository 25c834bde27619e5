"""A bounded fuzz loop over the shared corpus and the test fixtures (issue 11).

Each iteration mutates one real .ics file (byte flips, deleted and duplicated lines, events
nested inside events, a rule spliced in) and imports it through the workflow the front-ends
use. The loop is seeded and bounded: a fixed number of files, each import with a time budget.
It asserts 0 crashes (only BalanceDashError may come out), 0 hangs (each import finishes within
its budget plus a margin) and 0 database changes on refusal.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from balance_dash import store, workflows
from balance_dash.errors import BalanceDashError
from balance_dash.settings import Settings
from tests.test_cli import table_counts

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SEED = 20261130
ITERATIONS = 300
BUDGET_SECONDS = 5
NOW = datetime(2026, 1, 15, tzinfo=UTC)
SPLICED = (
    b"RRULE:FREQ=DAILY;INTERVAL=0", b"RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", b"RRULE:FREQ=SECONDLY",
    b"DTEND:99991231T235959Z", b"DTSTART:00010101T000000Z", b"BEGIN:VEVENT", b"END:VCALENDAR", b"UID:same",
)


def sources() -> list[bytes]:
    files = sorted((REPO / "tests" / "data" / "ics").glob("*.ics")) + sorted(CORPUS.glob("*.ics"))
    return [path.read_bytes() for path in files if path.stat().st_size <= 40_000]


def mutate(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(5)
        if choice == 0 and data:  # flip bytes
            raw = bytearray(b"\n".join(lines))
            for _ in range(rng.randint(1, 8)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            lines = bytes(raw).split(b"\n")
        elif choice == 1 and len(lines) > 2:  # delete lines
            del lines[rng.randrange(len(lines))]
        elif choice == 2 and lines:  # duplicate a line, sometimes many times
            index = rng.randrange(len(lines))
            lines[index:index] = [lines[index]] * rng.choice((1, 2, 50))
        elif choice == 3:  # nest: an event's opening repeated inside itself
            opening = b"BEGIN:VEVENT\r"
            if opening in lines:
                index = lines.index(opening)
                lines[index:index] = [opening] * rng.randint(1, 40)
        else:  # splice a line the libraries find hard
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(SPLICED) + b"\r")
    return b"\n".join(lines)


def test_fuzzed_files_never_crash_hang_or_change_the_database_on_refusal(sqlite_url):
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(import_seconds=BUDGET_SECONDS))
    settings = store.load_settings(engine)
    rng = random.Random(SEED)
    pool = sources()
    assert len(pool) > 20
    outcomes = {"imported": 0, "refused": 0}
    slowest = 0.0
    for iteration in range(ITERATIONS):
        data = mutate(rng.choice(pool), rng)
        before = (table_counts(sqlite_url), store.data_revision(engine))
        started = time.monotonic()
        try:
            workflows.import_calendar(
                engine, data, file_name=f"fuzz-{iteration}.ics", tz=ZoneInfo("Europe/Berlin"), settings=settings,
                now=NOW, source_name=f"fuzz {iteration % 5}",
            )
        except BalanceDashError as error:
            outcomes["refused"] += 1
            assert "\n" not in str(error), (iteration, str(error))
            assert (table_counts(sqlite_url), store.data_revision(engine)) == before, iteration
        else:
            outcomes["imported"] += 1
        elapsed = time.monotonic() - started
        slowest = max(slowest, elapsed)
        assert elapsed < BUDGET_SECONDS + 3, (iteration, elapsed)
    assert outcomes["imported"] and outcomes["refused"], outcomes
    engine.dispose()
