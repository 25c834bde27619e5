"""Manual time: single entries from the form or CLI, and CSV time logs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import store
from balance_dash.ingest import manual
from balance_dash.models import AREAS, LOG_KINDS
from balance_dash.settings import Settings
from balance_dash.workflows.calendars import check_size

MANUAL_SOURCE_NAME = "Manual log"
RULES_DECIDE = "(rules)"  # the area choice that leaves an entry to the rules

def _entries_as_occurrences(entries: pd.DataFrame) -> pd.DataFrame:
    return entries.assign(
        recurrence_key="",
        all_day=False,
        day_start=pd.Series(pd.NaT, index=entries.index, dtype="datetime64[s]"),
        day_end=pd.Series(pd.NaT, index=entries.index, dtype="datetime64[s]"),
    )


def log_time(
    engine: Engine,
    *,
    tz: ZoneInfo,
    area: str,
    start: datetime | None = None,
    end: datetime | None = None,
    day: date | None = None,
    duration_hours: float | None = None,
    note: str = "",
) -> int:
    """Add one manual entry to the "Manual log" source; returns 1 if added, 0 if it was there."""
    entry = manual.make_entry(
        start=start, end=end, day=day, duration_hours=duration_hours, area=area, note=note, tz=tz, areas=AREAS
    )
    counts = store.append_occurrences(
        engine, source={"name": MANUAL_SOURCE_NAME, "kind": "manual"}, frame=_entries_as_occurrences(entry)
    )
    return counts.added


@dataclass(frozen=True)
class LogImportReport:
    """What importing one CSV time log did."""

    file_name: str
    source_name: str
    format: str
    entries: int
    added: int
    updated: int
    removed: int
    unchanged: int
    issues: tuple[manual.RowIssue, ...]

    def headline(self) -> str:
        skipped = sum(issue.kind == "skipped" for issue in self.issues)
        noted = f", {skipped} rows skipped" if skipped else ""
        return (
            f"{self.file_name} ({self.format} CSV) -> {self.source_name!r}: {self.entries} entries; "
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged{noted}"
        )


def import_log_csv(
    engine: Engine, data: bytes, *, file_name: str, tz: ZoneInfo, settings: Settings, source_name: str | None = None
) -> LogImportReport:
    """Import a CSV time log (own format, Toggl or Clockify) as one source, replacing its last import."""
    check_size(data, file_name=file_name, settings=settings)
    parsed = manual.read_csv_log(data, file_name=file_name, tz=tz, areas=AREAS)
    name = (source_name or Path(file_name).stem)[:200]
    counts = store.replace_occurrences(
        engine,
        source={"name": name, "kind": "csv", "file_name": file_name, "content_sha256": hashlib.sha256(data).hexdigest()},
        frame=_entries_as_occurrences(parsed.frame),
        report=[{"kind": issue.kind, "message": issue.message, "line": issue.row} for issue in parsed.issues],
        skipped=sum(issue.kind == "skipped" for issue in parsed.issues),
    )
    return LogImportReport(
        file_name=file_name, source_name=name, format=parsed.format, entries=len(parsed.frame),
        added=counts.added, updated=counts.updated, removed=counts.removed, unchanged=counts.unchanged,
        issues=parsed.issues,
    )


def manual_entries(engine: Engine) -> pd.DataFrame:
    """Entries of the manual log and of CSV logs, newest first."""
    return store.load_occurrences(engine, source_kinds=LOG_KINDS).sort_values("start_utc", ascending=False)


def delete_entries(engine: Engine, ids: list[int]) -> int:
    return store.delete_occurrences(engine, ids)


def edit_entries(engine: Engine, edited: pd.DataFrame) -> int:
    """Save the rows of the entries table whose text or area the user changed.

    `edited` has the columns id, what, area (an area name, or "(rules)" to let the rules decide)
    and the original values in what_before and area_before.
    """
    changed = edited[(edited["what"] != edited["what_before"]) | (edited["area"] != edited["area_before"])]
    changes = [
        {"id": int(entry_id), "title": str(what), "area": None if area == RULES_DECIDE else str(area)}
        for entry_id, what, area in zip(changed["id"], changed["what"], changed["area"], strict=True)
    ]
    return store.update_entries(engine, changes) if changes else 0
