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
from balance_dash.errors import InvalidValueError
from balance_dash.ingest import manual
from balance_dash.ingest.issues import IngestIssue
from balance_dash.models import AREAS, LOG_KINDS, SERIES
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
    issues: tuple[IngestIssue, ...]

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
        report=[{"kind": issue.kind, "message": issue.message, "line": issue.line} for issue in parsed.issues],
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


# How the Toggl and Clockify imports write a row's project and client into its description
# (ingest/manual.py, _tracker_fields): "Project: Website; Client: Acme; Tags: design".
TRACKER_LABELS = {"project": "Project", "client": "Client"}


def _tracker_names(descriptions: pd.Series, kind: str) -> pd.Series:
    label = TRACKER_LABELS[kind]
    return descriptions.fillna("").str.extract(rf"(?:^|; ){label}: (.*?)(?:; |$)", expand=False).fillna("")


def tracker_groups(engine: Engine, *, entries: pd.DataFrame | None = None) -> pd.DataFrame:
    """The projects and clients of imported Toggl and Clockify entries, most hours first.

    Columns: kind ("project" or "client"), name, source_id, source, entries, hours, area (the
    area all its entries were placed in by hand, "" while any is not).
    """
    columns = ["kind", "name", "source_id", "source", "entries", "hours", "area"]
    entries = manual_entries(engine) if entries is None else entries
    if entries.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "hours" else object) for c in columns})
    placements = store.load_placements(engine)
    series = placements[placements["recurrence_key"] == SERIES][["source_id", "uid", "area"]].rename(columns={"area": "placed"})
    placed = entries[["source_id", "uid"]].merge(series, on=["source_id", "uid"], how="left")["placed"].fillna("").to_numpy()
    hours = ((entries["end_utc"] - entries["start_utc"]).dt.total_seconds() / 3600).to_numpy()
    parts = []
    for kind in TRACKER_LABELS:
        frame = pd.DataFrame({"kind": kind, "name": _tracker_names(entries["description"], kind).to_numpy(),
                              "source_id": entries["source_id"].to_numpy(), "source": entries["source_name"].to_numpy(),
                              "hours": hours, "placed": placed})
        parts.append(frame[frame["name"] != ""])
    found = pd.concat(parts, ignore_index=True)
    if found.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "hours" else object) for c in columns})
    grouped = found.groupby(["kind", "name", "source_id", "source"], as_index=False, sort=False).agg(
        entries=("hours", "size"), hours=("hours", "sum"), first_area=("placed", "first"), areas=("placed", "nunique"))
    grouped["area"] = grouped["first_area"].where(grouped["areas"] == 1, "")
    grouped["hours"] = grouped["hours"].round(2)
    ranked = grouped.sort_values(["hours", "kind", "name"], ascending=[False, False, True], kind="stable")
    return ranked[columns].reset_index(drop=True)


def place_tracker_group(engine: Engine, *, source_id: int, kind: str, name: str, area: str) -> int:
    """Place every entry of that Toggl or Clockify project (or client) in `area`; returns how many.

    Placements are kept by entry, and an entry keeps its id when the same export is imported
    again, so the choice survives re-imports; entries a later export adds show up to place.
    """
    store.check_area(area, allow_uncategorized=False)
    if kind not in TRACKER_LABELS:
        raise InvalidValueError(f"{kind!r} is neither a project nor a client", hint="Use 'project' or 'client'.")
    entries = manual_entries(engine)
    chosen = entries[(entries["source_id"] == source_id) & (_tracker_names(entries["description"], kind) == name)]
    uids = sorted(set(chosen["uid"].astype(str)))
    if not uids:
        raise InvalidValueError(f"no entry of the {kind} {name!r} in that time log", hint="It may have been deleted.")
    store.place_many(engine, source_id=int(source_id), uids=uids, recurrence_key=SERIES, area=area)
    return len(uids)
