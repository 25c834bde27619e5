"""Backup and restore: a checked SQLite copy or a table dump, and replacing every row in one transaction."""

from __future__ import annotations

import math
import sqlite3
import tempfile
import time
from collections.abc import Mapping, Sequence
from contextlib import closing
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from balance_dash.errors import (
    InvalidValueError,
    SchemaError,
    StoreError,
)
from balance_dash.models import (
    DataRevision,
    LiveSource,
)
from balance_dash.store.engine import MIGRATIONS, _bump, make_engine, migrate, schema_state

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
    from alembic.script import ScriptDirectory

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


def _strip_secrets_sqlite(target: sqlite3.Connection) -> None:
    """Blank the stored addresses and passwords in a backup copy (they stay on this machine)."""
    tables = {str(row[0]) for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if LiveSource.__tablename__ in tables:
        target.execute(f"UPDATE {LiveSource.__tablename__} SET secret = NULL")
        target.commit()
