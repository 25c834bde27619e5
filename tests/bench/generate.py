"""A seeded generator of realistic calendar exports, for the benchmark and its smoke test.

One busy person's account as Google exports it: a Google-style VTIMEZONE (Europe/Berlin,
X-LIC-LOCATION, X-WR-TIMEZONE) next to the Outlook-style ones that invitations from Exchange
users bring ("W. Europe Standard Time", "Eastern Standard Time": no TZNAME, 1601 rules).
Habits and meetings are weekly or biweekly series that run for some months and are replaced by
the next one, with EXDATEs, moved instances (RECURRENCE-ID overrides) and cancelled ones; single
meetings, all-day vacations and birthdays, overnight on-call shifts and flights across zones;
and the bulk real exports carry: long descriptions, attendee lists, VALARMs, X- properties.
The same seed and size give the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Weekly occurrences a busy person's calendar holds; about 10,000 a year in all.
SINGLES_PER_WEEK = 44
MOVED_SHARE = 0.05  # instances of a series moved to another time (an override VEVENT)
CANCELLED_SHARE = 0.01  # instances cancelled by an override with STATUS:CANCELLED
EXDATE_SHARE = 0.03  # instances deleted with EXDATE

GOOGLE_TZ = "Europe/Berlin"
OUTLOOK_TZ = "W. Europe Standard Time"
OUTLOOK_EAST_TZ = "Eastern Standard Time"
ZONES = {GOOGLE_TZ: ZoneInfo("Europe/Berlin"), OUTLOOK_TZ: ZoneInfo("Europe/Berlin"),
         OUTLOOK_EAST_TZ: ZoneInfo("America/New_York"), "America/New_York": ZoneInfo("America/New_York")}

VTIMEZONES = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:America/New_York
X-LIC-LOCATION:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""


@dataclass(frozen=True)
class Habit:
    """A slot in the week that some series always fills: (title choices, days, time, length)."""

    titles: tuple[str, ...]
    weekdays: tuple[int, ...]  # 0 = Monday
    at: time
    minutes: int
    interval: int = 1  # 2 = biweekly
    zone: str = GOOGLE_TZ
    work: bool = False


WORKDAYS = (0, 1, 2, 3, 4)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
HABITS = (
    Habit(("Team standup", "Daily stand-up", "Standup"), WORKDAYS, time(9, 15), 15, work=True),
    Habit(("Focus time", "Deep work block"), WORKDAYS, time(9, 30), 120, work=True),
    Habit(("Focus time (afternoon)", "Heads-down"), WORKDAYS, time(14, 0), 90, work=True),
    Habit(("Email triage", "Inbox"), WORKDAYS, time(16, 30), 30, work=True),
    Habit(("Lunch",), WORKDAYS, time(12, 0), 45),
    Habit(("Commute",), WORKDAYS, time(8, 15), 45),
    Habit(("Commute home",), WORKDAYS, time(17, 45), 45),
    Habit(("Kids breakfast", "School run"), EVERY_DAY, time(7, 0), 45),
    Habit(("Family dinner",), EVERY_DAY, time(18, 30), 60),
    Habit(("Walk the dog",), EVERY_DAY, time(6, 30), 30),
    Habit(("Evening walk with the dog",), EVERY_DAY, time(21, 0), 30),
    Habit(("Reading", "Read before bed"), EVERY_DAY, time(22, 0), 30),
    Habit(("1:1 with manager", "1:1 Anna / Me"), (1,), time(10, 0), 30, zone=OUTLOOK_TZ, work=True),
    Habit(("1:1 with Jonas", "1:1 Priya"), (2,), time(11, 0), 30, work=True),
    Habit(("1:1 with Lea",), (3,), time(15, 0), 30, work=True),
    Habit(("Sprint planning",), (0,), time(10, 0), 90, interval=2, zone=OUTLOOK_TZ, work=True),
    Habit(("Sprint retro", "Retrospective"), (4,), time(14, 0), 60, interval=2, zone=OUTLOOK_TZ, work=True),
    Habit(("Sync with New York team", "US sync"), (1, 3), time(10, 0), 60, zone=OUTLOOK_EAST_TZ, work=True),
    Habit(("Architecture review",), (2,), time(16, 0), 60, interval=2, work=True),
    Habit(("Plan the day",), WORKDAYS, time(8, 45), 15, work=True),
    Habit(("Code review block", "Review PRs"), WORKDAYS, time(11, 30), 30, work=True),
    Habit(("Team sync",), (1, 3), time(13, 0), 30, zone=OUTLOOK_TZ, work=True),
    Habit(("Weekly review",), (4,), time(16, 0), 30, work=True),
    Habit(("Homework with the kids",), WORKDAYS, time(17, 0), 30),
    Habit(("Kids bedtime",), EVERY_DAY, time(20, 0), 30),
    Habit(("Meditation",), EVERY_DAY, time(6, 0), 15),
    Habit(("Stretching",), EVERY_DAY, time(6, 15), 15),
    Habit(("Slack catch-up",), WORKDAYS, time(13, 45), 15, work=True),
    Habit(("Water the plants",), (2, 5), time(18, 0), 15),
    Habit(("Groceries",), (5,), time(11, 0), 60),
    Habit(("Meal prep",), (6,), time(16, 0), 90),
    Habit(("Spanish lesson",), (1, 3), time(21, 0), 45),
    Habit(("Gym", "Workout"), (0, 2, 4), time(19, 45), 75),
    Habit(("Yoga class",), (1,), time(20, 0), 60),
    Habit(("Piano practice",), (5, 6), time(10, 0), 45),
    Habit(("Kids swimming", "Kids football"), (5,), time(9, 0), 90),
    Habit(("Grandparents call",), (6,), time(17, 0), 45, zone="America/New_York"),
)
MEETING_TITLES = (
    "Client call: {c}", "{c} project review", "Interview: backend engineer", "Workshop with {c}",
    "Quarterly planning", "Budget review", "Release {n}.{m}", "Deploy window", "Vendor demo",
    "Coffee with {p}", "Lunch with {p}", "Dentist", "Doctor appointment", "Haircut",
    "Parents evening at school", "Dinner with {p}", "Birthday party: {p}", "Car service",
    "Tax advisor", "Board meeting prep", "{c} escalation", "Hiring committee", "Offsite planning",
    "Conference talk rehearsal", "Book club", "Volunteer shift", "Parent-teacher meeting",
)
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne")
PEOPLE = ("Anna", "Ben", "Chiara", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivo", "Jonas", "Kemal")
WORDS = (
    "agenda", "notes", "follow-up", "action", "items", "roadmap", "please", "review", "the",
    "document", "before", "meeting", "join", "dial-in", "details", "quarter", "numbers", "team",
)


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 section 3.1), CRLF-terminated."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line + "\r\n"
    parts, start, limit = [], 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            end -= 1
        parts.append(raw[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with one space
    return "\r\n ".join(parts) + "\r\n"


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


class _Writer:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now, self.lines, self.uids = rng, now, list[str](), 0

    def uid(self) -> str:
        self.uids += 1
        return f"{self.rng.getrandbits(64):016x}{self.uids:06d}@google.com"

    def description(self, work: bool) -> str:
        roll = self.rng.random()
        if roll < 0.4:
            return ""
        # A Teams or Meet invitation is long, mostly boilerplate.
        size = self.rng.randint(2500, 5000) if work and roll > 0.85 else self.rng.randint(80, 800)
        words: list[str] = []
        while sum(map(len, words)) + len(words) < size:
            words.append(self.rng.choice(WORDS))
        text = " ".join(words)
        return text[: size // 2] + "\n\nJoin: https://meet.google.com/abc-defg-hij\n" + text[size // 2 :]

    def event(
        self, uid: str, title: str, times: list[str], *, work: bool, sequence: int = 0, cancelled: bool = False
    ) -> None:
        rng = self.rng
        created = self.now - timedelta(days=rng.randint(400, 4000))
        out = ["BEGIN:VEVENT", *times, f"DTSTAMP:{stamp(self.now)}"]
        if work:
            out.append(f"ORGANIZER;CN={rng.choice(PEOPLE)} Example:mailto:{rng.choice(PEOPLE).lower()}@example.com")
        out.append(f"UID:{uid}")
        for _ in range(rng.randint(2, 15) if work else rng.randint(0, 3)):
            person = rng.choice(PEOPLE)
            out.append(
                f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={rng.choice(('ACCEPTED', 'NEEDS-ACTION', 'TENTATIVE'))};"
                f"CN={person} {rng.choice(COMPANIES)};X-NUM-GUESTS=0:mailto:{person.lower()}.{rng.randint(1, 999)}@example.com"
            )
        if work and rng.random() < 0.5:
            out.append(f"X-MICROSOFT-CDO-OWNERAPPTID:{rng.randint(-2**31, 2**31)}")
            out.append("X-MICROSOFT-CDO-BUSYSTATUS:BUSY")
        out += [
            f"CREATED:{stamp(created)}",
            f"DESCRIPTION:{escape(self.description(work))}",
            f"LAST-MODIFIED:{stamp(created + timedelta(days=3))}",
            f"LOCATION:{escape(rng.choice(('', 'Room 4.12', 'Home', 'https://teams.microsoft.com/l/meetup-join/19%3ameeting', 'Gym, Hauptstr. 5')))}",
            f"SEQUENCE:{sequence}",
            "STATUS:" + ("CANCELLED" if cancelled else "CONFIRMED"),
            f"SUMMARY:{escape(title)}",
            "TRANSP:OPAQUE",
        ]
        if work:
            out.append("X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij")
        for _ in range(rng.choice((0, 1, 1, 2))):
            out += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:This is an event reminder",
                    f"TRIGGER:-P0DT0H{rng.choice((5, 10, 30))}M0S", "END:VALARM"]
        out.append("END:VEVENT")
        self.lines.extend(out)


def _weeks(first: date, last: date) -> Iterator[date]:
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        yield monday
        monday += timedelta(weeks=1)


def _series(writer: _Writer, habit: Habit, first: date, last: date) -> None:
    """One series of `habit` from `first` to `last`, with EXDATEs and moved/cancelled instances."""
    rng, zone = writer.rng, ZONES[habit.zone]
    at = (datetime.combine(date(2000, 1, 1), habit.at) + timedelta(minutes=rng.choice((0, 0, 15, -15)))).time()
    title = rng.choice(habit.titles)
    days = [
        monday + timedelta(days=weekday)
        for index, monday in enumerate(_weeks(first, last)) if index % habit.interval == 0
        for weekday in habit.weekdays
        if first <= monday + timedelta(days=weekday) <= last
    ]
    if not days:
        return
    uid, length = writer.uid(), timedelta(minutes=habit.minutes)
    tzid = f"TZID={habit.zone}"
    byday = ",".join(("MO", "TU", "WE", "TH", "FR", "SA", "SU")[d] for d in habit.weekdays)
    start = datetime.combine(days[0], at)
    until = datetime.combine(days[-1], at, tzinfo=zone)
    chosen = [day for day in days[1:] if rng.random() < MOVED_SHARE + CANCELLED_SHARE + EXDATE_SHARE]
    exdates = [day for day in chosen if rng.random() < EXDATE_SHARE / (MOVED_SHARE + CANCELLED_SHARE + EXDATE_SHARE)]
    times = [
        f"DTSTART;{tzid}:{local(start)}",
        f"DTEND;{tzid}:{local(start + length)}",
        f"RRULE:FREQ=WEEKLY;WKST=MO;UNTIL={stamp(until)}"
        + (f";INTERVAL={habit.interval}" if habit.interval > 1 else "") + f";BYDAY={byday}",
        *(f"EXDATE;{tzid}:{local(datetime.combine(day, at))}" for day in exdates),
    ]
    writer.event(uid, title, times, work=habit.work)
    for day in chosen:
        if day in exdates:
            continue
        original = datetime.combine(day, at)
        cancelled = rng.random() < CANCELLED_SHARE / (MOVED_SHARE + CANCELLED_SHARE)
        moved = original + timedelta(minutes=rng.choice((-90, -60, -30, 30, 60, 120, 24 * 60)))
        writer.event(
            uid,
            title,
            [
                f"RECURRENCE-ID;{tzid}:{local(original)}",
                f"DTSTART;{tzid}:{local(moved)}",
                f"DTEND;{tzid}:{local(moved + length)}",
            ],
            work=habit.work,
            sequence=1,
            cancelled=cancelled,
        )


def _singles(writer: _Writer, first: date, last: date) -> None:
    """Single meetings and appointments, vacations, birthdays, on-call nights and flights."""
    rng = writer.rng
    for monday in _weeks(first, last):
        for _ in range(SINGLES_PER_WEEK):
            day = monday + timedelta(days=rng.choice((0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6)))
            if not first <= day <= last:
                continue
            title = rng.choice(MEETING_TITLES).format(
                c=rng.choice(COMPANIES), p=rng.choice(PEOPLE), n=rng.randint(1, 9), m=rng.randint(0, 20)
            )
            begin = datetime.combine(day, time(rng.randint(7, 19), rng.choice((0, 15, 30, 45))))
            length = timedelta(minutes=rng.choice((15, 30, 30, 45, 60, 60, 90, 120)))
            if rng.random() < 0.15:  # an invitation from an Exchange user, or a UTC-stamped one
                zone = rng.choice((OUTLOOK_TZ, OUTLOOK_EAST_TZ))
                times = [f"DTSTART;TZID={zone}:{local(begin)}", f"DTEND;TZID={zone}:{local(begin + length)}"]
            elif rng.random() < 0.1:
                aware = begin.replace(tzinfo=ZONES[GOOGLE_TZ])
                times = [f"DTSTART:{stamp(aware)}", f"DTEND:{stamp(aware + length)}"]
            else:
                times = [f"DTSTART;TZID={GOOGLE_TZ}:{local(begin)}", f"DTEND;TZID={GOOGLE_TZ}:{local(begin + length)}"]
            writer.event(writer.uid(), title, times, work="{c}" in title or rng.random() < 0.5)
        if rng.random() < 0.25:  # an on-call night, across midnight
            day = monday + timedelta(days=rng.randint(0, 6))
            begin = datetime.combine(day, time(22, 0))
            writer.event(writer.uid(), "On-call", [f"DTSTART;TZID={GOOGLE_TZ}:{local(begin)}",
                                                   f"DTEND;TZID={GOOGLE_TZ}:{local(begin + timedelta(hours=8))}"], work=True)
        if rng.random() < 0.06:  # a flight across zones, overnight
            day = monday + timedelta(days=rng.randint(0, 6))
            writer.event(writer.uid(), "Flight FRA -> JFK", [
                f"DTSTART;TZID={GOOGLE_TZ}:{local(datetime.combine(day, time(17, 30)))}",
                f"DTEND;TZID=America/New_York:{local(datetime.combine(day, time(20, 10)))}",
            ], work=True)
        if rng.random() < 0.12:  # a vacation or a day off, all-day
            day = monday + timedelta(days=rng.randint(0, 4))
            days = rng.choice((1, 1, 3, 5, 12, 16))
            writer.event(writer.uid(), rng.choice(("Vacation", "Urlaub", "Day off", "Public holiday")), [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=days):%Y%m%d}",
            ], work=False)


def generate(years: float, *, seed: int = 7, now: datetime, ahead_days: int = 120) -> bytes:
    """An export covering `years` years up to `now`, plus what is planned for `ahead_days` more."""
    rng = random.Random(f"{seed}-{years}")
    writer = _Writer(rng, now)
    first = (now - timedelta(days=max(round(365.25 * years), 1) - 1)).date()
    last = (now + timedelta(days=ahead_days)).date()
    for habit in HABITS:
        begin = first
        while begin <= last:  # one series after another, each running a few months to two years
            end = min(begin + timedelta(days=rng.randint(90, 720)), last)
            _series(writer, habit, begin, end)
            begin = end + timedelta(days=1)
    for _ in range(max(round(years), 1)):  # birthdays repeat yearly, all-day
        birthday = first + timedelta(days=rng.randint(0, 364))
        writer.event(writer.uid(), f"{rng.choice(PEOPLE)}'s birthday", [
            f"DTSTART;VALUE=DATE:{birthday:%Y%m%d}", f"DTEND;VALUE=DATE:{birthday + timedelta(days=1):%Y%m%d}",
            "RRULE:FREQ=YEARLY",
        ], work=False)
    _singles(writer, first, last)
    head = [
        "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:me@example.com",
        f"X-WR-TIMEZONE:{GOOGLE_TZ}",
    ]
    text = "".join(fold(line) for line in head) + VTIMEZONES.replace("\n", "\r\n")
    text += "".join(fold(line) for line in writer.lines) + "END:VCALENDAR\r\n"
    return text.encode("utf-8")
