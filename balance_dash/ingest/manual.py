"""Manual time entries -> entries: CSV files and single values from the form or the CLI (pure).

Three CSV formats are recognised by their header row: balance-dash's own, and the detailed
report exports of Toggl Track and Clockify (docs/csv-format.md describes all three). Times
without an offset are wall time in the user's zone: a time the clocks skip (spring forward) is
a row issue, a time they repeat (fall back) is read as its first occurrence. A bad row is a
`IngestIssue` and the other rows still import; only a file that cannot be read at all raises.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from balance_dash.errors import CsvError, InvalidValueError
from balance_dash.ingest.issues import ISSUE_SKIPPED, ISSUE_WARNING, IngestIssue
from balance_dash.models import UNCATEGORIZED

ENTRY_COLUMNS = ("uid", "title", "location", "description", "start_utc", "end_utc", "area")
FORMATS = ("balance-dash", "toggl", "clockify")

DEFAULT_START = time(9, 0)  # entries given as date + duration start here, laid end to end
YEARS = (1970, 2100)  # a year outside this range is a typo, not a time entry
LONG_ENTRY = timedelta(hours=24)  # longer entries import with a warning (a timer left running?)
MAX_ENTRY = timedelta(days=7)  # longer entries are skipped as absurd
TITLE_CHARS, DESCRIPTION_CHARS = 500, 2000  # the sizes of the Occurrence columns
DOCS = "See docs/csv-format.md."

_ALIASES = {"category": "area"}  # the CLI calls the area --category
# Headers as in docs/csv-format.md, for the "unknown header" message.
_EXPECTED = (
    "balance-dash: start,end,area,note | start,duration,area,note | date,duration,area,note "
    "(+ optional start_time); Toggl Track detailed report: ...,Project,...,Description,...,"
    "Start date,Start time,End date,End time,Duration,...; Clockify detailed report: "
    "Project,...,Description,...,Start Date,Start Time,End Date,End Time,Duration (h),..."
)

_DATE = (
    r"(?:(?P<y>\d{4})[-/](?P<mo>\d{1,2})[-/](?P<d>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y2>\d{4}))"
)
_CLOCK = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?\s*(?P<ampm>[ap]\.?m\.?)?"
_ZONE = r"(?P<tz>z|utc|[+-]\d{2}(?::?\d{2})?)"
_DATETIME = re.compile(rf"^\s*{_DATE}(?:(?:T|,?\s+){_CLOCK})?\s*{_ZONE}?\s*$", re.IGNORECASE)
_DAY_ONLY = re.compile(rf"^\s*{_DATE}\s*$")
_CLOCK_ONLY = re.compile(rf"^\s*{_CLOCK}\s*{_ZONE}?\s*$", re.IGNORECASE)
_NUMBERS = ("y", "mo", "d", "a", "b", "y2", "h", "mi", "s")  # regex groups that hold numbers
_DURATION = re.compile(
    r"^\s*(?:(?P<dec>\d+(?:[.,]\d*)?|[.,]\d+)|(?P<h>\d+):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}))?)\s*$"
)


@dataclass(frozen=True)
class ParsedLog:
    format: str  # one of FORMATS
    frame: pd.DataFrame  # ENTRY_COLUMNS
    issues: tuple[IngestIssue, ...]


# --- public API -----------------------------------------------------------------------------------


def read_csv_log(data: bytes, *, file_name: str, tz: ZoneInfo, areas: Sequence[str]) -> ParsedLog:
    """Entries of a CSV file in one of FORMATS; raise CsvError only if the file is unusable."""
    text = _decode(data, file_name)
    header, records, lines, issues = _tokenise(text, file_name)
    fmt = _detect(header)
    if fmt is None:
        shown = ", ".join(repr(name[:40]) for name in header[:20]) + (", ..." if len(header) > 20 else "")
        raise CsvError(
            f"the header row ({shown}) matches no known format",
            path=file_name,
            line=1,
            hint=f"Expected one of: {_EXPECTED}. {DOCS}",
        )
    columns = list(zip(*records, strict=True)) if records else [()] * len(header)
    cells = pd.DataFrame({i: pd.Series(column, dtype=str) for i, column in enumerate(columns)})
    cells.columns = pd.Index(header)
    cells = cells.loc[:, ~cells.columns.duplicated()]  # the first of two equal names wins
    raw = _own_fields(cells, file_name) if fmt == "balance-dash" else _tracker_fields(cells, fmt)
    frame, row_issues = _entries(raw, pd.Series(lines, dtype="int64"), tz, areas)
    return ParsedLog(fmt, frame, tuple(sorted([*issues, *row_issues], key=lambda issue: issue.line or 0)))


def make_entry(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    day: date | None = None,
    duration_hours: float | None = None,
    area: str,
    note: str = "",
    tz: ZoneInfo,
    areas: Sequence[str],
) -> pd.DataFrame:
    """One validated entry (a one-row ENTRY_COLUMNS frame) from `start` + (`end` | `duration_hours`)
    or `day` + `duration_hours` (starting at DEFAULT_START); naive datetimes are wall time in `tz`."""
    if start is None:
        if day is None:
            raise InvalidValueError("give a start time or a day")
        start = datetime.combine(day, DEFAULT_START)
    elif day is not None:
        raise InvalidValueError("give a start time or a day, not both")
    if (end is None) == (duration_hours is None):
        raise InvalidValueError("give an end or a duration (one of them)")
    start_utc = _single_utc(start, tz, "start")
    if end is not None:
        end_utc = _single_utc(end, tz, "end")
    else:
        hours = float(duration_hours or 0.0)
        if not 0 < hours <= MAX_ENTRY / timedelta(hours=1):  # also false for NaN
            raise InvalidValueError(
                f"duration {duration_hours} h is not between 0 and {MAX_ENTRY.days * 24} hours"
            )
        end_utc = start_utc + timedelta(seconds=round(hours * 3600))
    shown = f"{end_utc.astimezone(tz):%Y-%m-%d %H:%M} is not after start {start_utc.astimezone(tz):%Y-%m-%d %H:%M}"
    if end_utc <= start_utc:
        raise InvalidValueError(f"end {shown}", hint="An entry must last some time.")
    if end_utc - start_utc > MAX_ENTRY:
        raise InvalidValueError(
            f"the entry lasts more than {MAX_ENTRY.days} days", hint="Log long stretches in parts."
        )
    raw = pd.DataFrame(
        {
            "title": [note.strip()[:TITLE_CHARS]],
            "description": [""],
            "start_utc": pd.Series([start_utc]).astype("datetime64[us, UTC]"),
            "end_utc": pd.Series([end_utc]).astype("datetime64[us, UTC]"),
            "area": pd.Series([_canonical_area(area, areas)], dtype=object),
        }
    )
    return _finish(raw)


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime:
    """An aware UTC datetime from "2026-11-23 09:30" (wall time in `tz`) or ISO 8601 with an offset."""
    parsed = _instants(_parts(pd.Series([text], dtype=str), None), tz, day_first=False)
    hint = "Write it as YYYY-MM-DD HH:MM (local time), or ISO 8601 with an offset such as 2026-11-23T09:30+01:00."
    if not parsed["iso"].iloc[0]:
        raise InvalidValueError(f"{text!r} is not a date and time", hint=hint)
    problem = str(parsed["problem"].iloc[0])
    if problem:
        raise InvalidValueError(f"{text!r} {problem}", hint=hint)
    if not parsed["has_time"].iloc[0]:
        raise InvalidValueError(f"{text!r} has no time of day", hint=hint)
    value: datetime = parsed["utc"].iloc[0].to_pydatetime()
    return value.astimezone(UTC)


# --- reading the file ---------------------------------------------------------------------------


def _decode(data: bytes, file_name: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise CsvError(
            "is a spreadsheet workbook or another zip file, not a CSV file",
            path=file_name,
            hint="Save or export it as CSV.",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvError(
                "is not valid UTF-16 text", path=file_name, hint="Save it as CSV in UTF-8."
            ) from exc
    if b"\x00" in data:
        raise CsvError(
            "contains binary data, so it is not a CSV file", path=file_name, hint="Save or export it as CSV."
        )
    data = data.removeprefix(codecs.BOM_UTF8)  # Excel may put a UTF-8 BOM even before Latin-1 text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # Excel on Windows writes its ANSI code page; Latin-1 below reads any byte at all
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _tokenise(text: str, file_name: str) -> tuple[list[str], list[list[str]], list[int], list[IngestIssue]]:
    """Header (normalised names), data records padded to its width, their line numbers, issues.

    csv.reader rather than pd.read_csv: it reports the line where each record starts (quoted
    notes may span lines) and lets a ragged row be one issue instead of a failed file."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    issues: list[IngestIssue] = []
    previous = 0
    try:
        for record in reader:
            line, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [
                    _ALIASES.get(name, name)
                    for name in (" ".join(c.replace("\ufeff", "").lower().split()) for c in record)
                ]
                continue
            extra = record[len(header) :]
            if any(cell.strip() for cell in extra):
                message = f"row {line}: has {len(record)} fields but the header has {len(header)}; the row was skipped"
                issues.append(IngestIssue(ISSUE_SKIPPED, message, line=line, unit="row"))
                continue
            records.append((record + [""] * len(header))[: len(header)])
            lines.append(line)
    except csv.Error as exc:
        raise CsvError(
            f"cannot be read as CSV ({exc})", path=file_name, line=reader.line_num, hint=DOCS
        ) from exc
    if header is None:
        raise CsvError(
            "is empty", path=file_name, hint="Export the entries again, with a header row. " + DOCS
        )
    return header, records, lines, issues


def _detect(header: Sequence[str]) -> str | None:
    names = set(header)
    if {"project", "description", "start date", "start time"} <= names:
        if names & {"duration (h)", "duration (decimal)"}:
            return "clockify"
        if "duration" in names:
            return "toggl"
    if ("start" in names and names & {"end", "duration"}) or {"date", "duration"} <= names:
        return "balance-dash"
    return None


def _column(cells: pd.DataFrame, *names: str) -> pd.Series:
    """The first of `names` present, stripped; empty strings when none is."""
    for name in names:
        if name in cells.columns:
            return cells[name].str.strip()
    return pd.Series("", index=cells.index, dtype=str)


# --- format-specific fields -> one shape: start/end/duration texts, area, title, description -----


def _own_fields(cells: pd.DataFrame, file_name: str) -> pd.DataFrame:
    names = set(cells.columns)
    if {"start", "date"} <= names:
        raise CsvError(
            "has both a start and a date column",
            path=file_name,
            line=1,
            hint=f"Use start with end or duration, or date with duration (and start_time). {DOCS}",
        )
    if "start" in names:
        start = _column(cells, "start")
        fields = {"start": start, "start_shown": start, "stacked": False}
    else:  # date + duration; without a start_time the entries of a day are laid end to end
        day, at = _column(cells, "date"), _column(cells, "start_time")
        stacked = at == ""
        fields = {
            "start": day,
            "start_clock": at.where(~stacked, DEFAULT_START.strftime("%H:%M")),
            "start_shown": day + (" " + at).where(~stacked, ""),
            "stacked": stacked,
        }
    end = _column(cells, "end")
    return pd.DataFrame(
        {
            **fields,
            "end": end,
            "end_shown": end,
            "duration": _column(cells, "duration"),
            "area": _column(cells, "area"),
            "title": _column(cells, "note"),
            "description": "",
        }
    ).assign(has_area="area" in names)


def _tracker_fields(cells: pd.DataFrame, fmt: str) -> pd.DataFrame:
    start_day, start_at = _column(cells, "start date"), _column(cells, "start time")
    end_day, end_at = _column(cells, "end date", "stop date"), _column(cells, "end time", "stop time")
    labels = {"project": "Project", "client": "Client", "task": "Task", "tags": "Tags"}
    description = pd.Series("", index=cells.index, dtype=str)
    for name, label in labels.items():  # "Project: Website; Client: Acme; Tags: design" for the rules
        value = _column(cells, name)
        description = description + (f"{label}: " + value + "; ").where(value != "", "")
    title = _column(cells, "description")
    duration_names = ("duration",) if fmt == "toggl" else ("duration (h)", "duration (decimal)")
    return pd.DataFrame(
        {
            "start": start_day,
            "start_clock": start_at,
            "start_shown": (start_day + " " + start_at).str.strip(),
            "stacked": False,
            "end": end_day,
            "end_clock": end_at,
            "end_shown": (end_day + " " + end_at).str.strip(),
            "duration": _column(cells, *duration_names),
            "area": "",
            "title": title.where(title != "", _column(cells, "project")),
            "description": description.str.slice(0, -2),
        }
    ).assign(has_area=False)


# --- one shape -> entries and issues ----------------------------------------------------------------


def _entries(
    raw: pd.DataFrame, lines: pd.Series, tz: ZoneInfo, areas: Sequence[str]
) -> tuple[pd.DataFrame, list[IngestIssue]]:
    problem = pd.Series("", index=raw.index, dtype=str)

    def report(mask: pd.Series, messages: pd.Series | str) -> None:
        nonlocal problem
        problem = problem.mask(mask & (problem == ""), messages)

    area = _areas(raw["area"], areas)
    if bool(raw["has_area"].any()):
        report(
            area.isna() & (raw["area"] != ""),
            "area " + _quoted(raw["area"]) + f" is not one of {', '.join(areas)}",
        )
    area = area.where(area.notna() & (area != ""), None).astype(object)

    has_end = raw["end_shown"] != ""
    start_parts = _parts(raw["start"], raw.get("start_clock"))
    end_parts = _parts(raw["end"], raw.get("end_clock"))
    day_first, ambiguous = _day_order(pd.concat([start_parts, end_parts[has_end]]))
    start = _instants(start_parts, tz, day_first)
    end = _instants(end_parts, tz, day_first)
    report(start["problem"] != "", "start " + _quoted(raw["start_shown"]) + " " + start["problem"])
    report(~start["has_time"], "start " + _quoted(raw["start_shown"]) + " has no time of day")
    report(has_end & (end["problem"] != ""), "end " + _quoted(raw["end_shown"]) + " " + end["problem"])
    report(has_end & ~end["has_time"], "end " + _quoted(raw["end_shown"]) + " has no time of day")
    seconds = _duration_seconds(raw["duration"])
    no_end = ~has_end
    report(no_end & (raw["duration"] == ""), "gives neither an end nor a duration")
    report(
        no_end & seconds.isna(),
        "duration " + _quoted(raw["duration"]) + " is not hours (1.5) or hours:minutes (1:30)",
    )
    too_long = seconds > MAX_ENTRY.total_seconds()
    report(no_end & too_long, f"duration is longer than {MAX_ENTRY.days} days")
    seconds = seconds.where(~too_long, 0.0).fillna(0.0)  # keeps the arithmetic below in bounds

    stacked = raw["stacked"].astype(bool) & (problem == "")
    local_day = start["utc"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    laid = seconds.where(stacked, 0.0)
    offset = laid.groupby(local_day, dropna=False).cumsum() - laid
    start_utc = start["utc"] + pd.to_timedelta(offset.where(stacked, 0.0), unit="s")
    end_utc = end["utc"].where(has_end, start_utc + pd.to_timedelta(seconds, unit="s"))

    length = end_utc - start_utc
    report(
        length < pd.Timedelta(0),
        "end " + _quoted(raw["end_shown"]) + " is before start " + _quoted(raw["start_shown"]),
    )
    report(length == pd.Timedelta(0), "the entry lasts no time (its end is its start)")
    report(length > MAX_ENTRY, f"the entry lasts more than {MAX_ENTRY.days} days")

    bad = problem != ""
    issues = [
        IngestIssue(ISSUE_SKIPPED, f"row {row}: {message}; the row was skipped", line=int(row), unit="row")
        for row, message in zip(lines[bad], problem[bad], strict=True)
    ]
    long = ~bad & (length > LONG_ENTRY)
    issues += [
        IngestIssue(
            ISSUE_WARNING,
            f"row {row}: the entry lasts {hours:.1f} hours (more than a day); it was imported, check it",
            line=int(row), unit="row",
        )
        for row, hours in zip(lines[long], length[long].dt.total_seconds() / 3600, strict=True)
    ]
    if ambiguous and bool((~bad).any()):
        message = (
            f"row 1: dates such as {ambiguous} could be month/day or day/month and were read as month/day/year; "
            "if they are day/month/year, export with the date format YYYY-MM-DD"
        )
        issues.append(IngestIssue(ISSUE_WARNING, message, line=1, unit="row"))
    good = pd.DataFrame(
        {
            "title": raw["title"].str.slice(0, TITLE_CHARS),
            "description": raw["description"].str.slice(0, DESCRIPTION_CHARS),
            "start_utc": start_utc,
            "end_utc": end_utc,
            "area": area,
        }
    )[~bad]
    return _finish(good.reset_index(drop=True)), issues


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Add uid and location and order the columns. A uid hashes what the entry is (its instants in
    microseconds since 1970, title and area), so the same file gives the same uids and a form entry
    the same uid as that entry in a file; equal entries in one file are numbered (`<hash>-2`)."""
    out = frame.astype({"start_utc": "datetime64[us, UTC]", "end_utc": "datetime64[us, UTC]"})
    area = out["area"].astype(object).where(out["area"].notna(), None)
    keys = zip(
        out["start_utc"].astype("int64"), out["end_utc"].astype("int64"), out["title"], area, strict=True
    )
    digests = [
        hashlib.sha256(f"{s}\x1f{e}\x1f{t}\x1f{a or ''}".encode()).hexdigest()[:32] for s, e, t, a in keys
    ]
    uid = pd.Series(digests, index=out.index, dtype=str)
    repeat = uid.groupby(uid).cumcount()
    uid = uid.where(repeat == 0, uid + "-" + (repeat + 1).astype(str))
    return out.assign(uid=uid, location="", area=area).loc[:, list(ENTRY_COLUMNS)]


# --- values ------------------------------------------------------------------------------------------


def _quoted(texts: pd.Series) -> pd.Series:
    return "'" + texts.str.slice(0, 60) + "'"


def _canonical_area(area: str, areas: Sequence[str]) -> str | None:
    found = _areas(pd.Series([area], dtype=str), areas).iloc[0]
    if pd.isna(found):
        raise InvalidValueError(f"area {area!r} is not one of {', '.join(areas)}")
    return None if found == "" else str(found)


def _areas(texts: pd.Series, areas: Sequence[str]) -> pd.Series:
    """Canonical area names; "" for no area (empty or "uncategorized"), NaN for an unknown one."""
    lookup = {name.lower(): name for name in areas} | {"": "", UNCATEGORIZED: ""}
    return texts.str.strip().str.lower().map(lookup)


def _duration_seconds(texts: pd.Series) -> pd.Series:
    """Whole seconds from hours ("1.5", "1,5") or clock durations ("1:30", "01:30:00"); NaN if neither."""
    parts = _extract(texts, _DURATION)
    decimal = pd.to_numeric(parts["dec"].str.replace(",", ".", regex=False), errors="coerce") * 3600
    h, m, s = (pd.to_numeric(parts[name]) for name in ("h", "m", "s"))
    clock = (h * 3600 + m * 60 + s.fillna(0)).where((m < 60) & (s.fillna(0) < 60))
    return decimal.fillna(clock).round()


def _day_order(parts: pd.DataFrame) -> tuple[bool, str]:
    """Whether dates like 03/06/2024 are day-first (the file decides: a first part above 12 is a
    day); and an example when the file cannot tell (then they are read month-first, as in the US
    default of Toggl Track and Clockify). Dotted dates (23.11.2026) are always day-first."""
    other = parts["sep"].notna() & (parts["sep"] != ".")
    a, b = parts["a"][other], parts["b"][other]
    if bool((a > 12).any()):
        return True, ""
    if bool((b > 12).any()) or not bool(other.any()):
        return False, ""
    example = parts[other].iloc[0]
    sep = example["sep"]
    return False, f"{int(example['a']):02d}{sep}{int(example['b']):02d}{sep}{int(example['y2'])}"


def _extract(texts: pd.Series, pattern: re.Pattern[str]) -> pd.DataFrame:
    """`texts.str.extract(pattern)` with the digit groups as numbers, run once per distinct text
    (dates and times repeat a lot)."""
    codes, uniques = pd.factorize(texts)
    found = pd.Series(uniques, dtype=str).str.extract(pattern)
    for name in [column for column in found.columns if column in _NUMBERS]:
        found[name] = pd.to_numeric(found[name], errors="coerce")
    return found.iloc[codes].set_axis(texts.index)


def _parts(day: pd.Series, clock: pd.Series | None) -> pd.DataFrame:
    """The pieces of date-and-time texts, or of a date column and a time column."""
    if clock is None:
        return _extract(day, _DATETIME)
    parts = pd.concat([_extract(day, _DAY_ONLY), _extract(clock, _CLOCK_ONLY)], axis=1)
    unreadable = (clock != "") & parts["h"].isna()  # a bad time makes the value unreadable, not timeless
    parts[["y", "y2"]] = parts[["y", "y2"]].mask(unreadable)
    return parts


def _instants(parts: pd.DataFrame, tz: ZoneInfo, day_first: bool) -> pd.DataFrame:
    """Per value: `utc` (NaT if bad), `problem` ("" if fine), `has_time`, `iso` (YYYY-MM-DD form)."""
    number = {name: parts[name] for name in _NUMBERS}
    first_is_day = (parts["sep"] == ".") | day_first
    year = number["y"].fillna(number["y2"])
    month = number["mo"].fillna(number["b"].where(first_is_day, number["a"]))
    day = number["d"].fillna(number["a"].where(first_is_day, number["b"]))
    hour, minute, second = number["h"].fillna(0), number["mi"].fillna(0), number["s"].fillna(0)
    ampm = parts["ampm"].str.lower().str.replace(".", "", regex=False)
    twelve = ampm.notna()
    hour = hour.where(~twelve, hour % 12 + 12 * (ampm == "pm"))
    midnight_end = ~twelve & (hour == 24) & (minute == 0) & (second == 0)  # "24:00" ends a day
    hour = hour.where(~midnight_end, 0)
    micro = pd.to_numeric(
        parts["f"].str.pad(6, side="right", fillchar="0").str.slice(0, 6), errors="coerce"
    ).fillna(0)

    matched = year.notna()
    in_range = year.between(*YEARS)
    valid = (
        matched
        & in_range
        & month.between(1, 12)
        & day.between(1, 31)
        & hour.between(0, 23)
        & minute.between(0, 59)
        & second.between(0, 59)
        & (~twelve | number["h"].between(1, 12))
    )
    components = (
        pd.DataFrame(
            {
                "year": year,
                "month": month,
                "day": day,
                "hour": hour,
                "minute": minute,
                "second": second,
                "us": micro,
            }
        )
        .where(valid, 1)
        .astype("int64")
    )
    naive = pd.to_datetime(components, errors="coerce").astype("datetime64[us]").where(valid)
    naive = naive + pd.to_timedelta(midnight_end.astype("int64"), unit="D")

    zone = parts["tz"].str.upper()
    offset = zone.str.extract(r"(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})?")
    offset_minutes = (pd.to_numeric(offset["hh"]) * 60 + pd.to_numeric(offset["mm"]).fillna(0)) * np.where(
        offset["sign"] == "-", -1, 1
    )
    offset_minutes = offset_minutes.where(~zone.isin(["Z", "UTC"]), 0)
    has_zone = zone.notna()
    fixed = (naive - pd.to_timedelta(offset_minutes.fillna(0), unit="min")).dt.tz_localize("UTC")
    # ambiguous=True picks the first of a repeated wall time (the one still on summer time)
    local = naive.dt.tz_localize(
        tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT"
    ).dt.tz_convert("UTC")
    utc = fixed.where(has_zone, local).astype("datetime64[us, UTC]")

    problem = pd.Series("", index=parts.index, dtype=str)
    problem = problem.mask(~matched, "is not a date and time")
    problem = problem.mask(matched & ~in_range, f"has a year outside {YEARS[0]}-{YEARS[1]}")
    problem = problem.mask(matched & in_range & naive.isna(), "is not a valid date and time")
    problem = problem.mask(has_zone & offset_minutes.abs().gt(18 * 60), "has an offset beyond 18 hours")
    skipped = naive.notna() & ~has_zone & local.isna()
    problem = problem.mask(skipped & (problem == ""), f"does not exist in {tz.key} (the clocks jump over it)")
    return pd.DataFrame(
        {"utc": utc, "problem": problem, "has_time": number["h"].notna(), "iso": number["y"].notna()}
    )


def _single_utc(value: datetime, tz: ZoneInfo, label: str) -> datetime:
    """`value` in UTC; naive values are wall time in `tz` (a skipped time is an error, a repeated
    one its first occurrence, as in CSV files)."""
    if value.tzinfo is None:
        aware = value.replace(tzinfo=tz, fold=0)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
            raise InvalidValueError(
                f"{label} {value:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks jump over it)",
                hint="Give a time an hour later.",
            )
        value = aware
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise InvalidValueError(f"{label} {value:%Y-%m-%d} has a year outside {YEARS[0]}-{YEARS[1]}")
    return value.astimezone(UTC)
