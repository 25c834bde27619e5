"""Calendar sources, their occurrences and import runs.

An import replaces a source's occurrences in one transaction, so it succeeds whole or leaves
the database as it was.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from balance_dash.errors import (
    InvalidValueError,
    SourceClashError,
    StaleImportStateError,
    StoreError,
)
from balance_dash.models import (
    LOG_KINDS,
    ImportRun,
    ImportState,
    LiveSource,
    Occurrence,
    Placement,
    Source,
    utc_now,
)
from balance_dash.store.engine import _bump, _frame, _session
from balance_dash.store.records import _upsert_live, check_area

# The columns that make an occurrence what it is; a change in any of them is an "update".
IDENTITY = ("uid", "recurrence_key")
CONTENT = (
    "title", "location", "description", "all_day", "start_utc", "end_utc", "day_start", "day_end", "area",
    "transparent", "busy_status", "organizer", "attendees", "cancelled",
)
# Attendance and availability columns (see ingest.ics.people); rows without them (manual entries) get these.
ATTENDANCE_DEFAULTS: dict[str, Any] = {
    "transparent": False, "busy_status": "", "organizer": "", "attendees": "", "cancelled": False,
}



def load_occurrences(
    engine: Engine,
    *,
    start_utc: datetime | None = None,
    end_utc: datetime | None = None,
    with_description: bool = True,
    source_kinds: Sequence[str] | None = None,
    with_cancelled: bool = False,
    with_attendees: bool = True,
    source_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Occurrences (joined with their source's name) overlapping [start_utc, end_utc).

    Cancelled occurrences are read only `with_cancelled` (to say how many hours a week left out).
    `with_attendees=False` reads the attendee lists and organizers as "" (they are only needed
    once the user's own addresses are known).

    Descriptions are the bulk of the rows; `with_description=False` reads them as "" instead.
    `source_kinds` keeps only the occurrences of sources of those kinds (e.g. models.LOG_KINDS),
    `source_ids` only those of these sources.
    """
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    timed = _cheap_times(engine.dialect.name, (occ.c.start_utc, occ.c.end_utc), (occ.c.day_start, occ.c.day_end))
    # Only the occurrence table's own columns, and only those asked for: the source's name and
    # count_free are mapped on from the few source rows, and the columns left out are filled
    # with "" in pandas. Each column read costs a Python object per row (94k at ten years).
    left_out = ({} if with_description else {"description": ""}) | (
        {} if with_attendees else {"organizer": "", "attendees": ""}
    )
    cheap = {column.name: column for column in timed}
    statement = sa.select(*(cheap.get(name, occ.c[name]) for name in _STORED if name not in left_out))
    sources = sa.select(src.c.id, src.c.name, src.c.count_free)
    if source_kinds is not None:
        sources = sources.where(src.c.kind.in_(list(source_kinds)))
        statement = statement.where(occ.c.source_id.in_(sources.with_only_columns(src.c.id).scalar_subquery()))
    if source_ids is not None:
        statement = statement.where(occ.c.source_id.in_([int(i) for i in source_ids]))
    if not with_cancelled:
        statement = statement.where(occ.c.cancelled == sa.false())
    if start_utc is not None:
        statement = statement.where(
            sa.or_(occ.c.end_utc > start_utc, occ.c.day_end > start_utc.date())
        )
    if end_utc is not None:
        statement = statement.where(
            sa.or_(occ.c.start_utc < end_utc, occ.c.day_start < end_utc.date())
        )
    named = _frame(engine, sources).set_index("id")
    windowed = start_utc is not None or end_utc is not None
    # A period is read through the end and start indexes (near today: a few weeks' rows instead
    # of ten years'); ordering by id in SQL would make SQLite walk the table in id order instead.
    raw = _frame(engine, statement if windowed else statement.order_by(occ.c.id), plain=True)
    if windowed and not raw["id"].is_monotonic_increasing:
        raw = raw.sort_values("id", kind="stable", ignore_index=True)
    known = raw["source_id"].isin(named.index)
    if not known.all():  # a source added (or deleted) between the two reads: as if read before it
        raw = raw[known].reset_index(drop=True)
    source_id = raw["source_id"].astype("int64") if len(raw) else raw["source_id"]
    raw = raw.assign(
        source_name=source_id.map(named["name"]).astype("str"),
        count_free=source_id.map(named["count_free"]).astype(bool),
        **{column: pd.Series(value, index=raw.index, dtype="str") for column, value in left_out.items()},
    )
    return occurrence_frame(raw[list(OCCURRENCE_COLUMNS)])


# The columns of the occurrence table that a read takes, in the order of the frame's contract.
_STORED = (
    "id", "source_id", "uid", "recurrence_key", "title", "location", "description", "all_day",
    "start_utc", "end_utc", "day_start", "day_end", "area", "transparent", "busy_status", "organizer", "attendees",
    "cancelled",
)
# The columns of an occurrence frame (`load_occurrences`), in order.
OCCURRENCE_COLUMNS = (*_STORED[:2], "source_name", *_STORED[2:], "count_free")


def _cheap_times(
    dialect: str, instants: Sequence[sa.ColumnElement[Any]], days: Sequence[sa.ColumnElement[Any]]
) -> list[sa.ColumnElement[Any]]:
    """The instant and day columns in the form the driver hands over cheapest, for `_times` to
    convert in one vectorised step instead of one Python datetime per value.

    SQLite holds them as ISO text: read the text as it is. PostgreSQL gives whole numbers:
    instants as microseconds since 1970 (exact: timestamptz holds microseconds), days as days
    since 1970-01-01. Other databases give the driver's datetimes and dates.
    """
    if dialect == "sqlite":
        return [sa.type_coerce(column, sa.String).label(column.name) for column in (*instants, *days)]
    if dialect == "postgresql":
        epoch_day: sa.ColumnElement[Any] = sa.literal_column("DATE '1970-01-01'")
        return [
            *(sa.cast(sa.extract("epoch", column) * 1_000_000, sa.BigInteger).label(column.name) for column in instants),
            *(sa.type_coerce(column - epoch_day, sa.Integer).label(column.name) for column in days),
        ]
    return [*instants, *days]


def _times(raw: pd.DataFrame, instants: Sequence[str], days: Sequence[str]) -> dict[str, pd.Series]:
    """The instant columns as aware UTC and the day columns as naive days, parsed in one vectorised
    step each: from ISO text (SQLite), whole numbers (PostgreSQL, `_cheap_times`), or the
    driver's datetimes and dates."""
    def whole_numbers(column: str) -> bool:
        values = raw[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            return True  # whole numbers with a missing value arrive as floats (exact below 2**53)
        if values.dtype != object:
            return False
        first = values.first_valid_index()
        return first is not None and isinstance(values[first], int) and not isinstance(values[first], bool)

    def parsed_column(column: str, unit: Literal["us", "D"]) -> pd.Series:
        if whole_numbers(column):
            values = raw[column].to_numpy(dtype=object)
            missing = pd.isna(values)
            filled = np.where(missing, 0, values)
            numbers = filled.astype(np.int64) if raw[column].dtype == object else np.round(filled.astype(np.float64)).astype(np.int64)
            moments = numbers.astype(f"datetime64[{unit}]")
            moments[missing] = np.datetime64("NaT")
            series = pd.Series(moments, index=raw.index)
            return series.dt.tz_localize("UTC") if unit == "us" else series
        if unit == "us":
            return pd.to_datetime(raw[column], utc=True, format=formatted(column))
        return pd.to_datetime(raw[column], format=formatted(column))

    def formatted(column: str) -> str | None:
        values = raw[column]
        if values.dtype != object:
            return "ISO8601" if pd.api.types.is_string_dtype(values) else None
        first = values.first_valid_index()  # one driver fills a column with one type
        return "ISO8601" if first is not None and isinstance(values[first], str) else None

    parsed = {column: parsed_column(column, "us").astype("datetime64[us, UTC]") for column in instants}
    parsed.update({column: parsed_column(column, "D").astype("datetime64[s]") for column in days})
    return parsed


def occurrence_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Give a frame of occurrence rows the dtypes of the engine's contract."""
    return raw.assign(
        **_times(raw, ("start_utc", "end_utc"), ("day_start", "day_end")),
        all_day=raw["all_day"].astype(bool),
        area=raw["area"].astype(object).where(raw["area"].notna(), None),
        **{
            column: raw[column].fillna(False).astype(bool) if column in raw else False
            for column in ("transparent", "cancelled", "count_free")
        },
        **{
            column: raw[column].fillna("").astype(object) if column in raw else ""
            for column in ("busy_status", "organizer", "attendees")
        },
    )


def load_coverage(engine: Engine) -> pd.DataFrame:
    """What time the data covers: per calendar, its first to its last occurrence; per log entry, itself.

    Columns start_utc, end_utc (timed bounds, aware UTC or NaT) and first_day, last_day (the
    all-day bounds as local days, `day_end` exclusive; NaT where the rows hold none). Cancelled
    occurrences say nothing about the user's time and are left out.
    """
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    live = occ.c.cancelled == sa.false()
    calendars = (
        sa.select(
            sa.func.min(occ.c.start_utc).label("start_utc"), sa.func.max(occ.c.end_utc).label("end_utc"),
            sa.func.min(occ.c.day_start).label("first_day"), sa.func.max(occ.c.day_end).label("last_day"),
        )
        .join(src, src.c.id == occ.c.source_id)
        .where(src.c.kind.not_in(list(LOG_KINDS)), live)
        .group_by(occ.c.source_id)
    )
    entries = (
        sa.select(
            occ.c.start_utc, occ.c.end_utc, occ.c.day_start.label("first_day"), occ.c.day_end.label("last_day")
        )
        .join(src, src.c.id == occ.c.source_id)
        .where(src.c.kind.in_(list(LOG_KINDS)), live)
    )
    with engine.connect() as connection:
        rows = [*connection.execute(calendars).all(), *connection.execute(entries).all()]
    frame = pd.DataFrame(rows, columns=["start_utc", "end_utc", "first_day", "last_day"], dtype=object)
    return frame.assign(**_times(frame, ("start_utc", "end_utc"), ("first_day", "last_day")))


def coverage_of(occurrences: pd.DataFrame, log_source_ids: Collection[int]) -> pd.DataFrame:
    """`load_coverage` worked out from a frame of every occurrence (`load_occurrences` with
    `with_cancelled=True` and no period) instead of a second pass over the table: the same rows,
    as a dashboard that has read the whole history needs them."""
    live = occurrences[~occurrences["cancelled"].astype(bool)]
    logged = live["source_id"].isin(list(log_source_ids))
    calendars = live[~logged].groupby("source_id", sort=False).agg(
        start_utc=("start_utc", "min"), end_utc=("end_utc", "max"),
        first_day=("day_start", "min"), last_day=("day_end", "max"),
    )
    entries = live.loc[logged, ["start_utc", "end_utc", "day_start", "day_end"]]
    entries = entries.rename(columns={"day_start": "first_day", "day_end": "last_day"})
    frame = pd.concat([calendars.reset_index(drop=True), entries.reset_index(drop=True)], ignore_index=True)
    return frame.astype({"start_utc": "datetime64[us, UTC]", "end_utc": "datetime64[us, UTC]",
                         "first_day": "datetime64[s]", "last_day": "datetime64[s]"})


def load_sources(engine: Engine, *, with_counts: bool = True) -> pd.DataFrame:
    """Sources with their occurrence counts and date range (columns `occurrences`, `first`, `last`).

    `with_counts=False` reads the source rows alone: counting takes a pass over every
    occurrence, which deciding areas does not need.
    """
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    own = (
        src.c.id, src.c.name, src.c.kind, src.c.area, src.c.area_forced, src.c.count_free, src.c.file_name,
        src.c.imported_at,
    )
    if not with_counts:
        return _frame(engine, sa.select(*own).order_by(src.c.name))
    statement = (
        sa.select(
            *own,
            sa.func.count(occ.c.id).label("occurrences"),
            sa.func.min(sa.func.coalesce(occ.c.start_utc, occ.c.day_start)).label("first"),
            sa.func.max(sa.func.coalesce(occ.c.end_utc, occ.c.day_end)).label("last"),
        )
        .select_from(src.outerjoin(occ, (occ.c.source_id == src.c.id) & (occ.c.cancelled == sa.false())))
        .group_by(src.c.id)
        .order_by(src.c.name)
    )
    return _frame(engine, statement)


def load_import_runs(engine: Engine, limit: int = 50) -> pd.DataFrame:
    runs = ImportRun.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    statement = (
        sa.select(runs, src.c.name.label("source_name"))
        .join(src, src.c.id == runs.c.source_id)
        .order_by(runs.c.at.desc())
        .limit(limit)
    )
    return _frame(engine, statement)


def count_occurrences(engine: Engine, *, with_cancelled: bool = False) -> int:
    """How many occurrences the database holds (cancelled ones only `with_cancelled`)."""
    statement = sa.select(sa.func.count()).select_from(Occurrence)
    if not with_cancelled:
        statement = statement.where(Occurrence.cancelled == sa.false())  # type: ignore[arg-type]
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class ReplaceCounts:
    """What replacing a source's occurrences did."""

    source_id: int
    added: int
    updated: int
    removed: int
    unchanged: int


def fingerprints(frame: pd.DataFrame) -> pd.Series:
    """A stable hash per row of the content columns (vectorised, same across runs and machines)."""
    missing = {column: value for column, value in ATTENDANCE_DEFAULTS.items() if column not in frame}
    content = frame.assign(**missing).reindex(columns=list(CONTENT))
    # Column by column: text columns are hashed as they are, so no second copy of every
    # description is made at once (they are most of a long history's bytes).
    combined: npt.NDArray[np.uint64] = np.zeros(len(content), dtype=np.uint64)
    for column in CONTENT:
        values = content[column]
        if column in ("start_utc", "end_utc"):
            values = _instant_text(values)
        elif values.dtype != object:
            values = values.astype(str)
        hashed = pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64)
        combined = np.bitwise_xor(np.multiply(combined, np.uint64(0x100000001B3)), hashed)  # FNV's prime, modulo 2**64
    return pd.Series(combined, index=frame.index).map("{:016x}".format)


def _instant_text(values: pd.Series) -> pd.Series:
    """`values.astype(str)` for aware instants, about ten times faster for whole seconds.

    pandas writes "YYYY-MM-DD HH:MM:SS+00:00" when every instant is a whole second (iCalendar
    times are); anything else keeps pandas' own formatting, so fingerprints never change.
    """
    if values.empty or not isinstance(values.dtype, pd.DatetimeTZDtype) or str(values.dt.tz) != "UTC":
        return values.astype(str)
    micros = values.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    missing = np.isnat(micros)
    if (micros[~missing].astype(np.int64) % 1_000_000).any():
        return values.astype(str)
    text = np.char.add(np.char.replace(np.datetime_as_string(micros, unit="s"), "T", " "), "+00:00")
    return pd.Series(_none_where(missing, text), index=values.index, dtype="str")


def _column_values(frame: pd.DataFrame, *, as_text: bool) -> dict[str, list[Any]]:
    """The occurrence columns as plain lists (vectorised), missing values as None.

    `as_text` gives what SQLAlchemy itself writes to SQLite: instants as UTC
    "YYYY-MM-DD HH:MM:SS.ffffff", days as "YYYY-MM-DD", flags as 0/1. Otherwise instants are
    aware UTC datetimes and days dates, for the driver to adapt.
    """
    values: dict[str, list[Any]] = {}
    for column in (*IDENTITY, "title", "location", "description", "area", "fingerprint"):
        series = frame[column] if column in frame else pd.Series(None, index=frame.index, dtype=object)
        values[column] = series.astype(object).where(series.notna(), None).tolist()
    for column in ("busy_status", "organizer", "attendees"):
        series = frame[column] if column in frame else pd.Series("", index=frame.index, dtype=object)
        values[column] = series.astype(object).where(series.notna(), "").tolist()
    for column in ("all_day", "transparent", "cancelled"):
        flags = frame[column].fillna(False).astype(bool) if column in frame else pd.Series(False, index=frame.index)
        values[column] = flags.astype(int).tolist() if as_text else flags.tolist()
    for column in ("start_utc", "end_utc"):
        instants = pd.to_datetime(frame[column], utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        if as_text:
            text = np.char.replace(np.datetime_as_string(instants, unit="us"), "T", " ").astype(object)
        else:
            text = pd.Series(instants).dt.tz_localize(UTC).dt.to_pydatetime().astype(object)
        values[column] = _none_where(np.isnat(instants), text)
    for column in ("day_start", "day_end"):
        days = pd.to_datetime(frame[column]).to_numpy(dtype="datetime64[D]")
        shown = np.datetime_as_string(days, unit="D").astype(object) if as_text else days.astype(object)
        values[column] = _none_where(np.isnat(days), shown)
    return values


def _none_where(missing: np.ndarray, values: Any) -> list[Any]:
    out = np.asarray(values, dtype=object).copy()
    out[missing] = None
    return list(out.tolist())


def _insert_occurrences(connection: Connection, frame: pd.DataFrame, source_id: int) -> None:
    """Insert occurrence rows with one driver-level executemany (no ORM objects, no per-row Python
    conversion): SQLite gets the exact text SQLAlchemy would write, other databases Core rows."""
    if frame.empty:
        return
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy_occurrences(connection, frame, source_id)
        return
    sqlite = connection.dialect.name == "sqlite"
    values = _column_values(frame, as_text=sqlite)
    names = list(values)
    if sqlite:
        statement = (
            f"INSERT INTO occurrence (source_id, {', '.join(names)}) VALUES (?{', ?' * len(names)})"
        )
        rows = zip(itertools.repeat(source_id), *values.values(), strict=False)
        connection.exec_driver_sql(statement, list(rows))
        return
    records = [dict(zip(names, row, strict=True)) for row in zip(*values.values(), strict=True)]
    for record in records:
        record["source_id"] = source_id
    connection.execute(sa.insert(Occurrence.__table__), records)  # type: ignore[attr-defined]


def _copy_occurrences(connection: Connection, frame: pd.DataFrame, source_id: int) -> None:
    """PostgreSQL: the rows through COPY (psycopg's `Cursor.copy`), in the transaction of `connection`.

    The values go as the text PostgreSQL reads for each column type: instants as the UTC text
    SQLite is given, with its "+00" offset; days as "YYYY-MM-DD"; flags as booleans.
    """
    values = _column_values(frame, as_text=True)
    for column in ("start_utc", "end_utc"):
        values[column] = [None if value is None else f"{value}+00" for value in values[column]]
    for column in ("all_day", "transparent", "cancelled"):
        values[column] = [bool(value) for value in values[column]]
    names = ", ".join(values)
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection of a transaction
    statement = f"COPY occurrence (source_id, {names}) FROM STDIN"
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in zip(itertools.repeat(source_id), *values.values(), strict=False):
                copy.write_row(row)
    except dbapi_error as exc:  # the driver's own error, as SQLAlchemy words the other writes' errors
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi_error) from exc


def replace_occurrences(
    engine: Engine,
    *,
    source: Mapping[str, Any],
    frame: pd.DataFrame,
    report: Sequence[Mapping[str, Any]] = (),
    skipped: int = 0,
    scope: ReplaceScope | None = None,
    live: Mapping[str, Any] | None = None,
    state: Mapping[str, Any] | None = None,
    state_replaces: str | None = None,
) -> ReplaceCounts:
    """Make `frame` the source's occurrences, in one transaction; keyed by (uid, recurrence_key).

    `source` holds the Source fields (`name` required); the source is created or updated.
    Placements survive because they are keyed by uid and recurrence key, not by row id.
    `scope` limits what may be removed (a live sync that saw only part of the calendar); `live`
    holds LiveSource fields written in the same transaction (see `save_live_source`). `state`
    holds the ImportState fields of the read that made `frame` (a file import); without it the
    source's import state is dropped, so a later import of a file never trusts a stale one.
    `state_replaces` is the bytes' hash of the import state `frame` was worked out against (a
    re-import of changed events): if the source's state is another by now, StaleImportStateError
    is raised and nothing is written.
    """
    frame = frame.assign(fingerprint=fingerprints(frame))
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    try:
        with engine.begin() as connection:
            source_id = _upsert_source(connection, source)
            _check_state(connection, source_id, state_replaces)
            existing = _existing_rows(connection, source_id, scope)
            merged = frame.merge(
                existing.drop(columns="removable"), on=list(IDENTITY), how="outer", suffixes=("", "_old"), indicator=True
            )
            new = merged[merged["_merge"] == "left_only"]
            gone = merged[merged["_merge"] == "right_only"]
            if scope is not None:
                gone = gone[gone["id"].isin(existing.loc[existing["removable"], "id"])]
            both = merged[merged["_merge"] == "both"]
            changed = both[both["fingerprint"] != both["fingerprint_old"]]
            ids_to_delete = [*gone["id"].astype(int), *changed["id"].astype(int)]
            for chunk_start in range(0, len(ids_to_delete), 10_000):
                chunk = ids_to_delete[chunk_start : chunk_start + 10_000]
                connection.execute(sa.delete(occ).where(occ.c.id.in_(chunk)))
            to_insert = pd.concat([new, changed])
            _insert_occurrences(connection, to_insert, source_id)
            # The counts are about occurrences: a cancelled one stored to report it is not one.
            counts = ReplaceCounts(
                source_id=source_id,
                added=int((~new["cancelled"].fillna(False).astype(bool)).sum()) if "cancelled" in new else len(new),
                updated=_count_uncancelled(changed),
                removed=int((~gone["cancelled_old"].fillna(False).astype(bool)).sum()),
                unchanged=_count_uncancelled(both) - _count_uncancelled(changed),
            )
            connection.execute(
                sa.insert(ImportRun.__table__),  # type: ignore[attr-defined]
                {
                    "source_id": source_id,
                    "at": utc_now(),
                    "file_name": str(source.get("file_name") or ""),
                    "added": counts.added,
                    "updated": counts.updated,
                    "removed": counts.removed,
                    "unchanged": counts.unchanged,
                    "skipped": skipped,
                    "report": json.dumps(list(report)),
                },
            )
            if live is not None:
                _upsert_live(connection, source_id, live)
            _write_import_state(connection, source_id, state)
            _bump(connection)
    except OperationalError as exc:
        raise StoreError(f"the import could not be written; nothing was changed: {exc.orig}") from exc
    return counts


def _check_state(connection: Connection, source_id: int, expected: str | None) -> None:
    """Refuse a write worked out against an import state that another import replaced meanwhile."""
    if expected is None:
        return
    table = ImportState.__table__  # type: ignore[attr-defined]
    found = connection.execute(sa.select(table.c.content_sha256).where(table.c.source_id == source_id)).scalar()
    if found != expected:
        raise StaleImportStateError(source_id)


def _write_import_state(connection: Connection, source_id: int, state: Mapping[str, Any] | None) -> None:
    table = ImportState.__table__  # type: ignore[attr-defined]
    connection.execute(sa.delete(table).where(table.c.source_id == source_id))
    if state is not None:
        fields = {key: value for key, value in state.items() if key in table.c and key != "source_id"}
        connection.execute(sa.insert(table).values(source_id=source_id, **fields))


_STATE_COLUMNS = (
    "source_id", "content_sha256", "options_sha256", "read_at", "window_start", "window_end", "head_sha256", "summary",
)


def load_import_states(engine: Engine) -> list[dict[str, Any]]:
    """The import state of each calendar file's source (ImportState without `events`), with the source's name."""
    table = ImportState.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    statement = sa.select(*(table.c[name] for name in _STATE_COLUMNS), src.c.name, src.c.count_free).join(
        src, src.c.id == table.c.source_id
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(statement)]


def load_import_events(engine: Engine, source_id: int) -> str:
    """The per-event state (JSON) of a source's last file read; "{}" when there is none."""
    table = ImportState.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        found = connection.execute(sa.select(table.c.events).where(table.c.source_id == source_id)).scalar()
    return str(found or "{}")


def record_unchanged_import(
    engine: Engine,
    *,
    source: Mapping[str, Any],
    unchanged: int,
    skipped: int = 0,
    report: Sequence[Mapping[str, Any]] = (),
    state: Mapping[str, Any] | None = None,
    state_replaces: str | None = None,
) -> int:
    """An import that found the source's occurrences already as the file has them: update the
    source's fields (area, file name), record the run (everything unchanged) and, when given,
    the changed `state` fields (the bytes' hash); the occurrences are not touched.
    `state_replaces` as in `replace_occurrences`."""
    table = ImportState.__table__  # type: ignore[attr-defined]
    try:
        with engine.begin() as connection:
            source_id = _upsert_source(connection, source)
            _check_state(connection, source_id, state_replaces)
            connection.execute(
                sa.insert(ImportRun.__table__),  # type: ignore[attr-defined]
                {
                    "source_id": source_id, "at": utc_now(), "file_name": str(source.get("file_name") or ""),
                    "added": 0, "updated": 0, "removed": 0, "unchanged": unchanged, "skipped": skipped,
                    "report": json.dumps(list(report)),
                },
            )
            if state:
                fields = {key: value for key, value in state.items() if key in table.c and key != "source_id"}
                connection.execute(sa.update(table).where(table.c.source_id == source_id).values(**fields))
            _bump(connection)
    except OperationalError as exc:
        raise StoreError(f"the import could not be written; nothing was changed: {exc.orig}") from exc
    return source_id


@dataclass(frozen=True)
class ReplaceScope:
    """Which of a source's present occurrences a replace may remove.

    `uids` alone: only the occurrences of these events (a CalDAV sync that fetched a few
    objects; nothing else is even read). With `since_utc`: occurrences of `uids` from
    `window_start_utc` on, and every occurrence starting at or after `since_utc` (a feed that
    covers only a window; see docs/live-sources.md). With `gone_uids` as well (a feed sync that
    re-read only its changed events): the same rule, but only the occurrences of `uids` and
    `gone_uids` are read, and those of `gone_uids` go only from `since_utc` on.
    """

    uids: frozenset[str]
    since_utc: datetime | None = None
    window_start_utc: datetime | None = None
    gone_uids: frozenset[str] | None = None


def _count_uncancelled(rows: pd.DataFrame) -> int:
    """Rows of a merge that are an occurrence on either side (not a cancelled one on both)."""
    if not len(rows):
        return 0
    now_live = ~rows["cancelled"].fillna(False).astype(bool) if "cancelled" in rows else pd.Series(True, index=rows.index)
    was_live = ~rows["cancelled_old"].fillna(False).astype(bool)
    return int((now_live | was_live).sum())


def _existing_rows(connection: Connection, source_id: int, scope: ReplaceScope | None) -> pd.DataFrame:
    """The source's present rows (id, identity, fingerprint) with whether the replace may remove each."""
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    columns = ["id", "uid", "recurrence_key", "fingerprint", "cancelled_old"]
    base = sa.select(occ.c.id, occ.c.uid, occ.c.recurrence_key, occ.c.fingerprint, occ.c.cancelled).where(
        occ.c.source_id == source_id
    )
    if scope is None:
        found = pd.DataFrame(connection.execute(base).fetchall(), columns=columns)
        return found.assign(removable=True)
    if scope.since_utc is None:
        return pd.DataFrame(_rows_of(connection, base, scope.uids), columns=columns).assign(removable=True)
    raw_text = connection.dialect.name == "sqlite"
    timed = [sa.type_coerce(c, sa.String).label(c.name) if raw_text else c for c in (occ.c.start_utc, occ.c.day_start)]
    if scope.gone_uids is None:
        rows = connection.execute(base.add_columns(*timed)).fetchall()
    else:
        rows = _rows_of(connection, base.add_columns(*timed), scope.uids | scope.gone_uids)
    found = pd.DataFrame(rows, columns=[*columns, "start_utc", "day_start"])
    text_format = "ISO8601" if raw_text else None
    starts = pd.to_datetime(found["start_utc"], utc=True, format=text_format)
    days = pd.to_datetime(found["day_start"], format=text_format).dt.tz_localize(UTC)
    start = starts.fillna(days)
    since = pd.Timestamp(scope.since_utc)
    window_start = pd.Timestamp(scope.window_start_utc or scope.since_utc)
    removable = (start >= since) | (found["uid"].isin(scope.uids) & (start >= window_start))
    return found[columns].assign(removable=removable.fillna(False).astype(bool))


def _rows_of(connection: Connection, query: sa.Select[Any], uids: frozenset[str]) -> list[Any]:
    """The rows of `query` for these events, asked 500 UIDs at a time (bound-parameter limits)."""
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    ordered = sorted(uids)
    return [
        row
        for start in range(0, len(ordered), 500)
        for row in connection.execute(query.where(occ.c.uid.in_(ordered[start : start + 500]))).fetchall()
    ]


def append_occurrences(engine: Engine, *, source: Mapping[str, Any], frame: pd.DataFrame) -> ReplaceCounts:
    """Add rows to a source (manual entries), keeping what it has; a row already there is unchanged."""
    frame = frame.assign(fingerprint=fingerprints(frame))
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        source_id = _upsert_source(connection, source)
        present = {
            row[0] for row in connection.execute(
                sa.select(occ.c.uid).where(occ.c.source_id == source_id, occ.c.uid.in_(frame["uid"].tolist()))
            )
        }
        new = frame[~frame["uid"].isin(present)].drop_duplicates(list(IDENTITY))
        _insert_occurrences(connection, new, source_id)
        _bump(connection)
    return ReplaceCounts(source_id=source_id, added=len(new), updated=0, removed=0, unchanged=len(frame) - len(new))


def update_entries(engine: Engine, changes: Sequence[Mapping[str, Any]]) -> int:
    """Change the title and area of manual entries (dicts with id, title, area), in one transaction."""
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    for change in changes:
        if change["area"] is not None:
            check_area(str(change["area"]), allow_uncategorized=False)
    with engine.begin() as connection:
        for change in changes:
            connection.execute(
                sa.update(occ)
                .where(occ.c.id == int(change["id"]))
                .values(title=str(change["title"])[:500], area=change["area"])
            )
        _bump(connection)
    return len(changes)


def delete_occurrences(engine: Engine, ids: Sequence[int]) -> int:
    """Delete occurrences by id (manual entries the user removed); returns how many went."""
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        gone = connection.execute(sa.delete(occ).where(occ.c.id.in_([int(i) for i in ids]))).rowcount
        _bump(connection)
    return int(gone)


def _upsert_source(connection: Connection, source: Mapping[str, Any]) -> int:
    """The id of the source named `source["name"]`, created or updated with `source`'s fields.

    Names are unique, but a name identifies a source only within its kind: a source of another
    kind with that name is refused (SourceClashError), never replaced, so a CSV log called
    "Work" cannot wipe a calendar called "Work".
    """
    table = Source.__table__  # type: ignore[attr-defined]
    fields = {key: value for key, value in source.items() if key in table.c and key != "id"}
    fields["imported_at"] = utc_now()
    by_name = sa.select(table.c.id, table.c.kind).where(table.c.name == fields["name"])
    existing = connection.execute(by_name).first()
    if existing is None:
        # Two writers may create the same source at once (two tabs logging their first entry):
        # the second insert then leaves the first one's row alone instead of failing.
        dialect = connection.dialect.name
        if dialect in ("sqlite", "postgresql"):
            insert = sqlite_insert(table) if dialect == "sqlite" else postgresql_insert(table)
            connection.execute(insert.values(**fields).on_conflict_do_nothing(index_elements=["name"]))
        else:
            connection.execute(sa.insert(table).values(**fields))
        existing = connection.execute(by_name).one()
        _check_kind(fields, existing.kind)
        return int(existing.id)
    _check_kind(fields, existing.kind)
    connection.execute(sa.update(table).where(table.c.id == existing.id).values(**fields))
    return int(existing.id)


def _check_kind(fields: Mapping[str, Any], existing_kind: str) -> None:
    new_kind = str(fields.get("kind", existing_kind))
    if new_kind != existing_kind:
        raise _kind_clash(str(fields["name"]), existing_kind=existing_kind, new_kind=new_kind)


KIND_LABELS: dict[str, str] = {"ics": "calendar", "csv": "CSV time log", "manual": "manual log"}


def _kind_clash(name: str, *, existing_kind: str, new_kind: str) -> SourceClashError:
    """The refusal when an import of one kind meets a source of another kind with the same name."""
    existing = KIND_LABELS.get(existing_kind, f"{existing_kind} source")
    new = KIND_LABELS.get(new_kind, f"{new_kind} source")
    return SourceClashError(
        f"{name!r} is already the name of a {existing}; a {new} cannot replace it, so nothing was changed",
        name=name,
        existing_kind=existing_kind,
        new_kind=new_kind,
        hint=f"Import the {new} under another name (or rename the file).",
    )


def update_source(engine: Engine, source_id: int, **fields: Any) -> None:
    with _session(engine) as session:
        source = session.get(Source, source_id)
        if source is None:
            raise InvalidValueError(f"there is no source with id {source_id}")
        for key, value in fields.items():
            setattr(source, key, value)
        session.add(source)
        _bump(session.connection())
        session.commit()


def delete_source(engine: Engine, source_id: int) -> None:
    """Delete a source with its occurrences, placements and import history."""
    with engine.begin() as connection:
        tables = (Occurrence.__table__, Placement.__table__, ImportRun.__table__, LiveSource.__table__, ImportState.__table__)  # type: ignore[attr-defined]
        for table in tables:
            connection.execute(sa.delete(table).where(table.c.source_id == source_id))
        connection.execute(sa.delete(Source.__table__).where(Source.__table__.c.id == source_id))  # type: ignore[attr-defined]
        _bump(connection)


