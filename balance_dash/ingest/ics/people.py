"""Availability and attendance of one VEVENT, as the calendar says them (RFC 5545 3.8.2.7, 3.8.4.1,
3.8.4.3; Outlook's X-MICROSOFT-CDO-BUSYSTATUS, [MS-OXCICAL] 2.1.3.1.1.20.8).

Who the user is is not known here: it is a setting, applied at read time (`attendance`), so
changing it re-decides history without a re-import. The reader keeps, per event:

- `transparent`: TRANSP:TRANSPARENT (shown as free);
- `busy_status`: Outlook's FREE, TENTATIVE, BUSY, OOF, WORKINGELSEWHERE, in lower case ("" when absent);
- `organizer`: the organizer's address;
- `attendees`: "PARTSTAT:address" tokens separated by spaces.

`ics.skim` reads these from the raw lines (`People.add_line`), so icalendar never builds objects
for them: exports list every invitee of every meeting. An event the skim passed through
untouched is read from its parsed component instead (`people_of`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import icalendar

BUSY_STATUSES: dict[str, str] = {
    "FREE": "free",
    "TENTATIVE": "tentative",
    "BUSY": "busy",
    "OOF": "oof",
    "WORKINGELSEWHERE": "elsewhere",
}
# The properties this module reads; the skim takes them out of the text icalendar parses.
PROPERTIES = frozenset({"ATTENDEE", "ORGANIZER", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS"})
_PARTSTAT = re.compile(r';PARTSTAT=("?)([^;:"]*)\1', re.IGNORECASE)
# Characters that cannot be part of an address token: the separators of `attendees`.
_NOT_ADDRESS = re.compile(r'[\s,;\\"]')
ORGANIZER_LENGTH = 320  # Occurrence.organizer


def address_of(value: str) -> str:
    """A calendar user address as the product compares it: lower case, without "mailto:"."""
    value = value.strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    return _NOT_ADDRESS.sub("", value).lower()


@dataclass
class People:
    transparent: bool = False
    busy_status: str = ""
    organizer: str = ""
    tokens: list[str] = field(default_factory=list)
    # The DESCRIPTION text (at most DESCRIPTION_CHARS) when the skim read it itself; None: read
    # it from the parsed component. Not availability, but carried with it from the skim.
    description: str | None = None

    @functools.cached_property
    def attendees(self) -> str:
        """The tokens as one string, made once: every occurrence of a series shares it."""
        return " ".join(self.tokens)

    def add_line(self, name: str, params: str, value: str) -> None:
        """Take one raw content line: `name` upper case, `params` what lies between the name and the
        value's colon, `value` the raw value."""
        if name == "TRANSP":
            self.transparent = value.strip().upper() == "TRANSPARENT"
        elif name == "X-MICROSOFT-CDO-BUSYSTATUS":
            self.busy_status = BUSY_STATUSES.get(value.strip().upper(), "")
        elif name == "ORGANIZER":
            self.organizer = self.organizer or address_of(value)[:ORGANIZER_LENGTH]
        elif name == "ATTENDEE":
            self.add_attendee(value, _partstat(params))

    def add_attendee(self, value: str, status: str) -> None:
        address = address_of(value)
        if address:
            self.tokens.append(f"{status or 'NEEDS-ACTION'}:{address}")


def _partstat(params: str) -> str:
    found = _PARTSTAT.search(params)
    return found.group(2).strip().upper() if found else "NEEDS-ACTION"


def _first(value: object) -> object:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def people_of(component: icalendar.Component) -> People:
    """The same as the skim reads, from a parsed component (an event the skim left untouched)."""
    people = People()
    transp = _first(component.get("TRANSP"))
    if transp is not None:
        people.add_line("TRANSP", "", str(transp))
    busy = _first(component.get("X-MICROSOFT-CDO-BUSYSTATUS"))
    if busy is not None:
        people.add_line("X-MICROSOFT-CDO-BUSYSTATUS", "", str(busy))
    organizer = _first(component.get("ORGANIZER"))
    if organizer is not None:
        people.add_line("ORGANIZER", "", str(organizer))
    listed = component.get("ATTENDEE")
    for value in listed if isinstance(listed, list) else ([] if listed is None else [listed]):
        params = getattr(value, "params", {})
        people.add_attendee(str(value), str(params.get("PARTSTAT", "NEEDS-ACTION")).strip().upper())
    return people
