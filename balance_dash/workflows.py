"""The facade both front-ends call: one function per thing a user does.

Each function does orchestration only: read through `store`, compute with the pure modules
(`ingest`, `categorize`, `analytics`, `health`), write through `store`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import tzlocal
from sqlalchemy.engine import Engine

from balance_dash import analytics, categorize, health, store
from balance_dash.errors import InvalidValueError, LimitError
from balance_dash.ingest import ics
from balance_dash.models import AREAS, UNCATEGORIZED
from balance_dash.settings import Settings, check_timezone

SAMPLE_CALENDAR = Path(__file__).resolve().parent.parent / "data" / "sample.ics"
SAMPLE_SOURCE_NAME = "Sample calendar"
HOUR_COLUMNS = (*AREAS, UNCATEGORIZED, "integration", "unaccounted")


# ---------------------------------------------------------------------------------------------
# Time zone and dates


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


# ---------------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class ImportReport:
    """What importing one file did, for both front-ends to show."""

    file_name: str
    source_name: str
    events: int
    occurrences: int
    cancelled: int
    added: int
    updated: int
    removed: int
    unchanged: int
    issues: tuple[ics.IngestIssue, ...]
    window: tuple[datetime, datetime]
    first_day: date | None = None
    last_day: date | None = None

    @property
    def skipped(self) -> tuple[ics.IngestIssue, ...]:
        return tuple(issue for issue in self.issues if issue.kind == "skipped")

    def headline(self) -> str:
        span = f", {self.first_day} to {self.last_day}" if self.first_day else ""
        return (
            f"{self.file_name} -> {self.source_name!r}: {self.occurrences} occurrences of {self.events} events{span}; "
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
            + (f", {len(self.skipped)} skipped" if self.skipped else "")
        )


def check_size(data: bytes, *, file_name: str, settings: Settings) -> None:
    limit = settings.max_upload_mb * 1024 * 1024
    if len(data) > limit:
        raise LimitError(
            f"{file_name}: the file is {len(data) / 1024 / 1024:.1f} MB, above the limit of {settings.max_upload_mb} MB",
            hint="Raise max_upload_mb in the settings, or export a shorter period.",
        )


def import_calendar(
    engine: Engine,
    data: bytes,
    *,
    file_name: str,
    tz: ZoneInfo,
    settings: Settings,
    now: datetime | None = None,
    source_name: str | None = None,
    category: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ImportReport:
    """Import one .ics snapshot as (a new version of) one source, in one transaction."""
    check_size(data, file_name=file_name, settings=settings)
    if category is not None:
        store.check_area(category, allow_uncategorized=False)
    parsed = ics.read_ics(
        data,
        file_name=file_name,
        tz=tz,
        now=now or datetime.now(UTC),
        since=since,
        until=until,
        max_occurrences=settings.max_occurrences,
        history_years=settings.history_years,
        future_years=settings.future_years,
    )
    name = source_name or parsed.name or Path(file_name).stem
    source: dict[str, Any] = {
        "name": name[:200],
        "kind": "ics",
        "file_name": file_name,
        "content_sha256": hashlib.sha256(data).hexdigest(),
        "timezone": tz.key,
    }
    if category is not None:
        source.update(area=category, area_forced=True)
    issues = [
        {"kind": i.kind, "message": i.message, "uid": i.uid, "title": i.title, "line": i.line} for i in parsed.issues
    ]
    counts = store.replace_occurrences(
        engine, source=source, frame=parsed.frame, report=issues, skipped=sum(i.kind == "skipped" for i in parsed.issues)
    )
    first, last = _day_span(parsed.frame, tz)
    return ImportReport(
        file_name=file_name,
        source_name=name,
        events=parsed.event_count,
        occurrences=len(parsed.frame),
        cancelled=parsed.cancelled,
        added=counts.added,
        updated=counts.updated,
        removed=counts.removed,
        unchanged=counts.unchanged,
        issues=parsed.issues,
        window=parsed.window,
        first_day=first,
        last_day=last,
    )


def _day_span(frame: pd.DataFrame, tz: ZoneInfo) -> tuple[date | None, date | None]:
    if frame.empty:
        return None, None
    starts = pd.concat([frame["start_utc"].dt.tz_convert(tz).dt.tz_localize(None), frame["day_start"]]).dropna()
    ends = pd.concat([frame["end_utc"].dt.tz_convert(tz).dt.tz_localize(None), frame["day_end"] - pd.Timedelta(days=1)]).dropna()
    if starts.empty:
        return None, None
    return starts.min().date(), ends.max().date()


def load_sample(engine: Engine, *, tz: ZoneInfo, settings: Settings, now: datetime | None = None) -> ImportReport:
    """Import the sample calendar shipped in data/ (idempotent)."""
    return import_calendar(
        engine,
        SAMPLE_CALENDAR.read_bytes(),
        file_name=SAMPLE_CALENDAR.name,
        tz=tz,
        settings=settings,
        now=now,
        source_name=SAMPLE_SOURCE_NAME,
    )


# ---------------------------------------------------------------------------------------------
# The balance of the weeks


@dataclass(frozen=True)
class Balance:
    """Days and weeks of a period with areas, targets and warnings: what the views show."""

    tz: ZoneInfo
    week_starts_on: str
    first_day: date
    last_day: date
    daily: pd.DataFrame
    weekly: pd.DataFrame
    targets: pd.DataFrame
    warnings: list[health.HealthWarning] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def week(self, week_start: date) -> pd.Series:
        position = self.weekly.index.get_loc(pd.Timestamp(week_start))
        return self.weekly.iloc[int(position)]  # type: ignore[arg-type]  # a unique index gives an int

    def warnings_for_week(self, week_start: date) -> list[health.HealthWarning]:
        week_end = week_start + timedelta(days=7)
        return [w for w in self.warnings if week_start <= w.period_start < week_end]

    def is_scheduled(self, week_start: date) -> bool:
        return local_midnight_utc(week_start + timedelta(days=7), self.tz) > self.now


def categorized_occurrences(engine: Engine, *, start_utc: datetime | None = None, end_utc: datetime | None = None) -> pd.DataFrame:
    """Occurrences in the period with their area and day-off mark decided."""
    return categorize.assign_areas(
        store.load_occurrences(engine, start_utc=start_utc, end_utc=end_utc),
        store.load_rules(engine),
        store.load_sources(engine),
        store.load_placements(engine),
    )


def balance(
    engine: Engine,
    *,
    tz: ZoneInfo,
    settings: Settings,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
    occurrences: pd.DataFrame | None = None,
) -> Balance:
    """Hours, targets and warnings for the whole weeks that cover [first_day, last_day]."""
    if last_day < first_day:
        raise InvalidValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    now = now or datetime.now(UTC)
    first_week = week_start_of(first_day, settings.week_starts_on)
    last_week_end = week_start_of(last_day, settings.week_starts_on) + timedelta(days=6)
    # Warnings look back (the rolling average needs its reference period), so compute more.
    history_start = first_week - timedelta(weeks=settings.thresholds.average_weeks)
    if occurrences is None:
        occurrences = categorized_occurrences(
            engine,
            start_utc=local_midnight_utc(history_start - timedelta(days=1), tz),
            end_utc=local_midnight_utc(last_week_end + timedelta(days=2), tz),
        )
    sleep = (settings.sleep_start, settings.sleep_end) if settings.sleep_enabled else None
    daily = analytics.daily_hours(occurrences, tz=tz, first_day=history_start, last_day=last_week_end, sleep=sleep)
    weekly = analytics.weekly_hours(daily, week_starts_on=settings.week_starts_on)
    targets = health.targets_for_weeks(store.load_targets(engine), [stamp.date() for stamp in pd.DatetimeIndex(weekly.index)])
    warnings = health.evaluate(
        daily, weekly, occurrences, settings=settings, targets=targets, now=now, tz=tz
    )
    in_period = weekly.index >= pd.Timestamp(first_week)
    return Balance(
        tz=tz,
        week_starts_on=settings.week_starts_on,
        first_day=first_week,
        last_day=last_week_end,
        daily=daily[daily.index >= pd.Timestamp(first_week)],
        weekly=weekly[in_period],
        targets=targets,
        warnings=[w for w in warnings if w.period_start >= first_week],
        now=now,
    )


def summary_document(result: Balance) -> dict[str, Any]:
    """The JSON document of `balance-dash summary --json` (PRODUCT.md section 7)."""
    weeks = []
    for week_start, row in zip(pd.DatetimeIndex(result.weekly.index), result.weekly.to_dict("records"), strict=True):
        start = week_start.date()
        hours = {column: round(float(row[column]), 2) for column in HOUR_COLUMNS}
        hours["assumed_sleep"] = round(float(row["assumed_sleep"]), 2)
        weeks.append(
            {
                "week": str(row["iso_week"]),
                "start": start.isoformat(),
                "hours": hours,
                "targets": health.targets_document(result.targets, start),
                "warnings": [w.to_document() for w in result.warnings_for_week(start)],
                "scheduled": result.is_scheduled(start),
            }
        )
    return {"timezone": result.tz.key, "week_starts_on": result.week_starts_on, "weeks": weeks}


def target_gap(actual: float, low: float | None, high: float | None) -> tuple[str, float]:
    """How `actual` hours sit against a target range: (state, hours past the nearest bound).

    state is "under", "over", "within" or "none" (no target); the difference is negative under
    the range, positive over it and 0 within.
    """
    low = None if low is None or pd.isna(low) else float(low)
    high = None if high is None or pd.isna(high) else float(high)
    if low is None and high is None:
        return "none", 0.0
    if low is not None and actual < low:
        return "under", actual - low
    if high is not None and actual > high:
        return "over", actual - high
    return "within", 0.0
