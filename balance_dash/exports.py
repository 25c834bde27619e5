"""Frames -> CSV and JSON bytes for download (pure: no I/O, no database).

CSV files are opened in spreadsheets, which run a cell that starts with `=`, `+`, `-` or `@`
(or a tab or carriage return before one) as a formula. Event titles come from calendars anyone
can send an invitation to, so every text cell that starts with one of those characters gets a
leading apostrophe, which spreadsheets show as text, and every text cell is quoted
(OWASP, "CSV Injection": https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

# The characters that make a spreadsheet treat a cell as a formula (OWASP, CSV Injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: str) -> str:
    """`value` made inert for spreadsheets: a leading apostrophe when it could start a formula."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot start a spreadsheet formula (numbers untouched)."""
    guarded: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
        if risky.any():
            guarded[str(column)] = values.astype(object).mask(risky, "'" + text.astype(object))
    return frame.assign(**guarded) if guarded else frame.copy()


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with a byte-order mark, so spreadsheets read accents right), guarded."""
    text = guard_formulas(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    return text.encode("utf-8-sig")


def frame_to_json(frame: pd.DataFrame) -> bytes:
    """A JSON array of row objects (dates as ISO 8601 text), UTF-8."""
    records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    return document_to_json(records)


def document_to_json(document: Any) -> bytes:
    """Any JSON-ready document as indented UTF-8 bytes."""
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


ENTRY_COLUMNS = ("start", "end", "duration_hours", "area", "day_off", "all_day", "title", "location", "source")
WEEK_HOURS = ("work", "family", "personal", "rest", "uncategorized", "integration", "unaccounted", "assumed_sleep")


def _local_midnight(day: date, tz: ZoneInfo) -> pd.Timestamp:
    return pd.Timestamp(day).tz_localize(tz, nonexistent="shift_forward", ambiguous=True)


def _iso_minutes(instants: pd.Series, tz: ZoneInfo) -> pd.Series:
    """Aware instants as local ISO 8601 text with the offset: 2026-11-09T09:00+01:00."""
    text: pd.Series = instants.dt.tz_convert(tz).dt.strftime("%Y-%m-%dT%H:%M%z")
    with_colon: pd.Series = text.str[:-2] + ":" + text.str[-2:]
    return with_colon


def entries_table(
    occ: pd.DataFrame, *, tz: ZoneInfo, first_day: date | None = None, last_day: date | None = None
) -> pd.DataFrame:
    """Categorised occurrences touching [first_day, last_day] (local days) as the entries export.

    Timed events: `start`/`end` are local instants with their offset, `duration_hours` the
    hours between them. All-day events: `start`/`end` are their first and last day (inclusive)
    and `duration_hours` is 0, as they add no hours. Ordered by local start. Cancelled
    occurrences are not entries and are left out.
    """
    timed = ~occ["all_day"].astype(bool)
    keep = ~occ["cancelled"].astype(bool) if "cancelled" in occ else pd.Series(True, index=occ.index)
    if first_day is not None:
        keep &= (timed & (occ["end_utc"] > _local_midnight(first_day, tz))) | (
            ~timed & (occ["day_end"] > pd.Timestamp(first_day))
        )
    if last_day is not None:
        keep &= (timed & (occ["start_utc"] < _local_midnight(last_day + timedelta(days=1), tz))) | (
            ~timed & (occ["day_start"] <= pd.Timestamp(last_day))
        )
    chosen = occ[keep]
    local_start = chosen["start_utc"].dt.tz_convert(tz).dt.tz_localize(None)
    table = pd.DataFrame(
        {
            "start": _iso_minutes(chosen["start_utc"], tz).fillna(chosen["day_start"].dt.strftime("%Y-%m-%d")),
            "end": _iso_minutes(chosen["end_utc"], tz).fillna(
                (chosen["day_end"] - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
            ),
            "duration_hours": ((chosen["end_utc"] - chosen["start_utc"]).dt.total_seconds() / 3600)
            .fillna(0.0)
            .round(4),
            "area": chosen["area"].astype(str),
            "day_off": chosen["day_off"].astype(bool),
            "all_day": ~timed[keep],
            "title": chosen["title"].astype(str),
            "location": chosen["location"].fillna("").astype(str),
            "source": chosen["source_name"].astype(str),
            "_order": local_start.fillna(chosen["day_start"]),
        }
    )
    ordered = table.sort_values(["_order", "title"], kind="stable")
    return ordered.drop(columns="_order").reset_index(drop=True)


def weeks_table(document: Mapping[str, Any]) -> pd.DataFrame:
    """The summary document's weeks as one row each: hours, target ranges, warning codes."""
    rows = []
    for week in document["weeks"]:
        row: dict[str, Any] = {"week": week["week"], "start": week["start"], "scheduled": bool(week["scheduled"])}
        row.update({f"{name}_hours": week["hours"].get(name, 0.0) for name in WEEK_HOURS})
        for area, bounds in week["targets"].items():
            row[f"{area}_target_min"] = bounds["min_hours"]
            row[f"{area}_target_max"] = bounds["max_hours"]
        row["warnings"] = len(week["warnings"])
        row["warning_codes"] = "; ".join(sorted({w["code"] for w in week["warnings"]}))
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["week", "start", "scheduled"])
