"""Bytes -> parsed VEVENT components that the recurrence library can expand safely.

Everything here reads; nothing expands. Events that cannot be used are reported as issues and
left out, so that one bad event never costs the user the rest of the calendar.
"""

from __future__ import annotations

import hashlib
import re
import threading
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from icalendar.prop import vBroken

from balance_dash.errors import CalendarError
from balance_dash.ingest.ics.common import (
    ISSUE_SKIPPED,
    ISSUE_WARNING,
    IngestIssue,
    is_date_only,
    to_utc,
)
from balance_dash.ingest.ics.people import People, people_of
from balance_dash.ingest.ics.rules import repair_rrules
from balance_dash.ingest.ics.skim import skim
from balance_dash.ingest.ics.zones import pin_unknown_zones, standardise, zone_notes

# icalendar keeps one process-wide table of VTIMEZONE definitions (first definition wins), so
# parsing is serialised and the table is reset before each file (see read_components).
PARSE_LOCK = threading.RLock()

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_HINT = "Export the calendar again from its app, or open the file in a text editor to check that line."
_TEXT_LIMITS = {"SUMMARY": 500, "LOCATION": 500, "DESCRIPTION": 2000}


@dataclass
class EventRecord:
    """One usable VEVENT and what the expansion step needs to know about it."""

    component: icalendar.Component
    uid: str
    title: str
    line: int | None
    start: date | datetime
    start_utc: datetime
    duration: timedelta
    people: People  # availability and attendance (ics.people)


@dataclass
class ParsedFile:
    name: str | None
    events: list[EventRecord]
    event_count: int
    issues: list[IngestIssue] = field(default_factory=list)


def decode_text(data: bytes, file_name: str) -> tuple[str, list[IngestIssue]]:
    """Text of the file: UTF-8 (with or without BOM), UTF-16 with BOM, else Latin-1 with a warning."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise CalendarError(
                "the file claims to be UTF-16 but is not; nothing was imported.", path=file_name
            ) from exc
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        warning = IngestIssue(
            ISSUE_WARNING,
            "The file is not UTF-8; it was read as Latin-1 (ISO 8859-1), so check accented letters in titles.",
        )
        return data.decode("latin-1"), [warning]


def physical_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _line_of(lines: list[str], message: str) -> int | None:
    """Best guess at the line an icalendar error message is about (it names the text, not the line)."""
    snippets = [s for s in re.findall(r"'([^']+)'", message) if s.strip()]
    last_word = message.rsplit(maxsplit=1)[-1] if message.strip() else ""
    if len(last_word) > 2:
        snippets.append(last_word)
    for snippet in snippets:
        for number, line in enumerate(lines, start=1):
            if snippet in line:
                return number
    return None


def read_components(
    text: str, file_name: str
) -> tuple[list[icalendar.Component], list[IngestIssue], list[People | None] | None]:
    """Strict parse into top-level components; a file that cannot be read raises CalendarError.

    Also returns the people of each VEVENT in file order as the skim read them (None when the
    text was parsed as it is: then every event still has its own lines).
    """
    lines = physical_lines(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if not first:
        raise CalendarError("the file is empty; nothing was imported.", path=file_name)
    if not first.upper().startswith("BEGIN:"):
        shown = first if len(first) <= 60 else first[:57] + "..."
        raise CalendarError(
            f"this is not an iCalendar file: it should start with BEGIN:VCALENDAR, but reads '{shown}'; nothing was imported.",
            path=file_name,
            line=next(n for n, line in enumerate(lines, start=1) if line.strip()),
            hint="Choose the .ics file your calendar app exports.",
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        icalendar.use_zoneinfo()  # type: ignore[no-untyped-call]  # resets the VTIMEZONE cache: no custom zone leaks between files
        try:
            components, people = _parse_skimmed(text)
        except Exception as exc:
            reason = str(exc).strip() or type(exc).__name__
            raise CalendarError(
                f"the file is not valid iCalendar ({reason}); nothing was imported.",
                path=file_name,
                line=_line_of(lines, reason),
                hint=_HINT,
            ) from exc
    if not components:
        raise CalendarError(
            "the file ends inside a calendar (END:VCALENDAR is missing, so it may be truncated); nothing was imported.",
            path=file_name,
            line=len(lines),
            hint="Export the calendar again; the download may have been cut short.",
        )
    notes = sorted({str(w.message) for w in caught if "TZID" in str(w.message)})
    return components, [IngestIssue(ISSUE_WARNING, note) for note in notes], people


def _parse_skimmed(text: str) -> tuple[list[icalendar.Component], list[People | None] | None]:
    """Parse without the parts the product never reads (ics.skim), after checking each distinct
    reminder block left out; should anything fail, parse the text as it is, so that a broken
    file is refused exactly as before, in icalendar's own words."""
    skimmed = skim(text)
    try:
        for alarm in skimmed.alarms:
            icalendar.Component.from_ical(alarm, multiple=True)
        components: list[icalendar.Component] = list(icalendar.Calendar.from_ical(skimmed.text, multiple=True))
    except Exception:
        return list(icalendar.Calendar.from_ical(text, multiple=True)), None
    events = sum(1 for component in components for _ in component.walk("VEVENT"))
    if events != len(skimmed.people):  # nesting the skim did not follow: read the text as it is
        return list(icalendar.Calendar.from_ical(text, multiple=True)), None
    return components, skimmed.people


def _text(component: icalendar.Component, name: str) -> str:
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value)[: _TEXT_LIMITS.get(name, 500)]


def _raw(value: Any) -> str:
    if isinstance(value, vBroken):
        return str(value)
    try:
        return bytes(value.to_ical()).decode("utf-8", "replace")
    except Exception:
        return str(value)


def _single(component: icalendar.Component, name: str) -> tuple[Any, str | None]:
    """The one value of a property that may appear at most once, or why it is unusable."""
    value = component.get(name)
    if isinstance(value, list):
        return None, f"it has {len(value)} {name} lines"
    if isinstance(value, vBroken):
        return None, f"{name} '{value}' cannot be read"
    return value, None


def _check_times(
    component: icalendar.Component, tz: ZoneInfo
) -> tuple[date | datetime | None, timedelta, str]:
    """DTSTART, the length of the event, and the reason it is unusable ("" when usable)."""
    prop = component.get("DTSTART")
    if prop is None:
        return None, timedelta(0), "it has no DTSTART"
    start_prop, reason = _single(component, "DTSTART")
    if reason:
        return None, timedelta(0), reason
    start = start_prop.dt
    if not isinstance(start, date):
        return None, timedelta(0), f"DTSTART '{_raw(start_prop)}' is not a date or date-time"
    duration = timedelta(days=1) if is_date_only(start) else timedelta(0)
    for name in ("DTEND", "DURATION", "RECURRENCE-ID"):
        prop, reason = _single(component, name)
        if reason:
            return None, duration, reason
        if prop is None or name == "RECURRENCE-ID":
            continue
        value = prop.dt
        try:
            if name == "DURATION":
                if not isinstance(value, timedelta):
                    return None, duration, f"DURATION '{_raw(prop)}' is not a duration"
                _ = start + value  # an absurd DURATION overflows here rather than inside the library
                duration = value
            elif isinstance(value, date):
                duration = to_utc(value, tz) - to_utc(start, tz)
            else:
                return None, duration, f"DTEND '{_raw(prop)}' is not a date or date-time"
        except (OverflowError, ValueError, TypeError):
            return None, duration, f"{name} '{_raw(prop)}' is out of range"
    return start, duration, ""


# An end typed before the start is read the way recurring-ical-events reads it, start and end
# swapped, when the event is short either way round; a longer one is more likely a mistyped
# year, which a swap would turn into months of hours.
MAX_SWAPPED_LENGTH = timedelta(days=1)


def _can_swap(component: icalendar.Component, duration: timedelta) -> bool:
    recurring = any(component.get(name) is not None for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
    return not recurring and -duration <= MAX_SWAPPED_LENGTH and "DTEND" in component


def _swap_ends(component: icalendar.Component, start: date | datetime, duration: timedelta) -> str:
    """DTSTART and DTEND exchanged, as the recurrence library does; say so."""
    end_raw, start_raw = _raw(component["DTEND"]), _raw(component["DTSTART"])
    start_prop, end_prop = component.pop("DTSTART"), component.pop("DTEND")
    component.add("DTSTART", end_prop.dt)
    component.add("DTEND", start_prop.dt)
    for name, prop in (("DTSTART", end_prop), ("DTEND", start_prop)):
        if "TZID" in prop.params:
            component[name].params["TZID"] = prop.params["TZID"]
    length = -duration
    return (
        f"DTEND '{end_raw}' is before DTSTART '{start_raw}'; the two were swapped, as calendar "
        f"programs read it, and the event counted {length.total_seconds() / 3600:g} h"
    )


def _drop_negative_length(component: icalendar.Component, start: date | datetime) -> str:
    """An end before the start (RFC 5545 3.6.1 forbids it) is dropped, leaving the default length.

    The recurrence library would swap start and end instead, which can move a series by
    centuries when a year is mistyped.
    """
    for name in ("DTEND", "DURATION"):
        if name in component:
            raw = _raw(component[name])
            del component[name]
            length = "one day" if is_date_only(start) else "no length"
            return f"{name} '{raw}' ends before DTSTART; it was ignored and the event read with {length}"
    return ""


def _drop_unreadable_dates(component: icalendar.Component) -> list[str]:
    """Remove RDATE/EXDATE values that cannot be read; say what was removed."""
    notes: list[str] = []
    for name in ("RDATE", "EXDATE"):
        value = component.get(name)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        kept = []
        for item in items:
            usable = isinstance(item, icalendar.vDDDLists) and all(
                isinstance(d.dt, (date, tuple)) for d in item.dts
            )
            if usable:
                kept.append(item)
            else:
                notes.append(f"{name} '{_raw(item)}' is not a date or period; it was ignored")
        if len(kept) != len(items):
            del component[name]
            if kept:
                component[name] = kept if len(kept) > 1 else kept[0]
    return notes


def _synthetic_uid(component: icalendar.Component, taken: set[str]) -> str:
    """A stable UID for an event without one: a hash of what identifies it (never DTSTAMP)."""
    digest = hashlib.sha256()
    for name in (
        "DTSTART",
        "DTEND",
        "DURATION",
        "SUMMARY",
        "LOCATION",
        "DESCRIPTION",
        "RRULE",
        "RECURRENCE-ID",
    ):
        value = component.get(name)
        digest.update(name.encode())
        digest.update(b"" if value is None else _raw(value).encode("utf-8", "replace"))
    base = "nouid-" + digest.hexdigest()[:24]
    uid, number = base, 1
    while uid in taken:  # identical events without UID stay separate, numbered in file order
        number += 1
        uid = f"{base}-{number}"
    return uid


def collect_events(text: str, file_name: str, tz: ZoneInfo) -> ParsedFile:
    """Parse the text and keep the events that can be expanded; report the rest."""
    components, issues, skimmed_people = read_components(text, file_name)
    name: str | None = None
    raw_events: list[icalendar.Component] = []
    for component in components:
        if component.name == "VCALENDAR":
            if name is None and component.get("X-WR-CALNAME") is not None:
                name = _text(component, "X-WR-CALNAME") or None
            raw_events.extend(standardise(component, tz, issues).walk("VEVENT"))
        elif component.name == "VEVENT":
            raw_events.append(component)
    begin_lines = [
        n for n, line in enumerate(physical_lines(text), start=1) if line.strip().upper() == "BEGIN:VEVENT"
    ]
    lines: list[int | None] = (
        list(begin_lines) if len(begin_lines) == len(raw_events) else [None] * len(raw_events)
    )
    people: list[People | None] = (
        skimmed_people if skimmed_people is not None and len(skimmed_people) == len(raw_events)
        else [None] * len(raw_events)
    )
    events: list[EventRecord] = []
    taken: set[str] = set()
    unknown: Counter[str] = Counter()
    floating = 0
    for component, line, who in zip(raw_events, lines, people, strict=True):
        unknown.update(pin_unknown_zones(component, tz))
        record, notes = _check_event(component, line, taken, tz, who or people_of(component))
        issues.extend(notes)
        if record is not None:
            taken.add(record.uid)
            events.append(record)
            floating += isinstance(record.start, datetime) and record.start.tzinfo is None
    issues.extend(zone_notes(unknown, floating, tz))
    return ParsedFile(name=name, events=events, event_count=len(raw_events), issues=issues)


def _check_event(
    component: icalendar.Component, line: int | None, taken: set[str], tz: ZoneInfo, people: People
) -> tuple[EventRecord | None, list[IngestIssue]]:
    title = _text(component, "SUMMARY")
    uid_value = component.get("UID")
    if isinstance(uid_value, list):
        uid_value = uid_value[0] if uid_value else None
    uid = str(uid_value).strip() if uid_value is not None else ""
    start, duration, reason = _check_times(component, tz)
    rule_notes: list[str] = []
    if start is not None and duration < timedelta(0):
        if _can_swap(component, duration):
            rule_notes.append(_swap_ends(component, start, duration))
            start, duration = start + duration, -duration
        else:
            rule_notes.append(_drop_negative_length(component, start))
            duration = timedelta(days=1) if is_date_only(start) else timedelta(0)
    if not reason:
        repaired, reason = repair_rrules(component)
        rule_notes += repaired
    if reason:
        message = f"{reason}; the event was skipped."
        return None, [
            IngestIssue(ISSUE_SKIPPED, message[0].upper() + message[1:], uid or None, title or None, line)
        ]
    assert start is not None  # _check_times gives a start whenever there is no reason
    try:
        start_utc = to_utc(start, tz)
    except (OverflowError, ValueError) as exc:
        message = f"DTSTART {start} is out of range ({exc}); the event was skipped."
        return None, [IngestIssue(ISSUE_SKIPPED, message, uid or None, title or None, line)]
    notes = rule_notes + _drop_unreadable_dates(component)
    if not uid:
        uid = _synthetic_uid(component, taken)
        component["UID"] = uid
    issues = [
        IngestIssue(ISSUE_WARNING, note[0].upper() + note[1:] + ".", uid, title or None, line)
        for note in notes
    ]
    return EventRecord(component, uid, title, line, start, start_utc, duration, people), issues
