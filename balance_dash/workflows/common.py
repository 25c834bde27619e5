"""Time zone and calendar-date helpers shared by the workflows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import tzlocal

from balance_dash.errors import InvalidValueError
from balance_dash.settings import Settings, check_timezone


def resolve_zone(name: str | None, settings: Settings | None = None) -> ZoneInfo:
    """The display zone: an explicit name, else the saved setting, else the system's zone."""
    chosen = name or (settings.timezone if settings else None)
    if chosen:
        return check_timezone(chosen)
    return check_timezone(tzlocal.get_localzone_name() or "UTC")


def week_start_of(day: date, week_starts_on: str) -> date:
    offset = day.weekday() if week_starts_on == "monday" else (day.weekday() + 1) % 7
    return day - timedelta(days=offset)


def parse_iso_week(text: str) -> date:
    """Monday of an ISO week written like 2026-W47."""
    try:
        year, week = text.upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError as exc:
        raise InvalidValueError(f"{text!r} is not an ISO week", hint="Write it like 2026-W47.") from exc


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
