""".ics bytes -> a DataFrame of occurrences and a list of issues. Pure: no database, no Streamlit.

Time semantics follow PRODUCT.md section 3: recurrence is expanded in each event's own zone;
floating times, unknown TZIDs and all-day dates are read in the user's zone `tz`; timed
occurrences become UTC instants, all-day ones local calendar days. The work is split into
`ics.parse` (bytes -> usable components), `ics.rules` (RRULE repair and bounds) and
`ics.expand` (components -> rows).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from balance_dash.errors import BalanceDashError, CalendarError, InvalidValueError
from balance_dash.ingest import limits
from balance_dash.ingest.ics.common import IngestIssue, gc_paused, shift_years
from balance_dash.ingest.ics.expand import Rows, expand_events
from balance_dash.ingest.ics.parse import PARSE_LOCK, EventRecord, collect_events, decode_text
from balance_dash.ingest.ics.rules import rules_of

__all__ = ["OCCURRENCE_COLUMNS", "IngestIssue", "ParsedCalendar", "read_ics"]

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
            parsed = collect_events(text, file_name, tz)
            issues.extend(parsed.issues)
            issues.extend(
                limits.duplicate_uid_notes(
                    [record.uid for record in parsed.events],
                    [record.component.get("RECURRENCE-ID") is not None for record in parsed.events],
                )
            )
            report(0.3, "expanding recurring events")
            earliest = min((record.start_utc for record in parsed.events), default=None)
            window = _choose_window(earliest, now, since, until, history_years, future_years)
            issues.extend(limits.outside_window_note(_singles(parsed.events), window))
            rows = expand_events(
                parsed.events,
                window=window,
                tz=tz,
                max_occurrences=max_occurrences,
                file_name=file_name,
                issues=issues,
                progress=lambda done, total: report(0.3 + 0.6 * done / max(total, 1), "expanding recurring events"),
            )
            frame = _build_frame(rows)
            before, after = _outside_window(parsed.events, set(rows.uid), window)
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
    cancelled = frame["cancelled"].to_numpy(dtype=bool)
    return ParsedCalendar(
        name=parsed.name,
        frame=frame[~cancelled].drop(columns="cancelled").reset_index(drop=True),
        issues=tuple(issues),
        event_count=parsed.event_count,
        cancelled=rows.cancelled,
        window=window,
        cancelled_frame=frame[cancelled].drop(columns="cancelled").reset_index(drop=True),
        events_before=before,
        events_after=after,
        starts_by_uid=_starts_by_uid(parsed.events),
    )


def _starts_by_uid(records: list[EventRecord]) -> dict[str, datetime]:
    starts: dict[str, datetime] = {}
    for record in records:
        starts[record.uid] = min(record.start_utc, starts.get(record.uid, record.start_utc))
    return starts


def _outside_window(
    events: list[EventRecord], expanded: set[str], window: tuple[datetime, datetime]
) -> tuple[int, int]:
    """How many events (by UID) gave no occurrence in the window because they lie before or after it."""
    before: set[str] = set()
    after: set[str] = set()
    for record in events:
        if record.uid in expanded:
            continue
        if record.start_utc >= window[1]:
            after.add(record.uid)
        elif record.start_utc < window[0]:
            before.add(record.uid)
    return len(before - after), len(after)
def _singles(records: list[EventRecord]) -> list[tuple[str, datetime, timedelta]]:
    """Title, UTC start and length of each event that neither recurs nor overrides an instance."""
    return [
        (record.title, record.start_utc, record.duration)
        for record in records
        if not rules_of(record.component)
        and record.component.get("RDATE") is None
        and record.component.get("RECURRENCE-ID") is None
    ]


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


def _choose_window(
    earliest: datetime | None,
    now: datetime,
    since: datetime | None,
    until: datetime | None,
    history_years: int,
    future_years: int,
) -> tuple[datetime, datetime]:
    now = now.astimezone(UTC)
    end = until.astimezone(UTC) if until is not None else shift_years(now, future_years)
    if since is not None:
        return since.astimezone(UTC), end
    floor = shift_years(now, -history_years)
    start = floor if earliest is None else max(earliest, floor)
    return min(start, end), end


def _build_frame(rows: Rows) -> pd.DataFrame:
    """The occurrence frame, built from column lists in one go and ordered deterministically."""
    all_day = np.asarray(rows.all_day, dtype=bool)
    start_utc = _instants(rows.start)
    day_start = np.asarray(rows.day_start, dtype="datetime64[D]")
    frame = pd.DataFrame(
        {
            "uid": pd.Series(rows.uid, dtype=object),
            "recurrence_key": _recurrence_keys(rows.recurrence_key, start_utc, day_start, all_day),
            "title": pd.Series(rows.title, dtype=object),
            "location": pd.Series(rows.location, dtype=object),
            "description": pd.Series(rows.description, dtype=object),
            "all_day": all_day,
            "start_utc": start_utc,
            "end_utc": _instants(rows.end),
            "day_start": day_start.astype("datetime64[s]"),
            "day_end": np.asarray(rows.day_end, dtype="datetime64[D]").astype("datetime64[s]"),
            "transparent": np.asarray(rows.transparent, dtype=bool),
            "busy_status": pd.Series(rows.busy_status, dtype=object),
            "organizer": pd.Series(rows.organizer, dtype=object),
            "attendees": pd.Series(rows.attendees, dtype=object),
            "cancelled": np.asarray(rows.is_cancelled, dtype=bool),
        }
    )
    order = ["start_utc", "day_start", "uid", "recurrence_key"]
    duplicated = frame.duplicated(["uid", "recurrence_key"])
    if duplicated.any():
        order += ["title", "location", "description", "end_utc", "day_end"]
    frame = frame.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)
    if duplicated.any():
        # Only genuinely duplicated components give two rows one identity: number the later
        # ones so that (uid, recurrence_key) stays unique and stable across imports.
        rank = frame.groupby(["uid", "recurrence_key"], sort=False).cumcount()
        later = rank > 0
        frame.loc[later, "recurrence_key"] = (
            frame.loc[later, "recurrence_key"] + "#" + (rank[later] + 1).astype(str)
        )
    return frame


def _instants(seconds: list[float]) -> pd.Series:
    """POSIX seconds (NaN for none) -> datetime64[us, UTC]; iCalendar times are whole seconds."""
    values = np.asarray(seconds, dtype=float)
    missing = np.isnan(values)
    whole = np.where(missing, 0.0, np.round(values)).astype("int64")
    instants = (whole * 1_000_000).astype("datetime64[us]")
    instants[missing] = np.datetime64("NaT")
    return pd.Series(instants).dt.tz_localize("UTC")


def _recurrence_keys(
    keys: list[str | None], start_utc: pd.Series, day_start: np.ndarray, all_day: np.ndarray
) -> pd.Series:
    """Fill the keys left as None with the occurrence's own start, formatted in one pass."""
    result = np.asarray(keys, dtype=object)
    derive = pd.isna(result)
    timed = derive & ~all_day
    if timed.any():
        text = np.datetime_as_string(start_utc.to_numpy(dtype="datetime64[s]")[timed], unit="s")
        compact = np.char.replace(np.char.replace(text, "-", ""), ":", "")
        result[timed] = np.char.add(compact, np.full(compact.shape, "Z"))
    dated = derive & all_day
    if dated.any():
        result[dated] = np.char.replace(np.datetime_as_string(day_start[dated], unit="D"), "-", "")
    return pd.Series(result, dtype=object)
