"""The engine and the schema: SQLite in WAL mode or any SQLAlchemy URL, kept at the alembic head.

Each write elsewhere in the store is one short transaction on an engine made here; `_frame` and
`_session` are the two ways the store reads, and `_bump` marks a write for the dashboard's caches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session, select

from balance_dash.defaults import DEFAULT_RULES, DEFAULT_TARGETS
from balance_dash.errors import (
    DatabaseUrlError,
    InvalidValueError,
    SchemaError,
    StoreError,
)
from balance_dash.models import (
    DataRevision,
    Rule,
    Target,
)

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DB_URL = "sqlite:///data/balance.db"  # in a checkout (a data/ folder at hand); see default_db_url
APP_NAME = "balance-dash"


def user_db_url() -> str:
    """The database in the user's data folder (platformdirs: ~/.local/share/balance-dash on Linux,
    ~/Library/Application Support/balance-dash on macOS, %LOCALAPPDATA%\\balance-dash on Windows)."""
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return f"sqlite:///{(folder / 'balance.db').as_posix()}"


def default_db_url(folder: Path | None = None) -> str:
    """data/balance.db when a data/ folder is at hand in `folder` (default: the working folder),
    as in a checkout; else the database in the user's data folder (`user_db_url`)."""
    return DEFAULT_DB_URL if ((folder or Path.cwd()) / "data").is_dir() else user_db_url()
MIGRATIONS = Path(__file__).parent.parent / "migrations"


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
                if url in (DEFAULT_DB_URL, user_db_url()):  # the default database's folder is ours to make
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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def schema_state(engine: Engine) -> tuple[str | None, str]:
    """(revision in the database, revision this code expects)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head or ""


_REVISION = re.compile(r'^revision(?:: str)? = "([^"]+)"$', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision(?:: [^=]+)? = "([^"]+)"$', re.MULTILINE)


@functools.cache
def _head_from_files() -> str | None:
    """The head revision read from the migration files without alembic (which takes a good part
    of a second to import); None when they are not the plain, single-parent kind read here."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, parent = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if path.name == "__init__.py":
            continue
        if len(revision) != 1 or len(parent) > 1:
            return None
        revisions.add(revision[0])
        parents.update(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _at_head(engine: Engine) -> bool:
    """Whether the database is at the head revision, asked without alembic; False when unsure."""
    head = _head_from_files()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no such table (a new database) or no database: alembic's path says which
        return False
    return found == [head]


def migrate(engine: Engine) -> None:
    """Bring the schema to the head revision (creating it on an empty database)."""
    if _at_head(engine):  # what nearly every open finds; alembic is imported only otherwise
        return
    from alembic import command
    from alembic.script import ScriptDirectory

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
# The two ways the store reads and the revision every write bumps


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
    if plain:
        # The driver's tuples as one 2-D object array, then each column's type inferred: about
        # half the time of transposing the tuples in Python (ten years: 94k rows).
        table = np.array(rows, dtype=object)
        return pd.DataFrame(dict(zip(keys, table.T, strict=True)), columns=keys).infer_objects()
    # Column by column: much faster than rows for wide text frames of 100k rows.
    return pd.DataFrame(dict(zip(keys, zip(*rows, strict=True), strict=True)), columns=keys)


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


