"""The only module that opens sessions or writes SQL.

It makes the engine (SQLite in WAL mode by default, any SQLAlchemy URL otherwise), keeps the
schema at the alembic head, and hands out models or DataFrames, never a live session. Each
write is one short transaction; an import replaces a source's occurrences in one transaction,
so it succeeds whole or leaves the database as it was.
"""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel, select

from balance_dash.backup_checks import settings_problem
from balance_dash.categorize import DEFAULT_RULES, compile_rule
from balance_dash.errors import (
    DatabaseUrlError,
    InvalidValueError,
    SchemaError,
    SettingsError,
    SourceClashError,
    StoreError,
)
from balance_dash.health import DEFAULT_TARGETS
from balance_dash.models import (
    AREAS,
    BOUNDARY_KINDS,
    LOG_KINDS,
    UNCATEGORIZED,
    Boundary,
    DataRevision,
    ImportRun,
    JournalEntry,
    LiveSource,
    Occurrence,
    Placement,
    Rule,
    SettingsRecord,
    Source,
    Target,
    utc_now,
)
from balance_dash.settings import Settings

DEFAULT_DB_URL = "sqlite:///data/balance.db"
MIGRATIONS = Path(__file__).with_name("migrations")
# The columns that make an occurrence what it is; a change in any of them is an "update".
IDENTITY = ("uid", "recurrence_key")
CONTENT = (
    "title", "location", "description", "all_day", "start_utc", "end_utc", "day_start", "day_end", "area",
    "transparent", "busy_status", "organizer", "attendees", "cancelled",
)
# Attendance and availability columns (see ics_people); rows without them (manual entries) get these.
ATTENDANCE_DEFAULTS: dict[str, Any] = {
    "transparent": False, "busy_status": "", "organizer": "", "attendees": "", "cancelled": False,
}


# ---------------------------------------------------------------------------------------------
# Engine and schema


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL mode, foreign keys and a busy timeout."""
    hint = "Use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db."
    try:
        parsed = sa.make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"{url!r} is not a database URL", hint=hint) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                folder = Path(database).expanduser().parent
                if url == DEFAULT_DB_URL:  # the default database's folder is ours to make
                    folder.mkdir(parents=True, exist_ok=True)
                elif not folder.is_dir():
                    raise DatabaseUrlError(
                        f"{url!r}: the folder {folder} does not exist",
                        hint="Check the path, or create the folder first; balance-dash creates only the database file.",
                    )
            engine = sa.create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return sa.create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise DatabaseUrlError(f"{parsed.drivername!r} is not a kind of database balance-dash can use", hint=hint) from exc
    except OSError as exc:
        raise DatabaseUrlError(f"cannot create the folder for {parsed.database!r} ({exc.strerror})", hint=hint) from exc
    except (ArgumentError, ImportError, ValueError) as exc:
        raise DatabaseUrlError(f"{url!r} cannot be used ({exc})", hint=hint) from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a CLI import writes; NORMAL sync is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def schema_state(engine: Engine) -> tuple[str | None, str]:
    """(revision in the database, revision this code expects)."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head or ""


def migrate(engine: Engine) -> None:
    """Bring the schema to the head revision (creating it on an empty database)."""
    script = ScriptDirectory(str(MIGRATIONS))
    try:
        current, head = schema_state(engine)
    except DBAPIError as exc:  # not a database file, unreadable, unreachable
        raise DatabaseUrlError(
            f"cannot open the database: {exc.orig}", hint="Check the path or URL given with --db."
        ) from exc
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise SchemaError(
            f"the database is at schema revision {current}, which this version of balance-dash does not know",
            hint="It was written by a newer balance-dash: upgrade balance-dash, or use another --db.",
        )
    if current == head:
        return
    fresh = current is None
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    except DBAPIError as exc:  # a read-only file or folder, a full disk
        raise DatabaseUrlError(
            f"cannot write the database: {exc.orig}", hint="Check the path or URL given with --db, and that it is writable."
        ) from exc
    if fresh:
        _seed_defaults(engine)


def open_engine(url: str) -> Engine:
    """An engine with the schema at head: what both front-ends call first."""
    engine = make_engine(url)
    migrate(engine)
    return engine


def _seed_defaults(engine: Engine) -> None:
    with Session(engine) as session:
        if session.exec(select(Rule)).first() is None:
            session.add_all(Rule(**{**rule, "position": index}) for index, rule in enumerate(DEFAULT_RULES))
        if session.exec(select(Target)).first() is None:
            session.add_all(
                Target(area=area, min_hours=low, max_hours=high, effective_from=date(1970, 1, 1))
                for area, (low, high) in DEFAULT_TARGETS.items()
            )
        _bump(session.connection())
        session.commit()


@contextmanager
def _session(engine: Engine) -> Iterator[Session]:
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except OperationalError as exc:
        raise StoreError(f"the database refused the operation: {exc.orig}") from exc


# ---------------------------------------------------------------------------------------------
# Reading


def _frame(engine: Engine, statement: sa.Select[Any], *, plain: bool = False) -> pd.DataFrame:
    """The rows of `statement` as a frame.

    `plain` takes the driver's own tuples, skipping SQLAlchemy's per-row objects and result
    processing: for wide reads whose columns need none (occurrences: text, numbers, and
    instants that `occurrence_frame` parses in one vectorised step).
    """
    with engine.connect() as connection:
        result = connection.execute(statement)
        keys = list(result.keys())
        rows = result.cursor.fetchall() if plain and isinstance(result, sa.CursorResult) else result.fetchall()
    if not rows:
        return pd.DataFrame(columns=keys)
    # Column by column: much faster than rows for wide text frames of 100k rows.
    return pd.DataFrame(dict(zip(keys, zip(*rows, strict=True), strict=True)), columns=keys)


def load_occurrences(
    engine: Engine,
    *,
    start_utc: datetime | None = None,
    end_utc: datetime | None = None,
    with_description: bool = True,
    source_kinds: Sequence[str] | None = None,
    with_cancelled: bool = False,
    with_attendees: bool = True,
) -> pd.DataFrame:
    """Occurrences (joined with their source's name) overlapping [start_utc, end_utc).

    Cancelled occurrences are read only `with_cancelled` (to say how many hours a week left out).
    `with_attendees=False` reads the attendee lists and organizers as "" (they are only needed
    once the user's own addresses are known).

    Descriptions are the bulk of the rows; `with_description=False` reads them as "" instead.
    `source_kinds` keeps only the occurrences of sources of those kinds (e.g. models.LOG_KINDS).
    """
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    # SQLite holds instants and days as ISO text: read the text as it is and parse it in one
    # vectorised step (occurrence_frame) instead of one Python datetime per value.
    raw_text = engine.dialect.name == "sqlite"
    timed = [
        sa.type_coerce(column, sa.String).label(column.name) if raw_text else column
        for column in (occ.c.start_utc, occ.c.end_utc, occ.c.day_start, occ.c.day_end)
    ]
    statement = sa.select(
        occ.c.id, occ.c.source_id, src.c.name.label("source_name"), occ.c.uid, occ.c.recurrence_key,
        occ.c.title, occ.c.location,
        occ.c.description if with_description else sa.literal("").label("description"),
        occ.c.all_day, *timed, occ.c.area,
        occ.c.transparent, occ.c.busy_status,
        *((occ.c.organizer, occ.c.attendees) if with_attendees
          else (sa.literal("").label("organizer"), sa.literal("").label("attendees"))),
        occ.c.cancelled,
        src.c.count_free,
    ).join(src, src.c.id == occ.c.source_id)
    if source_kinds is not None:
        statement = statement.where(src.c.kind.in_(list(source_kinds)))
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
    return occurrence_frame(_frame(engine, statement.order_by(occ.c.id), plain=True))


def _times(raw: pd.DataFrame, instants: Sequence[str], days: Sequence[str]) -> dict[str, pd.Series]:
    """The instant columns as aware UTC and the day columns as naive days, parsed in one vectorised
    step each: SQLite gives ISO text, PostgreSQL the driver's datetimes and dates."""
    def formatted(column: str) -> str | None:
        values = raw[column]
        if values.dtype != object:
            return "ISO8601" if pd.api.types.is_string_dtype(values) else None
        first = values.first_valid_index()  # one driver fills a column with one type
        return "ISO8601" if first is not None and isinstance(values[first], str) else None

    parsed = {
        column: pd.to_datetime(raw[column], utc=True, format=formatted(column)).astype("datetime64[us, UTC]")
        for column in instants
    }
    parsed.update({
        column: pd.to_datetime(raw[column], format=formatted(column)).astype("datetime64[s]") for column in days
    })
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


def load_sources(engine: Engine) -> pd.DataFrame:
    """Sources with their occurrence counts and date range."""
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    statement = (
        sa.select(
            src.c.id, src.c.name, src.c.kind, src.c.area, src.c.area_forced, src.c.count_free, src.c.file_name,
            src.c.imported_at,
            sa.func.count(occ.c.id).label("occurrences"),
            sa.func.min(sa.func.coalesce(occ.c.start_utc, occ.c.day_start)).label("first"),
            sa.func.max(sa.func.coalesce(occ.c.end_utc, occ.c.day_end)).label("last"),
        )
        .select_from(src.outerjoin(occ, (occ.c.source_id == src.c.id) & (occ.c.cancelled == sa.false())))
        .group_by(src.c.id)
        .order_by(src.c.name)
    )
    return _frame(engine, statement)


def load_rules(engine: Engine) -> pd.DataFrame:
    return _frame(engine, sa.select(Rule.__table__).order_by(Rule.__table__.c.position))  # type: ignore[attr-defined]


def load_placements(engine: Engine) -> pd.DataFrame:
    return _frame(engine, sa.select(Placement.__table__))  # type: ignore[attr-defined]


def load_targets(engine: Engine) -> pd.DataFrame:
    table = Target.__table__  # type: ignore[attr-defined]
    frame = _frame(engine, sa.select(table).order_by(table.c.area, table.c.effective_from))
    frame["min_hours"] = frame["min_hours"].astype(float)
    frame["max_hours"] = frame["max_hours"].astype(float)
    return frame


def load_settings(engine: Engine) -> Settings:
    """The saved settings; SettingsError (never a traceback) when they cannot be read."""
    with _session(engine) as session:
        record = session.get(SettingsRecord, 1)
    if record is None:
        return Settings()
    problem = settings_problem(str(record.payload))
    if problem:
        raise SettingsError(
            f"the saved settings cannot be read ({problem}); the defaults are used until they are reset",
            hint="Reset them with `balance-dash reset-settings`, or with the button in the dashboard's sidebar.",
        )
    return Settings.model_validate_json(record.payload)


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


def load_journal(engine: Engine, week_start: date) -> JournalEntry | None:
    with _session(engine) as session:
        return session.get(JournalEntry, week_start)


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


def replace_occurrences(
    engine: Engine,
    *,
    source: Mapping[str, Any],
    frame: pd.DataFrame,
    report: Sequence[Mapping[str, Any]] = (),
    skipped: int = 0,
    scope: ReplaceScope | None = None,
    live: Mapping[str, Any] | None = None,
) -> ReplaceCounts:
    """Make `frame` the source's occurrences, in one transaction; keyed by (uid, recurrence_key).

    `source` holds the Source fields (`name` required); the source is created or updated.
    Placements survive because they are keyed by uid and recurrence key, not by row id.
    `scope` limits what may be removed (a live sync that saw only part of the calendar); `live`
    holds LiveSource fields written in the same transaction (see `save_live_source`).
    """
    frame = frame.assign(fingerprint=fingerprints(frame))
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    try:
        with engine.begin() as connection:
            source_id = _upsert_source(connection, source)
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
            _bump(connection)
    except OperationalError as exc:
        raise StoreError(f"the import could not be written; nothing was changed: {exc.orig}") from exc
    return counts


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
        for table in (Occurrence.__table__, Placement.__table__, ImportRun.__table__, LiveSource.__table__):  # type: ignore[attr-defined]
            connection.execute(sa.delete(table).where(table.c.source_id == source_id))
        connection.execute(sa.delete(Source.__table__).where(Source.__table__.c.id == source_id))  # type: ignore[attr-defined]
        _bump(connection)


def save_settings(engine: Engine, settings: Settings) -> None:
    with _session(engine) as session:
        record = session.get(SettingsRecord, 1) or SettingsRecord(id=1)
        record.payload = settings.model_dump_json()
        record.updated_at = utc_now()
        session.add(record)
        _bump(session.connection())
        session.commit()


def save_target(engine: Engine, *, area: str, min_hours: float | None, max_hours: float | None, effective_from: date) -> None:
    """Set an area's target from `effective_from` on (replacing one set for that same date)."""
    check_area(area, allow_uncategorized=False)
    with _session(engine) as session:
        existing = session.exec(
            select(Target).where(Target.area == area, Target.effective_from == effective_from)
        ).first()
        target = existing or Target(area=area, effective_from=effective_from)
        target.min_hours, target.max_hours = min_hours, max_hours
        session.add(target)
        _bump(session.connection())
        session.commit()


def replace_rules(engine: Engine, rules: Sequence[Mapping[str, Any]]) -> None:
    """Make `rules` (in order) the whole rule list, in one transaction; a malformed rule refuses all."""
    for position, rule in enumerate(rules, start=1):
        check_area(str(rule["area"]), allow_uncategorized=False)
        compile_rule({**rule, "position": position})
    table = Rule.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(sa.delete(table))
        if rules:
            connection.execute(
                sa.insert(table),
                [{**{k: v for k, v in rule.items() if k in table.c and k != "id"}, "position": i} for i, rule in enumerate(rules)],
            )
        _bump(connection)


def place(engine: Engine, *, source_id: int, uid: str, recurrence_key: str, area: str) -> None:
    """Place one occurrence (or, with recurrence_key "*", its whole series) in `area`."""
    check_area(area, allow_uncategorized=True)
    with _session(engine) as session:
        existing = session.exec(
            select(Placement).where(
                Placement.source_id == source_id, Placement.uid == uid, Placement.recurrence_key == recurrence_key
            )
        ).first()
        placement = existing or Placement(source_id=source_id, uid=uid, recurrence_key=recurrence_key, area=area)
        placement.area = area
        session.add(placement)
        _bump(session.connection())
        session.commit()


def place_many(engine: Engine, *, source_id: int, uids: Sequence[str], recurrence_key: str, area: str) -> None:
    """`place` for many events of one source at once, in one transaction."""
    check_area(area, allow_uncategorized=True)
    with _session(engine) as session:
        existing = {
            placement.uid: placement
            for placement in session.exec(
                select(Placement).where(Placement.source_id == source_id, Placement.recurrence_key == recurrence_key)
            )
        }
        for uid in uids:
            placement = existing.get(uid) or Placement(source_id=source_id, uid=uid, recurrence_key=recurrence_key, area=area)
            placement.area = area
            session.add(placement)
        _bump(session.connection())
        session.commit()


def save_journal(engine: Engine, entry: JournalEntry) -> None:
    with _session(engine) as session:
        entry.updated_at = utc_now()
        session.merge(entry)
        _bump(session.connection())
        session.commit()


def check_area(area: str, *, allow_uncategorized: bool) -> str:
    allowed = (*AREAS, UNCATEGORIZED) if allow_uncategorized else AREAS
    if area not in allowed:
        raise InvalidValueError(f"unknown area {area!r}", hint=f"Choose one of: {', '.join(allowed)}.")
    return area


def utc(value: datetime) -> datetime:
    """`value` as aware UTC; refuses naive datetimes (they have no instant)."""
    if value.tzinfo is None:
        raise InvalidValueError(f"{value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def data_revision(engine: Engine) -> int:
    """A counter that every write increments in its own transaction.

    The dashboard keys its caches on it, so a write from the CLI or another tab shows up on the
    next rerun, and nothing is recomputed while nothing changed.
    """
    with engine.connect() as connection:
        value = connection.execute(sa.select(DataRevision.__table__.c.value)).scalar()  # type: ignore[attr-defined]
    return int(value or 0)


def _bump(connection: Connection) -> None:
    table = DataRevision.__table__  # type: ignore[attr-defined]
    if connection.execute(sa.update(table).values(value=table.c.value + 1)).rowcount == 0:
        connection.execute(sa.insert(table).values(id=1, value=1))


# ---------------------------------------------------------------------------------------------
# Backup and restore (imports kept local: this section is appended to a module others edit)

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite file


def _data_tables() -> list[sa.Table]:
    """The tables a backup carries, parents before children (the revision counter stays local)."""
    return [table for table in SQLModel.metadata.sorted_tables if table.name != DataRevision.__tablename__]


def backup_sqlite(engine: Engine, *, with_secrets: bool = False) -> bytes:
    """A consistent copy of a SQLite database, as the bytes of one standalone file.

    sqlite3's online backup API copies a snapshot while other connections go on reading and
    writing (https://www.sqlite.org/backup.html); the copy leaves WAL mode so that the one file
    holds everything.
    """

    if engine.dialect.name != "sqlite":
        raise StoreError(f"a {engine.dialect.name} database cannot be copied as one file", hint="Use dump_tables.")
    with tempfile.TemporaryDirectory(prefix="balance-dash-backup-") as folder:
        copy_path = Path(folder) / "backup.db"
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(copy_path)
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
                if not with_secrets:
                    _strip_secrets_sqlite(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            raw.close()
        return copy_path.read_bytes()


def dump_tables(engine: Engine, *, with_secrets: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, read in one transaction, with alembic's revision (for non-SQLite backends).

    Stored calendar addresses and passwords are left out unless `with_secrets`.
    """
    current, _head = schema_state(engine)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # one snapshot for all the tables
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            tables = {
                table.name: [dict(row._mapping) for row in connection.execute(sa.select(table))]
                for table in SQLModel.metadata.sorted_tables
            }
    if not with_secrets:
        for row in tables.get(LiveSource.__tablename__, []):
            row["secret"] = None
    return {"alembic_version": [{"version_num": current}], **tables}


RESTORE_SECONDS = 60.0  # reading and checking one backup; a real one takes a few seconds


def restore_sqlite(engine: Engine, data: bytes, *, file_name: str = "backup") -> dict[str, int]:
    """Replace every row of the database with those of a balance-dash SQLite backup.

    `read_backup` checks it first; only then are the tables emptied and refilled, in one
    transaction: a failure leaves the database as it was. Returns the rows restored per table.
    """
    return replace_all_rows(engine, read_backup(data, file_name=file_name))


def read_backup(data: bytes, *, file_name: str = "backup") -> dict[str, list[dict[str, Any]]]:
    """The rows of a balance-dash SQLite backup per table, brought to the current schema.

    Checked on a private copy, within RESTORE_SECONDS: a SQLite file, intact, whose
    balance-dash objects are plain tables (a view could recurse for minutes) with no triggers,
    at a schema revision this version knows, holding every expected column, each value of its
    column's type. The database in use is not touched.
    """
    if not data.startswith(SQLITE_HEADER):
        raise InvalidValueError(
            "this is not a SQLite database", path=file_name,
            hint="Choose a backup downloaded from the Data page (a .db file).",
        )
    deadline = time.monotonic() + RESTORE_SECONDS
    with tempfile.TemporaryDirectory(prefix="balance-dash-restore-") as folder:
        copy_path = Path(folder) / "restore.db"
        copy_path.write_bytes(data)
        _check_backup(copy_path, file_name, deadline)
        backup = make_engine(f"sqlite:///{copy_path}")
        sa.event.listen(backup, "connect", lambda connection, _record: _stop_at(connection, deadline))
        try:
            try:
                migrate(backup)
            except SQLAlchemyError as exc:
                raise _unreadable(file_name, f"it cannot be brought to the current schema ({_first_line(exc)})", deadline) from exc
            with backup.connect() as connection:
                _check_columns(connection, file_name)
                rows: dict[str, list[dict[str, Any]]] = {}
                for table in _data_tables():
                    try:
                        rows[table.name] = [dict(row._mapping) for row in connection.execute(sa.select(table))]
                    except (SQLAlchemyError, ValueError, TypeError, OverflowError) as exc:
                        raise _unreadable(file_name, f"table {table.name!r} holds a value that does not fit its column ({_first_line(exc)})", deadline) from exc
                    _check_types(table, rows[table.name], file_name)
        finally:
            backup.dispose()
    return rows


def _stop_at(connection: sqlite3.Connection, deadline: float) -> None:
    """Make SQLite give up on any statement still running at `deadline` (an "interrupted" error)."""
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]


def _unreadable(file_name: str, reason: str, deadline: float) -> InvalidValueError:
    if time.monotonic() > deadline:
        reason = f"reading it takes longer than {RESTORE_SECONDS:g} s"
    return InvalidValueError(
        f"the backup cannot be restored: {reason}; nothing was changed", path=file_name,
        hint="Choose a backup downloaded from the Data page (a .db file).",
    )


def _check_columns(connection: Connection, file_name: str) -> None:
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    for table in _data_tables():
        if table.name not in tables:
            raise _unreadable(file_name, f"it has no table {table.name!r}", math.inf)
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in present]
        if missing:
            raise _unreadable(file_name, f"table {table.name!r} lacks the column(s) {', '.join(missing)}", math.inf)


_COLUMN_TYPES: tuple[tuple[type[sa.types.TypeEngine[Any]], tuple[type, ...]], ...] = (
    (sa.Boolean, (bool,)),
    (sa.DateTime, (datetime,)),
    (sa.Date, (date,)),
    (sa.Time, (dt_time,)),
    (sa.Integer, (int,)),
    (sa.Float, (float, int)),
    (sa.String, (str,)),
)


def _check_types(table: sa.Table, rows: list[dict[str, Any]], file_name: str) -> None:
    """Every value of the Python type its column reads as (SQLite keeps whatever it is given)."""
    for column in table.columns:
        expected = next((kinds for sql_type, kinds in _COLUMN_TYPES if isinstance(column.type, sql_type)), None)
        if expected is None:
            continue
        for number, row in enumerate(rows, start=1):
            value = row.get(column.name)
            if value is None:
                if not column.nullable and not column.primary_key:
                    raise _unreadable(file_name, f"table {table.name!r} row {number}: {column.name} is empty", math.inf)
                continue
            if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
                shown = repr(value)[:60]
                raise _unreadable(
                    file_name,
                    f"table {table.name!r} row {number}: {column.name} holds {shown}, not a {expected[0].__name__}",
                    math.inf,
                )


def _check_backup(path: Path, file_name: str, deadline: float = math.inf) -> None:

    not_ours = "this SQLite database is not a balance-dash backup"
    hint = "Choose a backup downloaded from the Data page (a .db file)."
    expected = {table.name for table in SQLModel.metadata.sorted_tables} | {"alembic_version"}
    try:
        with closing(sqlite3.connect(path)) as connection:
            _stop_at(connection, deadline)
            health = connection.execute("PRAGMA quick_check").fetchone()
            objects = connection.execute("SELECT type, name FROM sqlite_master").fetchall()
            names = {str(name) for kind, name in objects if kind == "table"}
            for kind, name in objects:
                if name in expected and kind != "table":
                    raise _unreadable(file_name, f"{name!r} is a {kind}, not a table", math.inf)
                if kind == "trigger":
                    raise _unreadable(file_name, f"it holds a trigger ({str(name)[:60]!r}), which a backup never has", math.inf)
            if "alembic_version" not in names:
                raise InvalidValueError(not_ours, path=file_name, hint=hint)
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if time.monotonic() > deadline:
            raise _unreadable(file_name, "", deadline) from exc
        raise InvalidValueError(f"the database cannot be read ({exc})", path=file_name, hint=hint) from exc

    if not health or health[0] != "ok":
        raise InvalidValueError("the database file is damaged", path=file_name, hint=hint)
    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if found is None or str(found[0]) not in known:
        raise SchemaError(
            f"{file_name}: the backup is at schema revision {found[0] if found else 'none'}, "
            "which this version of balance-dash does not know",
            hint="It was written by a newer balance-dash, or by another program: upgrade balance-dash or choose another file.",
        )
    missing = {table.name for table in SQLModel.metadata.sorted_tables} - names
    if {"source", "occurrence"} & missing:
        raise InvalidValueError(not_ours, path=file_name, hint=hint)


def replace_all_rows(engine: Engine, rows: Mapping[str, list[dict[str, Any]]]) -> dict[str, int]:
    tables = _data_tables()
    try:
        with engine.begin() as connection:
            for table in reversed(tables):  # children first, for the foreign keys
                connection.execute(sa.delete(table))
            for table in tables:
                if rows.get(table.name):
                    connection.execute(sa.insert(table), rows[table.name])
            if connection.dialect.name == "postgresql":
                _advance_sequences(connection, tables)
            _bump(connection)
    except SQLAlchemyError as exc:
        raise StoreError(f"the backup could not be restored; nothing was changed: {exc}") from exc
    return {table.name: len(rows.get(table.name, [])) for table in tables}


def _advance_sequences(connection: Connection, tables: Sequence[sa.Table]) -> None:
    """Move PostgreSQL's id sequences past the restored ids, so that new rows get fresh ones."""
    for table in tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence(:name, 'id'), COALESCE(MAX(id), 0) + 1, false) "
                    f'FROM "{table.name}"'
                ),
                {"name": f'"{table.name}"'},
            )


# ---------------------------------------------------------------------------------------------
# Boundaries and the journal of weekly reviews (appended; imports kept local, as above)


def save_boundary(
    engine: Engine,
    *,
    name: str,
    kind: str,
    area: str,
    weekdays: Sequence[int],
    start_local: Any,
    end_local: Any,
    effective_from: date,
    active: bool = True,
) -> None:
    """Set a named boundary from `effective_from` on (replacing one set for that same date).

    Earlier rows of the name stay: they are its history, and past weeks keep the rule they had.
    """
    name = name.strip()
    if not name:
        raise InvalidValueError("a boundary needs a name", hint="For example: No work on Sunday.")
    if kind not in BOUNDARY_KINDS:
        raise InvalidValueError(f"unknown boundary kind {kind!r}", hint=f"Choose one of: {', '.join(BOUNDARY_KINDS)}.")
    check_area(area, allow_uncategorized=False)
    days = sorted({int(day) for day in weekdays})
    if not days or days[0] < 0 or days[-1] > 6:
        raise InvalidValueError(f"boundary {name!r}: choose at least one weekday (Monday = 0 to Sunday = 6)")
    with _session(engine) as session:
        existing = session.exec(
            select(Boundary).where(Boundary.name == name, Boundary.effective_from == effective_from)
        ).first()
        row = existing or Boundary(name=name, effective_from=effective_from)
        row.kind, row.area, row.weekdays = kind, area, ",".join(map(str, days))
        row.start_local, row.end_local, row.active = start_local, end_local, active
        session.add(row)
        _bump(session.connection())
        session.commit()


def load_boundaries(engine: Engine) -> pd.DataFrame:
    """Every version of every named boundary, by name then effective date."""
    table = Boundary.__table__  # type: ignore[attr-defined]
    return _frame(engine, sa.select(table).order_by(table.c.name, table.c.effective_from, table.c.id))


def load_journals(engine: Engine) -> pd.DataFrame:
    """Every weekly review (journal entry), newest week first."""
    table = JournalEntry.__table__  # type: ignore[attr-defined]
    return _frame(engine, sa.select(table).order_by(table.c.week_start.desc()))


# ---------------------------------------------------------------------------------------------
# Live sources: calendar addresses and CalDAV calendars (appended; see models.LiveSource)

# Every column but the secret: what lists and the front-ends may see.
_LIVE_SHOWN = tuple(name for name in LiveSource.model_fields if name != "secret")


def _upsert_live(connection: Connection, source_id: int, fields: Mapping[str, Any]) -> None:
    table = LiveSource.__table__  # type: ignore[attr-defined]
    values = {key: value for key, value in fields.items() if key in table.c and key not in ("id", "source_id")}
    found = connection.execute(sa.select(table.c.id).where(table.c.source_id == source_id)).scalar()
    if found is None:
        defaults = {"kind": "address", "masked": "", "secret_ref": "", "secret_in_keyring": False,
                    "objects": "{}", "last_change": "{}"}
        connection.execute(sa.insert(table).values(**{**defaults, **values, "source_id": source_id}))
    elif values:
        connection.execute(sa.update(table).where(table.c.id == found).values(**values))


def load_live_sources(engine: Engine) -> pd.DataFrame:
    """Every live source (never its secret) with its calendar's name, area and occurrence count."""
    live = LiveSource.__table__  # type: ignore[attr-defined]
    src = Source.__table__  # type: ignore[attr-defined]
    occ = Occurrence.__table__  # type: ignore[attr-defined]
    count = sa.select(sa.func.count(occ.c.id)).where(occ.c.source_id == live.c.source_id).scalar_subquery()
    statement = (
        sa.select(*(live.c[name] for name in _LIVE_SHOWN), src.c.name, src.c.area, src.c.area_forced,
                  count.label("occurrences"))
        .join(src, src.c.id == live.c.source_id)
        .order_by(src.c.name)
    )
    return _frame(engine, statement)


def load_live_source(engine: Engine, source_id: int) -> LiveSource | None:
    """One live source with everything it needs to sync (its secret too, for the sync alone)."""
    with _session(engine) as session:
        return session.exec(select(LiveSource).where(LiveSource.source_id == source_id)).first()


def save_live_state(engine: Engine, source_id: int, **fields: Any) -> None:
    """Record a sync's state or outcome without touching any occurrence (a failed or no-change sync).

    The data revision is not bumped: nothing the dashboard computes from changed.
    """
    table = LiveSource.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.source_id == source_id).values(**fields))


def _strip_secrets_sqlite(target: sqlite3.Connection) -> None:
    """Blank the stored addresses and passwords in a backup copy (they stay on this machine)."""
    tables = {str(row[0]) for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if LiveSource.__tablename__ in tables:
        target.execute(f"UPDATE {LiveSource.__tablename__} SET secret = NULL")
        target.commit()
