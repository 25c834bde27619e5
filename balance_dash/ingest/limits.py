"""Budgets for one .ics import: what a hostile file could make the libraries loop on.

Two layers, both cheap on ordinary files:

- `check_text` reads the unfolded lines before icalendar parses anything and refuses what the
  libraries would spin on: components nested deeper than any calendar nests them, recurrence
  rules with an INTERVAL below 1, BY-values outside their RFC 5545 ranges (section 3.3.10) or
  combinations that can never match (30 February), and time zones whose offset changes more
  often than once a month.
- `file_budget` bounds the wall time of the parse and expansion of one file, and
  `series_budget` the time of each recurring series (a rule that rarely matches makes the
  recurrence library search for years). These use a SIGALRM timer, so they apply in a main
  thread only (the CLI, and the worker process of `ingest.worker` that the dashboard uses);
  elsewhere they do nothing and the worker's own time limit is the bound.

Everything refused here is refused whole, with one line naming the file and the reason.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType

import pandas as pd

from balance_dash.errors import CalendarError, LimitError
from balance_dash.ingest.ics.common import ISSUE_WARNING, IngestIssue

MAX_DEPTH = 5  # VCALENDAR > VEVENT > VALARM is 3; VCALENDAR > VTIMEZONE > STANDARD is 3
MAX_INTERVAL = 1_000_000
MAX_ZONE_DATES = 5_000  # RDATE values in one file's VTIMEZONEs (real exports: a few dozen)
SERIES_SECONDS = 3.0  # one recurring series, expanded over the window
SLOW_SERIES = 3  # series over their budget before the whole file is refused
# A series that costs more than this per occurrence it gives is searching, not expanding (real
# series cost tens of microseconds each); past WASTED_SECONDS of such searching the file is refused.
SECONDS_PER_OCCURRENCE = 0.005
WASTED_SECONDS = 6.0

# Same unfolding as icalendar (RFC 5545 section 3.1): a line break followed by a space or tab.
_UNFOLD = re.compile(r"(?:(?<!\n)\r\n|(?<![\r\n])\n)(?:\r?\n)*[ \t]")
# Lines that start with a name of 3 to 6 letters beginning B, E or R (BEGIN, END, RRULE, EXRULE,
# RDATE among them); the rest are skipped by name. Anchored on "\n": several times faster than ^.
_LINE = re.compile(r"\n([BbEeRr][A-Za-z]{2,5})([;:])([^\r\n]*)")
_CHECKED = frozenset({"BEGIN", "END", "RRULE", "EXRULE", "RDATE"})
_FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_ZONE_FREQS = ("MONTHLY", "YEARLY")  # how often a VTIMEZONE may change its offset
_RANGES = {  # RFC 5545 section 3.3.10: the values each BY-part may take (negatives mirror)
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_WEEKDAY = re.compile(r"([+-]?)(\d{0,2})(MO|TU|WE|TH|FR|SA|SU)")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February in a leap year
_HINT = "Export the calendar again from its app; a calendar app does not write this."


def _shown(text: str, limit: int = 80) -> str:
    """Text from the file, safe to quote in one line: printable only, and short."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text[:limit])
    return clean + ("..." if len(text) > limit else "")


def _refuse(file_name: str, reason: str) -> CalendarError:
    return CalendarError(f"{reason}; nothing was imported.", path=file_name, hint=_HINT)


def check_text(text: str, file_name: str) -> None:
    """Refuse, before parsing, a file the parser or the recurrence library would spin on."""
    stack: list[str] = []
    zone_dates = 0
    seen: set[tuple[str, bool]] = set()
    for match in _LINE.finditer("\n" + _unfold(text)):
        name, separator, rest = match.group(1).upper(), match.group(2), match.group(3)
        if name not in _CHECKED:
            continue
        value = rest.split(":", 1)[1] if separator == ";" and ":" in rest else rest
        if name == "BEGIN":
            stack.append(value.strip().upper())
            if len(stack) > MAX_DEPTH:
                raise _refuse(
                    file_name,
                    f"components are nested {len(stack)} deep ({' > '.join(_shown(s, 20) for s in stack[:4])} > ...), "
                    f"deeper than any calendar nests them ({MAX_DEPTH - 2} at most)",
                )
        elif name == "END":
            if stack:
                stack.pop()
        elif name == "RDATE":
            if "VTIMEZONE" in stack:
                zone_dates += value.count(",") + 1
                if zone_dates > MAX_ZONE_DATES:
                    raise _refuse(file_name, f"its time zones change their offset more than {MAX_ZONE_DATES:,} times")
        else:
            in_zone = "VTIMEZONE" in stack
            if (value, in_zone) not in seen:  # exports repeat the same few rules thousands of times
                seen.add((value, in_zone))
                reason = rule_problem(value, in_zone=in_zone)
                if reason:
                    raise _refuse(file_name, f"{name} '{_shown(value)}' {reason}")


def _unfold(text: str) -> str:
    """`text` unfolded as icalendar unfolds it; plain replacements (fast) unless a fold follows
    an empty line, which only the exact pattern reads the same way."""
    if "\n " not in text and "\n\t" not in text:
        return text
    if "\n\n" in text or "\n\r\n" in text:
        return _UNFOLD.sub("", text)
    return text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "").replace("\n\t", "")


def rule_problem(value: str, *, in_zone: bool = False) -> str:
    """Why a recurrence rule would make the library loop ("" when it is safe to expand)."""
    parts: dict[str, str] = {}
    for part in value.strip().split(";"):
        key, _, text = part.partition("=")
        parts[key.strip().upper()] = text.strip().upper()
    freq = parts.get("FREQ", "")
    if freq not in _FREQS or "RSCALE" in parts:
        return ""  # not readable, or another calendar scale: ics.rules reports it and skips the series
    if in_zone and freq not in _ZONE_FREQS:
        return f"makes a time zone change its offset {freq.lower()}; real zones change at most a few times a year"
    interval = parts.get("INTERVAL")
    if interval is not None and re.fullmatch(r"[+-]?\d+", interval):
        number = int(interval)
        if not 1 <= number <= MAX_INTERVAL:
            return f"has INTERVAL={number}, outside 1 to {MAX_INTERVAL:,}"
    numbers: dict[str, list[int]] = {}
    for key, (low, high, signed) in _RANGES.items():
        if key not in parts:
            continue
        values = [int(v) for v in parts[key].split(",") if re.fullmatch(r"[+-]?\d+", v.strip())]
        for number in values:
            if not (low <= number <= high or (signed and -high <= number <= -low)):
                span = f"{low} to {high}" + (f" or -{high} to -{low}" if signed else "")
                return f"has {key}={number}, outside {span}"
        numbers[key] = values
    for day in parts.get("BYDAY", "").split(","):
        found = _WEEKDAY.fullmatch(day.strip())
        if found and found.group(2) and not 1 <= int(found.group(2)) <= 53:
            return f"has BYDAY={day.strip()}, whose position is outside 1 to 53"
    months, days = numbers.get("BYMONTH"), numbers.get("BYMONTHDAY")
    if months and days and not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days):
        return "can never match (no such day in those months)"
    return ""


# --- time budgets -----------------------------------------------------------------------------


class _Expired(BaseException):
    """Raised by the timer inside whatever code runs; BaseException, so that a library's own
    `except Exception` cannot swallow it and carry on."""


class _FileExpired(_Expired):
    pass


class _SeriesExpired(_Expired):
    pass


class _TooManySlow(_Expired):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SeriesTooSlow(Exception):
    """One series took longer than its budget; the caller skips that series and says why."""


@dataclass
class _Timer:
    file_name: str
    deadline: float
    seconds: float
    series_deadline: float | None = None
    slow: list[str] = field(default_factory=list)
    wasted: float = 0.0
    expired: bool = False

    def arm(self) -> None:
        if self.expired:
            return
        until = self.deadline if self.series_deadline is None else min(self.deadline, self.series_deadline)
        signal.setitimer(signal.ITIMER_REAL, max(until - time.monotonic(), 0.001))

    def fire(self, _signum: int, _frame: FrameType | None) -> None:
        if _ACTIVE is not self:
            return
        if self.expired:
            return
        now = time.monotonic()
        if now >= self.deadline - 0.0005:
            self.expired = True  # once: the refusal that follows must not be interrupted again
            raise _FileExpired
        if self.series_deadline is not None and now >= self.series_deadline - 0.0005:
            raise _SeriesExpired
        self.arm()  # fired early (clock rounding): wait for the rest


_ACTIVE: _Timer | None = None


def rearm() -> None:
    """In a process forked inside `file_budget`: keep the parent's deadlines (a fork inherits the
    signal handler and the timer's state, but not the timer itself)."""
    if _ACTIVE is not None and _can_time():
        _ACTIVE.arm()


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def file_budget(file_name: str, seconds: float) -> Iterator[None]:
    """Refuse the file (LimitError) when the block takes longer than `seconds` of wall time."""
    global _ACTIVE
    if not _can_time() or _ACTIVE is not None:
        yield
        return
    timer = _Timer(file_name, time.monotonic() + seconds, seconds)
    previous = signal.signal(signal.SIGALRM, timer.fire)
    _ACTIVE = timer
    timer.arm()
    try:
        yield
    except _FileExpired:
        raise LimitError(
            f"{file_name}: reading and expanding the calendar takes longer than {seconds:g} s; nothing was imported.",
            hint="Import a shorter period (since/until), or raise import_seconds in the settings.",
        ) from None
    except _TooManySlow as slow:
        raise LimitError(slow.message, hint="Export the calendar again from its app, or import a shorter period.") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _ACTIVE = None


@contextmanager
def series_budget(label: str, produced: Callable[[], int], seconds: float = SERIES_SECONDS) -> Iterator[None]:
    """Stop one series after `seconds` (SeriesTooSlow), and count the time of series that work
    long for few occurrences; past SLOW_SERIES stopped series or WASTED_SECONDS of such time,
    the whole file is refused. `produced()` tells how many occurrences the series gave."""
    timer = _ACTIVE
    if timer is None:
        yield
        return
    started = time.monotonic()
    timer.series_deadline = started + seconds
    timer.arm()
    try:
        yield
    except _SeriesExpired:
        timer.slow.append(label)
        timer.wasted += seconds
        if len(timer.slow) >= SLOW_SERIES or timer.wasted > WASTED_SECONDS:
            timer.expired = True
            raise _TooManySlow(_slow_message(timer)) from None
        raise SeriesTooSlow(
            f"it takes more than {seconds:g} s to compute (a rule that never or rarely matches, or repeats very often)"
        ) from None
    finally:
        timer.series_deadline = None
        timer.arm()
    spent = time.monotonic() - started
    if spent > 0.1 and spent > produced() * SECONDS_PER_OCCURRENCE:
        timer.slow.append(label)
        timer.wasted += spent
        if timer.wasted > WASTED_SECONDS:
            timer.expired = True
            raise _TooManySlow(_slow_message(timer))


def _slow_message(timer: _Timer) -> str:
    return (
        f"{timer.file_name}: {len(timer.slow)} recurring series (the first: {_shown(timer.slow[0], 60)!r}) took "
        f"{timer.wasted:.1f} s for next to no occurrences, as rules that never or rarely match do; nothing was imported"
    )


# --- notes on what the file holds ------------------------------------------------------------


def duplicate_uid_notes(uids: list[str], has_recurrence_id: list[bool]) -> list[IngestIssue]:
    """One warning per UID that several events share without a RECURRENCE-ID: only one is kept."""
    counts = Counter(uid for uid, override in zip(uids, has_recurrence_id, strict=True) if not override)
    repeated = [(uid, count) for uid, count in counts.items() if count > 1]
    notes = [
        IngestIssue(
            ISSUE_WARNING,
            f"{count:,} events share UID {_shown(uid, 60)!r}; one of them was kept (the highest SEQUENCE, else the first in the file).",
            uid,
        )
        for uid, count in sorted(repeated, key=lambda item: -item[1])[:20]
    ]
    if len(repeated) > 20:
        notes.append(IngestIssue(ISSUE_WARNING, f"{len(repeated) - 20:,} more UIDs are shared by several events; one event of each was kept."))
    return notes


def clip_long_events(frame: pd.DataFrame, max_days: int) -> tuple[pd.DataFrame, list[IngestIssue]]:
    """Occurrences longer than `max_days` cut to that length, with a note (never silently)."""
    limit = pd.Timedelta(days=max_days)
    timed = (frame["end_utc"] - frame["start_utc"]) > limit
    dated = (frame["day_end"] - frame["day_start"]) > limit
    long = timed.fillna(False) | dated.fillna(False)
    if not long.any():
        return frame, []
    longest = max(
        (frame.loc[timed.fillna(False), "end_utc"] - frame.loc[timed.fillna(False), "start_utc"]).max(),
        (frame.loc[dated.fillna(False), "day_end"] - frame.loc[dated.fillna(False), "day_start"]).max(),
        key=lambda value: value if pd.notna(value) else pd.Timedelta(0),
    )
    frame = frame.assign(
        end_utc=frame["end_utc"].where(~timed.fillna(False), frame["start_utc"] + limit),
        day_end=frame["day_end"].where(~dated.fillna(False), frame["day_start"] + limit),
    )
    count = int(long.sum())
    note = IngestIssue(
        ISSUE_WARNING,
        f"{_events(count)} longer than {max_days} days (the longest {longest.days:,} days); "
        f"{'they were' if count > 1 else 'it was'} cut to {max_days} days. Raise max_event_days in the settings to keep them whole.",
    )
    return frame, [note]


def _events(count: int) -> str:
    return f"{count:,} events last" if count != 1 else "1 event lasts"


def outside_window_note(
    singles: list[tuple[str, datetime, timedelta]], window: tuple[datetime, datetime]
) -> list[IngestIssue]:
    """A note on single (non-recurring) events that lie wholly outside the window: never silent.

    `singles` holds each one's title, start (UTC) and length.
    """
    start, end = window
    outside = [(title, at) for title, at, length in singles if at >= end or at + length <= start]
    if not outside:
        return []
    title, at = min(outside, key=lambda item: item[1])
    example = f"the earliest: {_shown(title, 60)!r} on {at.date().isoformat()}" if title else f"the earliest on {at.date().isoformat()}"
    count = len(outside)
    return [
        IngestIssue(
            ISSUE_WARNING,
            f"{count:,} event{'s' if count != 1 else ''} ({example}) lie outside the imported period "
            f"{start:%Y-%m-%d} to {end:%Y-%m-%d} and {'were' if count != 1 else 'was'} not imported. "
            "Import another period with since/until to include them.",
        )
    ]
