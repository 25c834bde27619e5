"""A changed calendar address re-reads only its changed events, with the whole-file result.

Each case serves a feed from a real HTTP server on 127.0.0.1, subscribes, changes the feed
(one event's time, one moved instance, one series deleted, one series added), syncs, and
compares every occurrence (identity and content) with a fresh import of the new file and with
the whole-file sync; and checks that only the changed events were expanded.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from balance_dash import store
from balance_dash.ingest import ics
from balance_dash.live import feed_split
from balance_dash.settings import Settings
from balance_dash.workflows import live
from tests.bench.generate import generate
from tests.support.calendars import calendar, event
from tests.support.live_servers import Answer, FeedServer

UTC_ZONE = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(sync_timeout_seconds=5, max_upload_mb=20)
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
COLUMNS = [*store.IDENTITY, *(c for c in store.CONTENT if c not in ("cancelled",))]
BLOCK = re.compile(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.DOTALL)

pytestmark = pytest.mark.usefixtures("no_system_keyring")  # never the machine's real keyring


@pytest.fixture
def expanded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many VEVENTs each read of a calendar was given."""
    counts: list[int] = []
    original = ics.read_ics

    def counting(data: bytes, **options: object) -> ics.ParsedCalendar:
        counts.append(data.count(b"BEGIN:VEVENT"))
        return original(data, **options)  # type: ignore[arg-type]

    monkeypatch.setattr("balance_dash.ingest.ics.read_ics", counting)
    return counts


def occurrences(engine: Engine) -> pd.DataFrame:
    frame = store.load_occurrences(engine, with_cancelled=True)
    columns = [*COLUMNS, "cancelled"] if "cancelled" in frame else COLUMNS
    return frame[columns].sort_values(list(store.IDENTITY)).reset_index(drop=True)


def synced_twice(
    tmp_path: Path, name: str, feed: FeedServer, expanded: list[int], first: bytes, second: bytes, now: datetime
) -> tuple[pd.DataFrame, list[int]]:
    """The occurrences after subscribing to `first` and syncing `second`, and the sync's reads (VEVENTs each)."""
    engine = store.open_engine(f"sqlite:///{tmp_path / name}.db")
    try:
        feed.answer = Answer(body=first)
        live.subscribe(engine, feed.url, tz=UTC_ZONE, settings=SETTINGS, now=now)
        feed.answer = Answer(body=second)
        before = len(expanded)
        (report,) = live.sync(engine, tz=UTC_ZONE, settings=SETTINGS, now=now)
        assert report.status == "synced", report.error
        return occurrences(engine), expanded[before:]
    finally:
        engine.dispose()


def imported_fresh(tmp_path: Path, feed: FeedServer, body: bytes, now: datetime) -> pd.DataFrame:
    engine = store.open_engine(f"sqlite:///{tmp_path / 'fresh'}.db")
    try:
        feed.answer = Answer(body=body)
        live.subscribe(engine, feed.url, tz=UTC_ZONE, settings=SETTINGS, now=now)
        return occurrences(engine)
    finally:
        engine.dispose()


def check_incremental(
    tmp_path: Path, feed: FeedServer, expanded: list[int], first: bytes, second: bytes, now: datetime,
    *, monkeypatch: pytest.MonkeyPatch, read: int, fresh: bool = True,
) -> pd.DataFrame:
    """Sync first -> second through the new path; it must equal the whole-file sync (and a fresh import).

    `read`: how many VEVENTs the sync expands (the changed ones, or all when it must read the whole file).
    """
    everything = second.count(b"BEGIN:VEVENT")
    incremental, reads = synced_twice(tmp_path, "incremental", feed, expanded, first, second, now)
    assert reads[-1] == read and (read == everything or reads == [read]), reads
    with monkeypatch.context() as patch:
        patch.setattr(feed_split, "split_feed", lambda _text: None)  # the whole-file path
        whole, reads = synced_twice(tmp_path, "whole", feed, expanded, first, second, now)
    assert reads == [everything]
    pd.testing.assert_frame_equal(incremental, whole)
    if fresh:
        pd.testing.assert_frame_equal(incremental, imported_fresh(tmp_path, feed, second, now))
    return incremental


# ---------------------------------------------------------------------------------------------
# Generated calendars (the benchmark's Google-style export: time zones, series, moved instances)


def blocks(body: bytes) -> list[str]:
    return BLOCK.findall(body.decode("utf-8"))


def uid_of(block: str) -> str:
    found = re.search(r"^UID:(.*)\r$", block, re.MULTILINE)
    assert found is not None
    return found.group(1)


def later(block: str, hours: int = 1) -> str:
    """The block with its DTSTART and DTEND `hours` later (same day: the generator keeps to daytime)."""

    def shift(match: re.Match[str]) -> str:
        return f"{match.group(1)}T{int(match.group(2)) + hours:02d}"

    return re.sub(r"^((?:DTSTART|DTEND)[^:\r\n]*:\d{8})T(\d\d)", shift, block, flags=re.MULTILINE)


def generated(now: datetime) -> bytes:
    return generate(0.25, seed=11, now=now, ahead_days=30)


def pick(body: bytes, wanted: Callable[[str], bool], seed: int) -> str:
    chosen = [block for block in blocks(body) if wanted(block)]
    assert chosen
    return random.Random(seed).choice(chosen)


def is_single(block: str) -> bool:
    return "RRULE" not in block and "RECURRENCE-ID" not in block and "VALUE=DATE" not in block


@pytest.mark.parametrize("seed", [1, 2])
def test_one_event_moved_in_a_generated_calendar(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime, monkeypatch: pytest.MonkeyPatch,
    seed: int,
) -> None:
    first = generated(frozen_now)
    block = pick(first, is_single, seed)
    second = first.replace(block.encode(), later(block).encode())
    result = check_incremental(tmp_path, feed, expanded, first, second, frozen_now, monkeypatch=monkeypatch, read=1)
    assert not occurrences_of(result, uid_of(block)).empty


def test_one_moved_instance_in_a_generated_calendar(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = generated(frozen_now)
    block = pick(first, lambda text: "RECURRENCE-ID" in text and "STATUS:CANCELLED" not in text, 3)
    second = first.replace(block.encode(), later(block, 2).replace("SUMMARY:", "SUMMARY:Moved ").encode())
    series = sum(uid_of(other) == uid_of(block) for other in blocks(first))
    result = check_incremental(
        tmp_path, feed, expanded, first, second, frozen_now, monkeypatch=monkeypatch, read=series
    )
    assert occurrences_of(result, uid_of(block))["title"].str.startswith("Moved ").sum() == 1


def test_one_series_deleted_from_a_generated_calendar(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = generated(frozen_now)
    recent = f"{frozen_now - timedelta(days=40):%Y%m%d}"  # a series inside the feed's one-off span

    def recent_series(text: str) -> bool:
        start = re.search(r"^DTSTART[^:\r\n]*:(\d{8})", text, re.MULTILINE)
        return "RRULE" in text and start is not None and start.group(1) > recent

    uid = uid_of(pick(first, recent_series, 4))
    second = first
    for block in blocks(first):
        if uid_of(block) == uid:
            second = second.replace(block.encode(), b"")
    result = check_incremental(tmp_path, feed, expanded, first, second, frozen_now, monkeypatch=monkeypatch, read=0)
    assert occurrences_of(result, uid).empty


def test_one_series_added_to_a_generated_calendar(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = generated(frozen_now)
    added = event("new-series@test", MONDAY - timedelta(weeks=6), 1.5, "Reading group", rrule="FREQ=WEEKLY;COUNT=12")
    second = first.replace(b"END:VCALENDAR", (added + "\r\nEND:VCALENDAR").encode())
    result = check_incremental(tmp_path, feed, expanded, first, second, frozen_now, monkeypatch=monkeypatch, read=1)
    assert len(occurrences_of(result, "new-series@test")) == 12


def occurrences_of(frame: pd.DataFrame, uid: str) -> pd.DataFrame:
    return frame[frame["uid"] == uid]


# ---------------------------------------------------------------------------------------------
# Hand-made calendars


def weekly(uid: str = "weekly", hours: float = 1.0, title: str = "Weekly sync") -> str:
    return event(uid, MONDAY - timedelta(weeks=10), hours, title, rrule="FREQ=WEEKLY;COUNT=14")


def moved_instance(start: datetime, title: str = "Weekly sync (moved)") -> str:
    original = MONDAY - timedelta(weeks=3)
    return event("weekly", start, 2.0, title).replace(
        "BEGIN:VEVENT\r\n", f"BEGIN:VEVENT\r\nRECURRENCE-ID:{original:%Y%m%dT%H%M%SZ}\r\n"
    )


def singles(count: int = 6) -> list[str]:
    return [event(f"single-{n}", MONDAY - timedelta(weeks=n, hours=-2), 2.0, "Workshop") for n in range(count)]


@pytest.mark.parametrize(
    ("change", "read", "fresh"),
    [
        (lambda: calendar(weekly(), moved_instance(MONDAY - timedelta(weeks=3, hours=-4)), *singles()), 2, True),
        (lambda: calendar(weekly(hours=1.5), *singles()), 1, True),
        (lambda: calendar(*singles()), 0, False),  # its weeks before the first one-off stay
        (lambda: calendar(weekly(), *singles()[:3], *singles()[4:]), 0, True),
        (lambda: calendar(weekly(), weekly("other", 0.5, "Other"), *singles()), 1, True),
        (lambda: calendar(weekly(), *singles(), name="Renamed"), 7, True),  # the calendar's own lines: read whole
    ],
    ids=["instance-moved", "series-longer", "series-deleted", "single-deleted", "series-added", "header-changed"],
)
def test_hand_made_changes(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime, monkeypatch: pytest.MonkeyPatch,
    change: Callable[[], bytes], read: int, fresh: bool,
) -> None:
    first = calendar(weekly(), *singles())
    check_incremental(tmp_path, feed, expanded, first, change(), frozen_now, monkeypatch=monkeypatch, read=read, fresh=fresh)


def test_only_a_new_stamp_changes_nothing(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime
) -> None:
    """Google stamps every event with the time of the request (DTSTAMP): no event is re-read for it."""
    engine = store.open_engine(f"sqlite:///{tmp_path / 'stamp'}.db")
    try:
        feed.answer = Answer(body=calendar(weekly(), *singles()))
        live.subscribe(engine, feed.url, tz=UTC_ZONE, settings=SETTINGS, now=frozen_now)
        restamped = re.sub(rb"DTSTAMP:\d{8}T\d{6}Z", b"DTSTAMP:20261123T120000Z", calendar(weekly(), *singles()))
        feed.answer = Answer(body=restamped)
        (report,) = live.sync(engine, tz=UTC_ZONE, settings=SETTINGS, now=frozen_now)
        assert report.status == "unchanged" and len(expanded) == 1
    finally:
        engine.dispose()


def test_a_windowed_feed_keeps_past_weeks_when_read_in_part(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed drops its oldest one-off events and changes one: the result is the whole-file sync's."""
    first = calendar(weekly(), *singles(8))
    kept = singles(8)[:5]
    kept[1] = kept[1].replace("Workshop", "Workshop (longer)").replace("T130000Z", "T150000Z")
    result = check_incremental(
        tmp_path, feed, expanded, first, calendar(weekly(), *kept), frozen_now, monkeypatch=monkeypatch, read=1,
        fresh=False,
    )
    assert set(result["uid"]) >= {"single-5", "single-6", "single-7"}  # before the feed's span: kept


def test_an_earlier_event_reads_the_whole_file(
    tmp_path: Path, feed: FeedServer, expanded: list[int], frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-off event before the feed's earliest one moves its span back: the whole file is read.

    (Events the feed dropped before may lie in the span now; only the whole file says which.)
    """
    first = calendar(weekly(), *singles(3))
    earliest = event("early", MONDAY - timedelta(weeks=8), 1.0, "Early")
    check_incremental(
        tmp_path, feed, expanded, first, calendar(weekly(), *singles(3), earliest), frozen_now,
        monkeypatch=monkeypatch, read=5, fresh=False,
    )
