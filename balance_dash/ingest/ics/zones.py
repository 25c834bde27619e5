"""Time zones at ingest: X-WR-TIMEZONE (Google) and TZIDs nobody defines.

Both end in the same rule (PRODUCT.md section 3): what has no zone of its own is read as
wall-clock time, in X-WR-TIMEZONE when the file names one, else in the user's zone.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone

from balance_dash.ingest.ics.common import ISSUE_WARNING, IngestIssue


class _GoogleTimes(x_wr_timezone.UTCChangingWalker):  # type: ignore[misc]  # untyped library
    """x-wr-timezone's walker, but only floating times count as floating.

    The library treats any time whose zone has no name as floating; Outlook VTIMEZONEs often
    have no TZNAME, so their times would be relabelled into X-WR-TIMEZONE and move by hours.
    """

    def is_Floating(self, dt: datetime) -> bool:  # the library's method name
        return dt.tzinfo is None


def standardise(
    calendar: icalendar.Component, tz: ZoneInfo, issues: list[IngestIssue]
) -> icalendar.Component:
    """Apply X-WR-TIMEZONE (Google) to floating and UTC times of one VCALENDAR."""
    name = calendar.get("X-WR-TIMEZONE")
    if name is None:
        return calendar
    try:
        zone = ZoneInfo(str(name).strip())
    except Exception:
        issues.append(
            IngestIssue(
                ISSUE_WARNING,
                f"X-WR-TIMEZONE '{name}' is not a known time zone; it was ignored and floating times were read in {tz.key}.",
            )
        )
        return calendar
    result: icalendar.Component = _GoogleTimes(zone).walk(calendar)
    return result


def _pin(value: Any, tz: ZoneInfo) -> Any:
    """`value` with naive datetimes (or periods of them) given the zone `tz`."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=tz)
    if isinstance(value, tuple):
        return tuple(_pin(part, tz) for part in value)
    return value


def pin_unknown_zones(component: icalendar.Component, tz: ZoneInfo) -> set[str]:
    """Read times whose TZID cannot be resolved as wall-clock time in `tz`; return those TZIDs.

    icalendar leaves them naive. Pinning them (rather than leaving them floating) keeps a UTC
    EXDATE or RECURRENCE-ID comparable with the instants of the series it belongs to.
    """
    pinned: set[str] = set()
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE"):
        value = component.get(name)
        items = value if isinstance(value, list) else [value]
        changed = False
        new_items = []
        for item in items:
            if isinstance(item, icalendar.vDDDLists):
                values = [d.dt for d in item.dts]
            elif isinstance(item, icalendar.vDDDTypes):
                values = [item.dt]
            else:  # absent, or unreadable (vBroken): nothing to pin
                new_items.append(item)
                continue
            tzid = item.params.get("TZID")
            if not tzid or not any(isinstance(v, datetime) and v.tzinfo is None for v in values):
                new_items.append(item)
                continue
            pinned.add(str(tzid))
            changed = True
            if isinstance(item, icalendar.vDDDLists):
                new_items.append(icalendar.vDDDLists([_pin(v, tz) for v in values]))
            else:
                replacement = icalendar.vDDDTypes(_pin(values[0], tz))
                if "RANGE" in item.params:
                    replacement.params["RANGE"] = item.params["RANGE"]
                new_items.append(replacement)
        if changed:
            del component[name]
            component[name] = new_items if isinstance(value, list) else new_items[0]
    return pinned


def zone_notes(unknown: Counter[str], floating: int, tz: ZoneInfo) -> list[IngestIssue]:
    """One warning per unknown TZID and one for floating times: both are read in the user's zone."""
    notes = [
        IngestIssue(
            ISSUE_WARNING,
            f"Time zone '{tzid}' is not known and the file does not define it; {count} event(s) using it were read as wall-clock time in {tz.key}.",
        )
        for tzid, count in sorted(unknown.items())
    ]
    if floating:
        notes.append(
            IngestIssue(
                ISSUE_WARNING,
                f"{floating} event(s) have no time zone (floating times); they were read as wall-clock time in {tz.key}.",
            )
        )
    return notes
