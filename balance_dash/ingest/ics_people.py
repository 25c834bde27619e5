"""Availability and attendance of one VEVENT, as the calendar says them (RFC 5545 3.8.2.7, 3.8.4.1,
3.8.4.3; Outlook's X-MICROSOFT-CDO-BUSYSTATUS, [MS-OXCICAL] 2.1.3.1.1.20.8).

Who the user is is not known here: it is a setting, applied at read time (`attendance`), so
changing it re-decides history without a re-import. The reader keeps, per event:

- `transparent`: TRANSP:TRANSPARENT (shown as free);
- `busy_status`: Outlook's FREE, TENTATIVE, BUSY, OOF, WORKINGELSEWHERE, in lower case ("" when absent);
- `organizer`: the organizer's address;
- `attendees`: "PARTSTAT:address" tokens separated by spaces.

`ics_skim` already turns the ATTENDEE and ORGANIZER lines into one `PEOPLE` property; an event
the skim passed through untouched still has its own lines, read here the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import icalendar

from balance_dash.ingest.ics_skim import PEOPLE, address_of

BUSY_STATUSES: dict[str, str] = {
    "FREE": "free",
    "TENTATIVE": "tentative",
    "BUSY": "busy",
    "OOF": "oof",
    "WORKINGELSEWHERE": "elsewhere",
}


@dataclass(frozen=True)
class People:
    transparent: bool = False
    busy_status: str = ""
    organizer: str = ""
    attendees: str = ""


NOBODY = People()


def _first(value: object) -> object:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def people_of(component: icalendar.Component) -> People:
    transp = _first(component.get("TRANSP"))
    transparent = transp is not None and str(transp).strip().upper() == "TRANSPARENT"
    busy = _first(component.get("X-MICROSOFT-CDO-BUSYSTATUS"))
    busy_status = BUSY_STATUSES.get(str(busy).strip().upper(), "") if busy is not None else ""
    organizer, attendees = _people(component)
    if not (transparent or busy_status or organizer or attendees):
        return NOBODY
    return People(transparent, busy_status, organizer[:320], attendees)


def _people(component: icalendar.Component) -> tuple[str, str]:
    skimmed = _first(component.get(PEOPLE))
    if skimmed is not None:
        organizer = ""
        tokens: list[str] = []
        for token in str(skimmed).split():
            status, _, address = token.partition(":")
            if status == "ORGANIZER":
                organizer = organizer or address
            elif address:
                tokens.append(token)
        return organizer, " ".join(tokens)
    organizer_value = _first(component.get("ORGANIZER"))
    organizer = address_of(str(organizer_value)) if organizer_value is not None else ""
    listed = component.get("ATTENDEE")
    values = listed if isinstance(listed, list) else ([] if listed is None else [listed])
    tokens = []
    for value in values:
        address = address_of(str(value))
        if not address:
            continue
        params = getattr(value, "params", {})
        status = str(params.get("PARTSTAT", "NEEDS-ACTION")).strip().upper() or "NEEDS-ACTION"
        tokens.append(f"{status}:{address}")
    return organizer, " ".join(tokens)
