"""Leave out, before icalendar parses, the parts of events that balance-dash never reads.

Real exports carry far more than the product uses: attendee lists, reminders (VALARM), vendor
X- properties and meeting invitations pasted into DESCRIPTION. icalendar builds objects for all
of it; skipping it at the line level more than halves the parse. What is left out:

- VALARM blocks;
- X- properties of VEVENTs (X-WR-CALNAME, X-WR-TIMEZONE belong to the VCALENDAR and stay),
  and the VEVENT properties in `UNREAD`: when the entry was edited, attachments, links;
- ATTENDEE, ORGANIZER, TRANSP and Outlook's busy status: the skim reads what the product needs
  of them itself (`ics.people.People`, one per VEVENT in file order, `Skimmed.people`), since
  an export lists every invitee of every meeting and icalendar would build an object with
  parameters for each.
- DESCRIPTION text beyond what the product keeps (2000 characters), in events with a UID (the
  UID of an event without one is derived from its whole DESCRIPTION); and an event's one plain
  `DESCRIPTION:` line (no parameters) is read by the skim itself (`People.description`), with
  icalendar's own unescaping: icalendar splits every content line character by character in
  Python, and invitations pasted into descriptions are most of an export's characters.

Lines are unfolded and split exactly as icalendar does (RFC 5545 section 3.1), so the parse of
what remains is the parse of the original, minus the skipped properties. Anything unusual
(a BEGIN or END written oddly) is passed through untouched.

Leaving these out never hides an error: icalendar reads a VEVENT's unreadable properties as
"broken" values and carries on, and X- properties never fail. A VALARM is strict, though (a bad
TRIGGER makes the whole file unreadable), so `Skimmed.alarms` keeps each distinct VALARM block
for the caller to check once (exports repeat the same few reminders thousands of times).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from icalendar.parser.property import unescape_backslash

from balance_dash.ingest.ics.people import PROPERTIES, People

# The same patterns icalendar uses (icalendar.parser.content_line): a fold is a line break
# followed by a space or a tab; lines end at CRLF or LF.
_UNFOLD = re.compile(r"(?:(?<!\n)\r\n|(?<![\r\n])\n)(?:\r?\n)*[ \t]")
_NEWLINE = re.compile(r"\r?\n")
# Everything before the value: the name and parameters, where quoted values may hold ':'.
_VALUE_START = re.compile(r'[^:"]*(?:"[^"]*"[^:"]*)*:')
# VEVENT properties neither balance-dash nor recurring-ical-events reads (RFC 5545 3.8.4-3.8.7):
# the event's times, rules, UID, SEQUENCE, STATUS, SUMMARY, LOCATION, DESCRIPTION all stay.
UNREAD = frozenset({"DTSTAMP", "CREATED", "LAST-MODIFIED", "CLASS", "ATTACH", "CONFERENCE", "URL"})
KEPT_DESCRIPTION = 2000  # characters the product keeps (ics.parse._TEXT_LIMITS)
# An escape pair (\n, \,) is two characters of text for one of value; keep enough text for
# KEPT_DESCRIPTION characters of value whatever the escapes.
_KEPT_TEXT = 2 * KEPT_DESCRIPTION + 2


def _name(line: str) -> str:
    end = len(line)
    for mark in (";", ":"):
        found = line.find(mark, 0, end)
        if found >= 0:
            end = found
    return line[:end].upper()


def _shorten(line: str) -> str:
    """A DESCRIPTION line cut to the text the product keeps (never inside an escape pair)."""
    start = _VALUE_START.match(line)
    if start is None or len(line) - start.end() <= _KEPT_TEXT:
        return line
    cut = start.end() + _KEPT_TEXT
    backslashes = len(line[:cut]) - len(line[:cut].rstrip("\\"))
    return line[: cut - (backslashes % 2)]


@dataclass
class Skimmed:
    text: str  # what icalendar should parse
    alarms: set[str] = field(default_factory=set)  # each distinct VALARM block left out, as text
    # Per VEVENT in file order, its availability and attendance; None for an event passed
    # through untouched (its own lines are still in `text`).
    people: list[People | None] = field(default_factory=list)


def _event(lines: list[str], alarms: set[str], found: list[People | None]) -> list[str]:
    """The lines of one VEVENT (BEGIN to END) with the unread parts left out; its people appended to `found`."""
    kept: list[str] = []
    depth = 0  # nesting below the VEVENT: VALARMs (skipped) or anything else (kept)
    skipping = 0
    alarm: list[str] = []
    people = People()
    has_uid = False
    for line in lines[1:-1]:
        upper = line.upper()
        if upper.startswith("BEGIN:"):
            depth += 1
            if skipping or upper == "BEGIN:VALARM":
                skipping += 1
                alarm.append(line)
                continue
        elif upper.startswith("END:"):
            depth -= 1
            if skipping:
                skipping -= 1
                alarm.append(line)
                if not skipping:
                    alarms.add("\r\n".join(alarm) + "\r\n")
                    alarm = []
                continue
        elif skipping:
            alarm.append(line)
            continue
        elif depth == 0:
            name = _name(line)
            if name in PROPERTIES:
                start = _VALUE_START.match(line)
                if start is not None:
                    people.add_line(name, line[len(name) : start.end() - 1], line[start.end() :])
                    continue
            if name in UNREAD or name.startswith("X-"):
                continue
            has_uid = has_uid or name == "UID"
        kept.append(line)
    if depth != 0 or skipping:  # unbalanced: let icalendar see it as it is
        found.append(None)
        return lines
    if has_uid:
        kept = [_shorten(line) if _name(line) == "DESCRIPTION" else line for line in kept]
        described = [index for index, line in enumerate(kept) if _name(line) == "DESCRIPTION"]
        if len(described) == 1 and kept[described[0]][:12].upper() == "DESCRIPTION:":
            line = kept.pop(described[0])
            people.description = str(unescape_backslash(line[12:]))[:KEPT_DESCRIPTION]
    found.append(people)
    return [lines[0], *kept, lines[-1]]


def skim(text: str) -> Skimmed:
    """`text` (an .ics file) without the parts of its events the product never reads."""
    lines = [line for line in _NEWLINE.split(_UNFOLD.sub("", text)) if line]
    out: list[str] = []
    alarms: set[str] = set()
    found: list[People | None] = []
    event: list[str] | None = None
    for line in lines:
        if event is not None:
            event.append(line)
            upper = line.upper()
            if upper == "END:VEVENT":
                out.extend(_event(event, alarms, found))
                event = None
            elif upper == "BEGIN:VEVENT":  # a VEVENT inside a VEVENT: not ours to judge
                out.extend(event)
                found.append(None)
                event = None
        elif line.upper() == "BEGIN:VEVENT":
            event = [line]
        else:
            out.append(line)
    if event is not None:  # a truncated file: icalendar decides what that means
        out.extend(event)
        found.append(None)
    return Skimmed("\r\n".join(out) + "\r\n", alarms, found)
