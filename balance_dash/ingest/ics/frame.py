"""Expanded rows -> the occurrence frame, and what a read reports per UID (pure).

Shared by the reader of a whole file (`ics.read_ics`) and of a file in parts (`ics.parallel`),
so that both build the same frame from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from balance_dash.ingest.ics.common import IngestIssue
from balance_dash.ingest.ics.expand import Rows
from balance_dash.ingest.ics.parse import EventRecord
from balance_dash.ingest.ics.rules import rules_of


@dataclass
class Expanded:
    """A file (or a part of it) parsed and expanded: the rows as a frame, not yet ordered."""

    name: str | None
    event_count: int
    frame: pd.DataFrame  # rows_frame(...): OCCURRENCE_COLUMNS and "cancelled"
    cancelled: int
    window: tuple[datetime, datetime]
    outside: dict[str, str]  # outside_window(...)
    starts_by_uid: dict[str, datetime]
    issues: list[IngestIssue]


def starts_by_uid(records: list[EventRecord]) -> dict[str, datetime]:
    starts: dict[str, datetime] = {}
    for record in records:
        starts[record.uid] = min(record.start_utc, starts.get(record.uid, record.start_utc))
    return starts


def outside_window(
    events: list[EventRecord], expanded: set[str], window: tuple[datetime, datetime]
) -> dict[str, str]:
    """The events (by UID) that gave no occurrence in the window because they lie before or after it."""
    before: set[str] = set()
    after: set[str] = set()
    for record in events:
        if record.uid in expanded:
            continue
        if record.start_utc >= window[1]:
            after.add(record.uid)
        elif record.start_utc < window[0]:
            before.add(record.uid)
    return dict(sorted({**dict.fromkeys(before - after, "before"), **dict.fromkeys(after, "after")}.items()))


def singles(records: list[EventRecord]) -> list[tuple[str, datetime, timedelta]]:
    """Title, UTC start and length of each event that neither recurs nor overrides an instance."""
    return [
        (record.title, record.start_utc, record.duration)
        for record in records
        if not rules_of(record.component)
        and record.component.get("RDATE") is None
        and record.component.get("RECURRENCE-ID") is None
    ]


def rows_frame(rows: Rows) -> pd.DataFrame:
    """The occurrence frame, built from column lists in one go, in the order the rows came (see `ordered_frame`)."""
    all_day = np.asarray(rows.all_day, dtype=bool)
    start_utc = _instants(rows.start)
    day_start = np.asarray(rows.day_start, dtype="datetime64[D]")
    return pd.DataFrame(
        {
            "uid": pd.Series(rows.uid, dtype=object),
            "recurrence_key": _recurrence_keys(rows.recurrence_key, start_utc, day_start, all_day),
            "title": pd.Series(rows.title, dtype=object),
            "location": pd.Series(rows.location, dtype=object),
            "description": pd.Series(rows.description, dtype=object),
            "all_day": all_day,
            "start_utc": start_utc,
            "end_utc": _instants(rows.end),
            "day_start": day_start.astype("datetime64[s]"),
            "day_end": np.asarray(rows.day_end, dtype="datetime64[D]").astype("datetime64[s]"),
            "transparent": np.asarray(rows.transparent, dtype=bool),
            "busy_status": pd.Series(rows.busy_status, dtype=object),
            "organizer": pd.Series(rows.organizer, dtype=object),
            "attendees": pd.Series(rows.attendees, dtype=object),
            "cancelled": np.asarray(rows.is_cancelled, dtype=bool),
        }
    )


def ordered_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in a deterministic order, each (uid, recurrence_key) once."""
    order = ["start_utc", "day_start", "uid", "recurrence_key"]
    duplicated = frame.duplicated(["uid", "recurrence_key"])
    if duplicated.any():
        order += ["title", "location", "description", "end_utc", "day_end"]
    frame = frame.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)
    if duplicated.any():
        # Only genuinely duplicated components give two rows one identity: number the later
        # ones so that (uid, recurrence_key) stays unique and stable across imports.
        rank = frame.groupby(["uid", "recurrence_key"], sort=False).cumcount()
        later = rank > 0
        frame.loc[later, "recurrence_key"] = (
            frame.loc[later, "recurrence_key"] + "#" + (rank[later] + 1).astype(str)
        )
    return frame


def _instants(seconds: list[float]) -> pd.Series:
    """POSIX seconds (NaN for none) -> datetime64[us, UTC]; iCalendar times are whole seconds."""
    values = np.asarray(seconds, dtype=float)
    missing = np.isnan(values)
    whole = np.where(missing, 0.0, np.round(values)).astype("int64")
    instants = (whole * 1_000_000).astype("datetime64[us]")
    instants[missing] = np.datetime64("NaT")
    return pd.Series(instants).dt.tz_localize("UTC")


def _recurrence_keys(
    keys: list[str | None], start_utc: pd.Series, day_start: np.ndarray, all_day: np.ndarray
) -> pd.Series:
    """Fill the keys left as None with the occurrence's own start, formatted in one pass."""
    result = np.asarray(keys, dtype=object)
    derive = pd.isna(result)
    timed = derive & ~all_day
    if timed.any():
        text = np.datetime_as_string(start_utc.to_numpy(dtype="datetime64[s]")[timed], unit="s")
        compact = np.char.replace(np.char.replace(text, "-", ""), ":", "")
        result[timed] = np.char.add(compact, np.full(compact.shape, "Z"))
    dated = derive & all_day
    if dated.any():
        result[dated] = np.char.replace(np.datetime_as_string(day_start[dated], unit="D"), "-", "")
    return pd.Series(result, dtype=object)
