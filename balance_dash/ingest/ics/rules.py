"""RRULE checks: repair what is safe to repair, and bound how much a series can expand.

The bounds let the importer refuse or slice a runaway series before the recurrence library
materialises it (a `FREQ=SECONDLY` rule would otherwise build millions of objects first).
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from icalendar.prop import vBroken

from balance_dash.ingest.ics.common import to_utc

_SUBDAILY_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600}
# BY-parts that multiply the instances within one period of the frequency (RFC 5545 3.3.10).
_FINER_PARTS = {
    "SECONDLY": (),
    "MINUTELY": ("BYSECOND",),
    "HOURLY": ("BYMINUTE", "BYSECOND"),
}
_TIME_OF_DAY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")


def _first(values: Any) -> Any:
    if isinstance(values, list):
        return values[0] if values else None
    return values


def rules_of(component: icalendar.Component) -> list[Any]:
    value = component.get("RRULE")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def repair_rrules(component: icalendar.Component) -> tuple[list[str], str]:
    """Notes about repaired rules, and the reason the event is unusable ("" when usable).

    Exchange (CDO) writes `BYDAY=MO, TU`; without the spaces the rule is valid, so it is read
    that way with a warning. Rules that still cannot be read, and RFC 7529 calendar scales,
    make the series unusable: guessing its instances would put hours on the wrong days.
    """
    notes: list[str] = []
    rules = []
    for rule in rules_of(component):
        if isinstance(rule, vBroken):
            raw = str(rule)
            try:
                rule = icalendar.vRecur.from_ical(re.sub(r"\s+", "", raw))
            except Exception:
                return notes, f"RRULE '{raw}' cannot be read"
            notes.append(f"RRULE '{raw}' has stray spaces (an Exchange export bug); it was read without them")
        if "RSCALE" in rule:
            return notes, f"RRULE uses RSCALE={_first(rule['RSCALE'])} (RFC 7529), which cannot be expanded"
        if "FREQ" not in rule:
            return notes, "RRULE has no FREQ"
        rules.append(rule)
    if notes:
        del component["RRULE"]
        component["RRULE"] = rules if len(rules) > 1 else rules[0]
    return notes, ""


def _rule_bound(rule: Any, seconds: float) -> float:
    """Upper bound of the instances `rule` makes within `seconds` of time."""
    if seconds < 0:
        return 0.0
    freq = str(_first(rule.get("FREQ")) or "").upper()
    try:
        interval = max(int(_first(rule.get("INTERVAL")) or 1), 1)
    except (TypeError, ValueError):
        interval = 1
    if freq in _SUBDAILY_SECONDS:
        periods = seconds / (_SUBDAILY_SECONDS[freq] * interval) + 1
        per_period = math.prod(len(rule.get(part) or [None]) for part in _FINER_PARTS[freq])
    else:
        # Daily and coarser rules repeat at most once per day for each time-of-day combination.
        periods = seconds / 86400 + 2
        per_period = math.prod(len(rule.get(part) or [None]) for part in _TIME_OF_DAY_PARTS)
    bound = periods * per_period
    count = _first(rule.get("COUNT"))
    if isinstance(count, int) and count >= 0:
        bound = min(bound, float(count))
    return bound


_FIXED_SECONDS = {**_SUBDAILY_SECONDS, "DAILY": 86400, "WEEKLY": 7 * 86400}
_PLAIN_RULE_PARTS = {"FREQ", "INTERVAL", "UNTIL", "WKST"}


def _rule_floor(rule: Any, seconds: float) -> float:
    """Lower bound of the instances of a rule without BY-parts or COUNT, else 0."""
    freq = str(_first(rule.get("FREQ")) or "").upper()
    if freq not in _FIXED_SECONDS or not set(rule) <= _PLAIN_RULE_PARTS:
        return 0.0
    try:
        interval = max(int(_first(rule.get("INTERVAL")) or 1), 1)
    except (TypeError, ValueError):
        return 0.0
    # Minus two: the first and last period may fall partly outside, and DST shifts an hour.
    return max(math.floor(seconds / (_FIXED_SECONDS[freq] * interval)) - 2, 0)


@dataclass(frozen=True)
class Bounds:
    steps: float  # rule steps from DTSTART to the window's end (upper bound)
    most: float  # instances inside the window (upper bound)
    least: float  # instances inside the window (lower bound)


def series_bounds(
    components: Iterable[tuple[icalendar.Component, datetime, timedelta]],
    window: tuple[datetime, datetime],
    tz: ZoneInfo,
) -> Bounds:
    """How much one series can expand; `components` holds each with its DTSTART in UTC and length."""
    window_start, window_end = window
    steps = most = least = 0.0
    for component, start_utc, duration in components:
        singles = 1 + sum(len(getattr(item, "dts", ())) for item in _as_list(component.get("RDATE")))
        steps += singles
        most += singles
        for rule in rules_of(component):
            end = window_end
            until = _first(rule.get("UNTIL"))
            if until is not None:
                with contextlib.suppress(OverflowError, ValueError, TypeError):
                    end = min(end, to_utc(until, tz) + timedelta(days=1))
            first_relevant = max(start_utc, window_start - abs(duration))
            steps += _rule_bound(rule, (end - start_utc).total_seconds())
            most += _rule_bound(rule, (end - first_relevant).total_seconds())
            if component.get("EXDATE") is None:
                least += _rule_floor(rule, (end - max(start_utc, window_start)).total_seconds())
    return Bounds(steps, most, least)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
