"""Small hostile inputs from issue 11, generated in the test run (no fixture files to keep)."""

from __future__ import annotations

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n"
TAIL = "END:VCALENDAR\r\n"


def calendar(body: str, *, name: str | None = None) -> bytes:
    named = f"X-WR-CALNAME:{name}\r\n" if name is not None else ""
    return (HEAD + named + body + TAIL).encode()


def event(uid: str, *, start: str = "20261116T090000Z", end: str = "20261116T100000Z", extra: str = "", title: str = "Meeting") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{title}\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\n{extra}END:VEVENT\r\n"
    )


def interval_zero() -> bytes:
    """RRULE with INTERVAL=0: the recurrence library steps by nothing, forever (226 bytes)."""
    return calendar(event("zero", extra="RRULE:FREQ=DAILY;INTERVAL=0\r\n"))


def secondly_zone() -> bytes:
    """A VTIMEZONE whose offset changes every second: converting a DTEND spins in the zone."""
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Spin\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n"
        "RRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n"
        "RRULE:FREQ=SECONDLY\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )
    body = (
        "BEGIN:VEVENT\r\nUID:spin\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Spin\r\n"
        "DTSTART;TZID=Spin:20261116T090000\r\nDTEND;TZID=Spin:20261116T100000\r\nEND:VEVENT\r\n"
    )
    return calendar(zone + body)


def nested_events(depth: int = 5000) -> bytes:
    """VEVENTs nested `depth` deep: time and memory grow with the square of the depth."""
    opening = "".join(f"BEGIN:VEVENT\r\nUID:n{i}\r\nDTSTART:20261116T090000Z\r\n" for i in range(depth))
    return calendar(opening + "END:VEVENT\r\n" * depth)


def never_matching_series(count: int = 50) -> bytes:
    """Series whose rule can never match (30 February, every minute): seconds of CPU each."""
    rule = "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30\r\n"
    return calendar("".join(event(f"never{i}", extra=rule) for i in range(count)))


REPRODUCERS = {
    "interval_zero.ics": interval_zero,
    "secondly_zone.ics": secondly_zone,
    "nested_events.ics": nested_events,
    "never_matching.ics": never_matching_series,
}
