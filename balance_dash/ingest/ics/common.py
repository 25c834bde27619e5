"""Small pieces shared by the .ics reader modules: the issue record (from `ingest.issues`) and time conversions."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, tzinfo

from balance_dash.ingest.issues import ISSUE_SKIPPED, ISSUE_WARNING, IngestIssue

__all__ = ["ISSUE_SKIPPED", "ISSUE_WARNING", "IngestIssue"]  # re-exported: the readers' issue record


def is_date_only(value: object) -> bool:
    """True for a `date` that is not a `datetime` (an all-day value)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def to_aware(value: date | datetime, tz: tzinfo) -> datetime:
    """An aware datetime: floating times and dates are read as wall-clock time in `tz`."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(), tzinfo=tz)


def to_utc(value: date | datetime, tz: tzinfo) -> datetime:
    return to_aware(value, tz).astimezone(UTC)


def recurrence_key_of(value: date | datetime, tz: tzinfo) -> str:
    """The stable identity of one instance: its original start in UTC, or its date for all-day series."""
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    return to_utc(value, tz).strftime("%Y%m%dT%H%M%SZ")


def shift_years(moment: datetime, years: int) -> datetime:
    """`moment` moved by whole calendar years (29 February becomes 28 February)."""
    year = min(max(moment.year + years, 1), 9999)
    try:
        return moment.replace(year=year)
    except ValueError:
        return moment.replace(year=year, day=28)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for a block that builds a great many objects.

    Parsing and expanding make millions of small objects and no garbage cycles; every automatic
    collection would walk all of them again (about a tenth of the parse time on a large file).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
