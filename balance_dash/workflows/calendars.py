"""Importing calendars (.ics snapshots) and the sample calendar."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import store
from balance_dash.errors import LimitError
from balance_dash.ingest import ics, worker
from balance_dash.settings import Settings

SAMPLE_CALENDAR = Path(__file__).resolve().parents[2] / "data" / "sample.ics"
SAMPLE_SOURCE_NAME = "Sample calendar"

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


def check_size(data: bytes, *, file_name: str, settings: Settings, size: int | None = None) -> None:
    """Refuse a file above max_upload_mb; `size` checks a file by its size before it is read."""
    limit = settings.max_upload_mb * 1024 * 1024
    length = len(data) if size is None else size
    if length > limit:
        raise LimitError(
            f"{file_name}: the file is {length / 1024 / 1024:.1f} MB, above the limit of {settings.max_upload_mb} MB",
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
    progress: Callable[[float, str], None] | None = None,
    isolated: bool = False,
) -> ImportReport:
    """Import one .ics snapshot as (a new version of) one source, in one transaction.

    `progress(fraction, stage)` is called as the import goes, for a progress bar. `isolated`
    reads the file in a worker process with a time and memory limit (`ingest.worker`): front-ends
    use it for files they did not make, so that no file can stall or exhaust their process.
    """
    check_size(data, file_name=file_name, settings=settings)
    if category is not None:
        store.check_area(category, allow_uncategorized=False)
    options: dict[str, Any] = {
        "tz": tz,
        "now": now or datetime.now(UTC),
        "since": since,
        "until": until,
        "max_occurrences": settings.max_occurrences,
        "history_years": settings.history_years,
        "future_years": settings.future_years,
        "max_event_days": settings.max_event_days,
    }
    if isolated:
        parsed = worker.read_ics_isolated(
            data, file_name=file_name, seconds=settings.import_seconds, memory_mb=settings.import_memory_mb,
            progress=progress, **options,
        )
    else:
        parsed = ics.read_ics(data, file_name=file_name, seconds=settings.import_seconds, progress=progress, **options)
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
    if progress is not None:
        progress(1.0, "done")
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


def set_source_area(engine: Engine, source_id: int, *, area: str | None, forced: bool) -> None:
    """Give a calendar an area: `forced` for every event, else only where no rule places one."""
    if area is not None:
        store.check_area(area, allow_uncategorized=False)
    store.update_source(engine, source_id, area=area, area_forced=forced and area is not None)
