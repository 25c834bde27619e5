"""Importing calendars (.ics snapshots) and the sample calendar."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import attendance, store
from balance_dash.errors import LimitError
from balance_dash.ingest import ics, worker
from balance_dash.settings import Settings

SAMPLE_CALENDAR = resources.files("balance_dash") / "data" / "sample.ics"  # shipped inside the package
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
    # Per reason (attendance.NOT_COUNTED_REASONS), the occurrences in the file that count no
    # hours, and the hours they hold: (count, hours).
    not_counted: dict[str, tuple[int, float]] = field(default_factory=dict)
    events_before: int = 0  # events left out because they lie wholly before the window
    events_after: int = 0
    area_changed: int = 0  # occurrences whose area changed with the calendar's area (--category)
    my_addresses: tuple[str, ...] = ()
    invitations: int = 0  # occurrences that list attendees (meetings someone could decline)

    def notes(self) -> list[str]:
        """What the import left out or changed beside the counts, as sentences for both front-ends."""
        notes = []
        words = {
            "declined": "meeting{s} you declined",
            "free": "event{s} shown as free",
            "out_of_office": "out-of-office event{s}",
            "cancelled": "cancelled occurrence{s}",
        }
        for reason, (count, hours) in self.not_counted.items():
            if count:
                what = words[reason].format(s="" if count == 1 else "s")
                notes.append(f"{count:,} {what} ({hours:,.1f} h) {'is' if count == 1 else 'are'} not counted.")
        if self.not_counted.get("free", (0, 0.0))[0]:
            notes.append("To count events shown as free in this calendar, tick 'Count events shown as free' for it.")
        if not self.my_addresses and self.invitations:
            notes.append(
                "Your own addresses are not set, so declined meetings cannot be told apart: "
                "set them on the Calendars page or with `balance-dash settings set my_addresses`."
            )
        start, end = (f"{moment:%Y-%m-%d}" for moment in self.window)
        if self.events_before:
            notes.append(
                f"{self.events_before:,} event{'s' if self.events_before != 1 else ''} before {start} "
                f"{'were' if self.events_before != 1 else 'was'} left out: the import reads {start} to {end}. "
                "Import again with an earlier start to include them."
            )
        if self.events_after:
            notes.append(f"{self.events_after:,} event{'s' if self.events_after != 1 else ''} after {end} left out.")
        if self.area_changed:
            notes.append(f"The calendar's area changed: {self.area_changed:,} occurrences moved with it.")
        return notes

    @property
    def skipped(self) -> tuple[ics.IngestIssue, ...]:
        return tuple(issue for issue in self.issues if issue.kind == "skipped")

    def headline(self) -> str:
        span = f", {self.first_day} to {self.last_day}" if self.first_day else ""
        return (
            f"{self.file_name} -> {self.source_name!r}: {self.occurrences} occurrences of {self.events} events{span}; "
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
            + (f", {len(self.skipped)} skipped" if self.skipped else "")
            + (f" ({self.area_changed} moved to the calendar's new area)" if self.area_changed else "")
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
    scope: Callable[[ics.ParsedCalendar], store.ReplaceScope | None] | None = None,
    live: Callable[[ics.ParsedCalendar], Mapping[str, Any]] | None = None,
) -> ImportReport:
    """Import one .ics snapshot as (a new version of) one source, in one transaction.

    `progress(fraction, stage)` is called as the import goes, for a progress bar. `isolated`
    reads the file in a worker process with a time and memory limit (`ingest.worker`): front-ends
    use it for files they did not make, so that no file can stall or exhaust their process. A
    live sync (`workflows.live`) passes `scope`, what of the source's present occurrences the new
    data may remove, and `live`, the sync state written in the same transaction.
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
    before = _source_named(engine, source["name"])
    stored = pd.concat(
        [parsed.frame.assign(cancelled=False), parsed.cancelled_frame.assign(cancelled=True)], ignore_index=True
    ) if len(parsed.cancelled_frame) else parsed.frame.assign(cancelled=False)
    counts = store.replace_occurrences(
        engine, source=source, frame=stored, report=issues, skipped=sum(i.kind == "skipped" for i in parsed.issues),
        scope=scope(parsed) if scope is not None else None, live=live(parsed) if live is not None else None,
    )
    area_changed = 0
    if before is not None and (before["area"], bool(before["area_forced"])) != (
        source.get("area", before["area"]), bool(source.get("area_forced", before["area_forced"]))
    ):
        area_changed = counts.unchanged + counts.updated
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
        not_counted=_not_counted(stored, count_free=bool(before["count_free"]) if before is not None else False,
                                 addresses=settings.my_addresses),
        events_before=parsed.events_before,
        events_after=parsed.events_after,
        area_changed=area_changed,
        my_addresses=settings.my_addresses,
        invitations=int((stored["attendees"].fillna("") != "").sum()),
    )


def _source_named(engine: Engine, name: str) -> dict[str, Any] | None:
    sources = store.load_sources(engine)
    found = sources[sources["name"] == name]
    return None if found.empty else dict(found.iloc[0])


def _not_counted(frame: pd.DataFrame, *, count_free: bool, addresses: tuple[str, ...]) -> dict[str, tuple[int, float]]:
    """Per reason, how many occurrences of the file count no hours, and their hours (each on its own)."""
    decided = attendance.assign_attendance(frame.assign(count_free=count_free), addresses)
    hours = ((decided["end_utc"] - decided["start_utc"]).dt.total_seconds() / 3600).fillna(0.0)
    result = {}
    for reason in attendance.NOT_COUNTED_REASONS:
        chosen = decided["not_counted"] == reason
        result[reason] = (int(chosen.sum()), round(float(hours[chosen].sum()), 2))
    return result


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


def set_source_area(
    engine: Engine, source_id: int, *, area: str | None, forced: bool, count_free: bool | None = None
) -> None:
    """Give a calendar an area: `forced` for every event, else only where no rule places one.

    `count_free` (when given) says whether its timed events shown as free count as hours.
    """
    if area is not None:
        store.check_area(area, allow_uncategorized=False)
    fields: dict[str, Any] = {"area": area, "area_forced": forced and area is not None}
    if count_free is not None:
        fields["count_free"] = count_free
    store.update_source(engine, source_id, **fields)
