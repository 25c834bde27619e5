"""The small records: settings, targets, rules, placements, boundaries, journal entries, live sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import select

from balance_dash.errors import (
    InvalidValueError,
    SettingsError,
)
from balance_dash.models import (
    AREAS,
    BOUNDARY_KINDS,
    UNCATEGORIZED,
    Boundary,
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
from balance_dash.settings import Settings, settings_problem
from balance_dash.store.engine import _bump, _frame, _session


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


def load_journal(engine: Engine, week_start: date) -> JournalEntry | None:
    with _session(engine) as session:
        return session.get(JournalEntry, week_start)


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
    save_targets(engine, {area: (min_hours, max_hours)}, effective_from=effective_from)


def save_targets(
    engine: Engine, ranges: Mapping[str, tuple[float | None, float | None]], *, effective_from: date
) -> None:
    """Set the targets of several areas from `effective_from` on, in one transaction: all or none."""
    for area in ranges:
        check_area(area, allow_uncategorized=False)
    with _session(engine) as session:
        for area, (min_hours, max_hours) in ranges.items():
            existing = session.exec(
                select(Target).where(Target.area == area, Target.effective_from == effective_from)
            ).first()
            target = existing or Target(area=area, effective_from=effective_from)
            target.min_hours, target.max_hours = min_hours, max_hours
            session.add(target)
            session.flush()  # a refused row (a database constraint) fails here, before the commit
        _bump(session.connection())
        session.commit()


def _matrix_tags(rule: Mapping[str, Any]) -> dict[str, bool | None]:
    """A rule's priority-matrix tags as the table holds them: True, False or NULL (every row has both)."""
    tags: dict[str, bool | None] = {}
    for name in ("important", "urgent"):
        value = rule.get(name)
        tags[name] = None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else bool(value)
    return tags


def replace_rules(engine: Engine, rules: Sequence[Mapping[str, Any]]) -> None:
    """Make `rules` (in order) the whole rule list, in one transaction; an unknown area refuses all.

    The callers check the rules themselves first (`categorize.compile_rule`, `pattern_safety`).
    """
    for rule in rules:
        check_area(str(rule["area"]), allow_uncategorized=False)
    table = Rule.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(sa.delete(table))
        if rules:
            connection.execute(
                sa.insert(table),
                [{**{k: v for k, v in rule.items() if k in table.c and k != "id"}, "position": i, **_matrix_tags(rule)}
                 for i, rule in enumerate(rules)],
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


# ---------------------------------------------------------------------------------------------
# Boundaries and the journal of weekly reviews


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
# Live sources: calendar addresses and CalDAV calendars (see models.LiveSource)

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


