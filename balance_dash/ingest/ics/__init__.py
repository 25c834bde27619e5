""".ics bytes -> a DataFrame of occurrences and a list of issues. Pure: no database, no Streamlit.

Time semantics follow PRODUCT.md section 3: recurrence is expanded in each event's own zone;
floating times, unknown TZIDs and all-day dates are read in the user's zone `tz`; timed
occurrences become UTC instants, all-day ones local calendar days. The work is split into
`ics.parse` (bytes -> usable components), `ics.rules` (RRULE repair and bounds) and
`ics.expand` (components -> rows).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from balance_dash.errors import BalanceDashError, CalendarError, InvalidValueError
from balance_dash.ingest import limits
from balance_dash.ingest.ics import parallel
from balance_dash.ingest.ics.common import IngestIssue, gc_paused, shift_years
from balance_dash.ingest.ics.expand import expand_events
from balance_dash.ingest.ics.frame import (
    Expanded,
    ordered_frame,
    outside_window,
    rows_frame,
    singles,
    starts_by_uid,
)
from balance_dash.ingest.ics.parse import PARSE_LOCK, collect_events, decode_text
from balance_dash.ingest.ics.split import EventHashes, split_feed

__all__ = ["OCCURRENCE_COLUMNS", "READER_VERSION", "IngestIssue", "ParsedCalendar", "choose_window", "read_ics"]

# Raise when the same bytes would now read as different rows: a re-import then reads every
# stored file again instead of trusting what its last read saw (workflows.calendars).
READER_VERSION = 1

OCCURRENCE_COLUMNS = (
    "uid",
    "recurrence_key",
    "title",
    "location",
    "description",
    "all_day",
    "start_utc",
    "end_utc",
    "day_start",
    "day_end",
    "transparent",
    "busy_status",
    "organizer",
    "attendees",
)


@dataclass(frozen=True)
class ParsedCalendar:
    """One .ics file, expanded over `window`."""

    name: str | None  # X-WR-CALNAME if present
    frame: pd.DataFrame  # columns OCCURRENCE_COLUMNS, one row per occurrence, cancelled ones left out
    issues: tuple[IngestIssue, ...]
    event_count: int  # VEVENT components read
    cancelled: int  # occurrences left out because STATUS:CANCELLED
    window: tuple[datetime, datetime]  # aware UTC, half-open, the expansion window actually used
    # The cancelled occurrences (same columns): stored apart so a week can say what it left out.
    cancelled_frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    events_before: int = 0  # events with no occurrence in the window, all of them before it
    events_after: int = 0  # ... all of them after it
    # Per UID, the earliest start (UTC) of its events: what the window's start is chosen from.
    starts_by_uid: dict[str, datetime] = field(default_factory=dict)
    # Per UID with no occurrence in the window: "before" or "after" it (what events_before/after count).
    outside_by_uid: dict[str, str] = field(default_factory=dict)
    # `hash_events`: the hashes of the calendar's own lines and of each UID's events (ics.split);
    # None when the file does not split.
    event_hashes: EventHashes | None = None


def read_ics(
    data: bytes,
    *,
    file_name: str,
    tz: ZoneInfo,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    max_occurrences: int = 500_000,
    history_years: int = 10,
    future_years: int = 1,
    progress: Callable[[float, str], None] | None = None,
    seconds: float | None = None,
    max_event_days: int | None = None,
    hash_events: bool = False,
) -> ParsedCalendar:
    """Read one .ics file and expand it over the window.

    `progress(fraction, stage)` reports how far it got, for a progress bar on long imports.

    The window is `since`/`until` when given (aware), else from the earliest DTSTART (at most
    `history_years` before `now`) to `now + future_years`. Occurrences overlapping it are kept
    whole. Raises CalendarError for a file that cannot be read at all, LimitError when it would
    expand to more than `max_occurrences` or takes longer than `seconds`, InvalidValueError for
    bad arguments. What the libraries would loop on is refused before parsing (`limits`);
    occurrences longer than `max_event_days` are cut to that length with a note.
    """
    _check_arguments(
        now=now,
        since=since,
        until=until,
        max_occurrences=max_occurrences,
        years=(history_years, future_years),
    )
    report = progress or (lambda fraction, stage: None)
    report(0.0, "reading")
    text, issues = decode_text(data, file_name)
    limits.check_text(text, file_name)
    # One file at a time: icalendar's time zone table and the warnings filter are process-wide.
    budget = limits.file_budget(file_name, seconds) if seconds else contextlib.nullcontext()
    with budget, PARSE_LOCK, gc_paused():
        try:
            expanded = None
            in_parts = parallel.worth_it(text)
            split = split_feed(text) if in_parts or hash_events else None
            if in_parts and split is not None:
                expanded = parallel.read_in_parts(
                    split, file_name=file_name, tz=tz, window_of=functools.partial(
                        choose_window, now=now, since=since, until=until, history_years=history_years,
                        future_years=future_years,
                    ),
                    max_occurrences=max_occurrences, report=report,
                )
            if expanded is None:
                expanded = _read_whole(
                    text, file_name=file_name, tz=tz, max_occurrences=max_occurrences, report=report,
                    window_of=functools.partial(
                        choose_window, now=now, since=since, until=until, history_years=history_years,
                        future_years=future_years,
                    ),
                )
            issues.extend(expanded.issues)
            frame = ordered_frame(expanded.frame)
            if max_event_days is not None:
                frame, notes = limits.clip_long_events(frame, max_event_days)
                issues.extend(notes)
            report(0.9, "storing")
        except (BalanceDashError, MemoryError):
            raise
        except Exception as exc:  # a library failure we did not foresee must still read as a message
            raise CalendarError(
                f"the calendar could not be read ({type(exc).__name__}: {exc}); nothing was imported.",
                path=file_name,
            ) from exc
    window = expanded.window
    outside = expanded.outside
    cancelled = frame["cancelled"].to_numpy(dtype=bool)
    return ParsedCalendar(
        name=expanded.name,
        frame=frame[~cancelled].drop(columns="cancelled").reset_index(drop=True),
        issues=tuple(issues),
        event_count=expanded.event_count,
        cancelled=expanded.cancelled,
        window=window,
        cancelled_frame=frame[cancelled].drop(columns="cancelled").reset_index(drop=True),
        events_before=sum(side == "before" for side in outside.values()),
        events_after=sum(side == "after" for side in outside.values()),
        starts_by_uid=expanded.starts_by_uid,
        outside_by_uid=outside,
        event_hashes=split.event_hashes() if hash_events and split is not None else None,
    )


def _read_whole(
    text: str,
    *,
    file_name: str,
    tz: ZoneInfo,
    max_occurrences: int,
    report: Callable[[float, str], None],
    window_of: Callable[[datetime | None], tuple[datetime, datetime]],
) -> Expanded:
    """Parse and expand the whole text in this process."""
    parsed = collect_events(text, file_name, tz)
    issues = list(parsed.issues)
    issues.extend(
        limits.duplicate_uid_notes(
            [record.uid for record in parsed.events],
            [record.component.get("RECURRENCE-ID") is not None for record in parsed.events],
        )
    )
    report(0.3, "expanding recurring events")
    earliest = min((record.start_utc for record in parsed.events), default=None)
    window = window_of(earliest)
    issues.extend(limits.outside_window_note(singles(parsed.events), window))
    rows = expand_events(
        parsed.events,
        window=window,
        tz=tz,
        max_occurrences=max_occurrences,
        file_name=file_name,
        issues=issues,
        progress=lambda done, total: report(0.3 + 0.6 * done / max(total, 1), "expanding recurring events"),
    )
    return Expanded(
        name=parsed.name,
        event_count=parsed.event_count,
        frame=rows_frame(rows),
        cancelled=rows.cancelled,
        window=window,
        outside=outside_window(parsed.events, set(rows.uid), window),
        starts_by_uid=starts_by_uid(parsed.events),
        issues=issues,
    )


def _check_arguments(
    *,
    now: datetime,
    since: datetime | None,
    until: datetime | None,
    max_occurrences: int,
    years: tuple[int, int],
) -> None:
    for label, value in (("now", now), ("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidValueError(f"{label} must carry a time zone (got {value.isoformat()}).")
    if since is not None and until is not None and since >= until:
        raise InvalidValueError(f"since ({since.isoformat()}) must be before until ({until.isoformat()}).")
    if max_occurrences < 1:
        raise InvalidValueError(f"max_occurrences must be at least 1 (got {max_occurrences}).")
    if min(years) < 0:
        raise InvalidValueError(f"history_years and future_years must not be negative (got {years}).")


def choose_window(
    earliest: datetime | None,
    now: datetime,
    since: datetime | None,
    until: datetime | None,
    history_years: int,
    future_years: int,
) -> tuple[datetime, datetime]:
    """The expansion window (aware UTC, half-open): `since`/`until` when given, else from the
    earliest start (at most `history_years` back) to `future_years` after `now`."""
    now = now.astimezone(UTC)
    end = until.astimezone(UTC) if until is not None else shift_years(now, future_years)
    if since is not None:
        return since.astimezone(UTC), end
    floor = shift_years(now, -history_years)
    start = floor if earliest is None else max(earliest, floor)
    return min(start, end), end
