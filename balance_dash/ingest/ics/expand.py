"""Parsed events -> occurrence rows, via recurring-ical-events, bounded by the window and a limit.

Occurrences are read straight from the library's `Series.between()` (start, end, UID,
recurrence ids); the text fields come from our own index of the components. Asking the library
for a copied component per occurrence (`CalendarQuery.between()`) costs several times the
expansion itself.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from recurring_ical_events.util import to_recurrence_ids

from balance_dash.errors import LimitError
from balance_dash.ingest import limits
from balance_dash.ingest.ics.common import (
    ISSUE_SKIPPED,
    IngestIssue,
    is_date_only,
    recurrence_key_of,
    to_aware,
)
from balance_dash.ingest.ics.parse import EventRecord
from balance_dash.ingest.ics.people import People
from balance_dash.ingest.ics.rules import rules_of, series_bounds

Progress = Callable[[int, int], None]  # (series expanded, series in all)

# Above this many rule steps (counted from DTSTART, before the window too) a series is left out:
# the library would iterate for minutes. Real calendars stay far below (daily for 50 years: 18k).
MAX_RULE_STEPS = 2_000_000
# A series that may make more instances than this is expanded in time slices, so that the
# occurrence limit stops it early instead of after building everything.
SLICE_TARGET = 50_000


@dataclass(frozen=True)
class _Source:
    """What an occurrence takes from the component it comes from."""

    title: str
    location: str
    description: str
    cancelled: bool
    people: People
    override_key: str | None = None  # a plain override: the key of its RECURRENCE-ID
    move: timedelta | None = None  # RANGE=THISANDFUTURE: how far later instances moved


@dataclass
class _SeriesInfo:
    records: list[EventRecord] = field(default_factory=list)
    core: _Source | None = None
    core_sequence: int = -(10**9)
    overrides: dict[tuple[Any, ...], tuple[int, _Source]] = field(default_factory=dict)
    recurring: bool = False


@dataclass
class Rows:
    """Occurrence columns as plain lists, turned into a frame in one go.

    `start`/`end` are POSIX seconds (NaN for all-day rows); a `recurrence_key` of None means
    "the occurrence's own start", formatted later for all rows at once.
    """

    uid: list[str] = field(default_factory=list)
    recurrence_key: list[str | None] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    location: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    all_day: list[bool] = field(default_factory=list)
    start: list[float] = field(default_factory=list)
    end: list[float] = field(default_factory=list)
    day_start: list[date | None] = field(default_factory=list)
    day_end: list[date | None] = field(default_factory=list)
    transparent: list[bool] = field(default_factory=list)
    busy_status: list[str] = field(default_factory=list)
    organizer: list[str] = field(default_factory=list)
    attendees: list[str] = field(default_factory=list)
    is_cancelled: list[bool] = field(default_factory=list)  # STATUS:CANCELLED rows, kept apart later
    cancelled: int = 0


def _text(component: icalendar.Component, name: str, limit: int) -> str:
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value)[:limit]


def _sequence(component: icalendar.Component) -> int:
    try:
        return int(component.get("SEQUENCE", -1))
    except (TypeError, ValueError):
        return -1


def _index_series(records: list[EventRecord], tz: ZoneInfo) -> dict[str, _SeriesInfo]:
    """Per UID: the master's and each override's text, mirroring which one the library keeps."""
    infos: dict[str, _SeriesInfo] = defaultdict(_SeriesInfo)
    for record in records:
        component = record.component
        info = infos[record.uid]
        info.records.append(record)
        status = (
            str(component.get("STATUS", "")).strip().upper()
            if not isinstance(component.get("STATUS"), list)
            else ""
        )
        texts = (
            record.title,
            _text(component, "LOCATION", 500),
            record.people.description
            if record.people.description is not None
            else _text(component, "DESCRIPTION", 2000),
            status == "CANCELLED",
            record.people,
        )
        sequence = _sequence(component)
        if rules_of(component) or component.get("RDATE") is not None:
            info.recurring = True
        recurrence_id = component.get("RECURRENCE-ID")
        if recurrence_id is None:
            if sequence > info.core_sequence:  # ties: the first one wins, as in the library
                info.core, info.core_sequence = _Source(*texts), sequence
            continue
        info.recurring = True
        original = recurrence_id.dt
        move = None
        if recurrence_id.params.get("RANGE", "").upper() == "THISANDFUTURE":
            move = to_aware(record.start, tz) - to_aware(original, tz)
        source = _Source(*texts, override_key=recurrence_key_of(original, tz), move=move)
        ids = to_recurrence_ids(original)
        if ids not in info.overrides or sequence > info.overrides[ids][0]:
            info.overrides[ids] = (sequence, source)
    return infos


def _calendar_of(records: list[EventRecord]) -> icalendar.Calendar:
    """A calendar holding the records' events, for a query of the library."""
    calendar = icalendar.Calendar()
    for record in records:
        calendar.add_component(record.component)
    return calendar


def _build_series(records: list[EventRecord], issues: list[IngestIssue]) -> list[Any]:
    """The library's series, one per UID; series it cannot build are reported, not fatal."""
    try:
        series = list(recurring_ical_events.of(_calendar_of(records), skip_bad_series=True).series)
    except Exception:
        series = []  # one series broke the whole query: build them one UID at a time
        by_uid: dict[str, list[EventRecord]] = defaultdict(list)
        for record in records:
            by_uid[record.uid].append(record)
        for group in by_uid.values():
            series.extend(_series_of_group(group, issues))
        return series
    built = {str(item.uid) for item in series}
    missing: dict[str, list[EventRecord]] = defaultdict(list)
    for record in records:
        if record.uid not in built:
            missing[record.uid].append(record)
    for group in missing.values():
        _report_unbuildable(group, issues)
    return series


def _series_of_group(group: list[EventRecord], issues: list[IngestIssue]) -> list[Any]:
    try:
        series = list(recurring_ical_events.of(_calendar_of(group), skip_bad_series=True).series)
    except Exception as exc:
        _report_unbuildable(group, issues, exc)
        return []
    if not series:
        _report_unbuildable(group, issues)
    return series


def _report_unbuildable(
    group: list[EventRecord], issues: list[IngestIssue], error: Exception | None = None
) -> None:
    if error is None:  # ask the library once more without skipping, to learn its reason
        try:
            recurring_ical_events.of(_calendar_of(group))
        except Exception as exc:
            error = exc
    reason = (
        (str(error).strip() or type(error).__name__)
        if error is not None
        else "the recurrence library rejected it"
    )
    issues.append(_skipped(group[0], f"The recurrence of this series cannot be computed ({reason}); the series was skipped."))


def _skipped(first: EventRecord, message: str) -> IngestIssue:
    """The issue that says the series of `first` (its master or first record) was skipped, at its line."""
    return IngestIssue(ISSUE_SKIPPED, message, first.uid, first.title or None, first.line)


def _slices(window: tuple[datetime, datetime], bound: float) -> list[tuple[datetime, datetime]]:
    start, end = window
    count = max(1, min(math.ceil(bound / SLICE_TARGET), 100_000))
    step = (end - start) / count
    edges = [start + step * i for i in range(count)] + [end]
    return list(itertools.pairwise(edges))


def limit_error(file_name: str, limit: int, window: tuple[datetime, datetime]) -> LimitError:
    return LimitError(
        f"{file_name}: the calendar expands to more than {limit:,} occurrences between "
        f"{window[0]:%Y-%m-%d} and {window[1]:%Y-%m-%d}; nothing was imported.",
        hint="Import a shorter period (since/until), or raise the occurrence limit in the settings.",
    )


def expand_events(
    records: list[EventRecord],
    *,
    window: tuple[datetime, datetime],
    tz: ZoneInfo,
    max_occurrences: int,
    file_name: str,
    issues: list[IngestIssue],
    progress: Progress | None = None,
) -> Rows:
    """Expand every series over the window (aware UTC, half-open) into rows.

    `progress(done, total)` is called as series finish, for a progress bar on long imports.
    """
    rows = Rows()
    if window[0] >= window[1] or not records:
        return rows
    infos = _index_series(records, tz)
    # The span is given in the user's zone: the library then reads floating times and all-day
    # dates as wall-clock time there, which is what the product promises.
    span = (window[0].astimezone(tz), window[1].astimezone(tz))
    plans = []
    for series in _build_series(records, issues):
        info = infos.get(str(series.uid))
        if info is None or not info.records:
            continue
        bounds = series_bounds([(r.component, r.start_utc, r.duration) for r in info.records], window, tz)
        plans.append((series, info, bounds))
    # Refuse before expanding anything when the plain rules alone already pass the limit.
    if sum(bounds.least for _, _, bounds in plans) > max_occurrences:
        raise limit_error(file_name, max_occurrences, window)
    total = 0
    for index, (series, info, bounds) in enumerate(plans):
        if progress is not None and index % 50 == 0:
            progress(index, len(plans))
        first = info.records[0]
        if bounds.steps > MAX_RULE_STEPS:
            issues.append(_skipped(
                first,
                f"The series repeats so often (up to {bounds.steps:,.0f} times since {first.start}) that it cannot be expanded; the series was skipped.",
            ))
            continue
        occurrences: list[Any] = []
        try:
            with limits.series_budget(first.title or first.uid, occurrences.__len__):
                for number, (slice_start, slice_end) in enumerate(_slices(span, bounds.most)):
                    found = list(series.between(slice_start, slice_end))
                    if number:  # an occurrence crossing a slice edge was already taken from the slice before
                        found = [o for o in found if to_aware(o.start, tz) >= slice_start]
                    occurrences.extend(found)
                    if total + len(occurrences) > max_occurrences:
                        break
        except Exception as exc:
            _report_unbuildable(info.records, issues, exc)
            continue
        total += len(occurrences)
        if total > max_occurrences:
            raise limit_error(file_name, max_occurrences, window)
        _add_rows(rows, occurrences, info, str(series.uid), tz)
    return rows


def _add_rows(rows: Rows, occurrences: list[Any], info: _SeriesInfo, uid: str, tz: ZoneInfo) -> None:
    default = info.core or next(iter(info.overrides.values()))[1]
    nan = math.nan
    for occurrence in occurrences:
        ids = occurrence.recurrence_ids
        source = info.overrides[ids][1] if ids and ids in info.overrides else default
        if source.cancelled:
            rows.cancelled += 1
        start, end = occurrence.start, occurrence.end
        key: str | None
        if source.move is not None:
            key = recurrence_key_of(start - source.move, tz)
        elif ids and source.override_key is not None:
            key = source.override_key
        else:
            key = None if info.recurring else ""
        rows.uid.append(uid)
        rows.recurrence_key.append(key)
        rows.title.append(source.title)
        rows.location.append(source.location)
        rows.description.append(source.description)
        people = source.people
        rows.transparent.append(people.transparent)
        rows.busy_status.append(people.busy_status)
        rows.organizer.append(people.organizer)
        rows.attendees.append(people.attendees)
        rows.is_cancelled.append(source.cancelled)
        if is_date_only(start):
            last = end if is_date_only(end) else end.date() + timedelta(days=1 if end.time() != time() else 0)
            rows.all_day.append(True)
            rows.start.append(nan)
            rows.end.append(nan)
            rows.day_start.append(start)
            # DTEND equal to DTSTART is invalid (RFC 5545 3.6.1) but means "that day".
            rows.day_end.append(last if last > start else start + timedelta(days=1))
        else:
            rows.all_day.append(False)
            rows.start.append(to_aware(start, tz).timestamp())
            rows.end.append(to_aware(end, tz).timestamp())
            rows.day_start.append(None)
            rows.day_end.append(None)
