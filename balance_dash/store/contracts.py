"""Contract hours per weekday, effective-dated like the targets (see `models.Contract`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from balance_dash.errors import InvalidValueError
from balance_dash.models import Contract
from balance_dash.store.engine import _bump, _frame, _session

WEEKDAYS = 7
MAX_DAY_HOURS = 24.0


def contract_text(weekday_hours: Sequence[float]) -> str:
    """Seven hours, Monday first, as stored ("8,8,8,8,8,0,0"); InvalidValueError when they are not."""
    hours = [float(value) for value in weekday_hours]
    if len(hours) != WEEKDAYS:
        raise InvalidValueError(
            f"contract hours need one figure per weekday, Monday first ({len(hours)} given)",
            hint="Write seven numbers, like 8,8,8,8,8,0,0.",
        )
    for value in hours:
        if not 0 <= value <= MAX_DAY_HOURS:
            raise InvalidValueError(f"contract hours of {value:g} in a day are not between 0 and 24")
    return ",".join(f"{value:g}" for value in hours)


def load_contracts(engine: Engine) -> pd.DataFrame:
    """Every contract row: effective_from (date), weekday_hours (a tuple of seven floats), oldest first."""
    table = Contract.__table__  # type: ignore[attr-defined]
    frame = _frame(engine, sa.select(table.c.effective_from, table.c.weekday_hours).order_by(table.c.effective_from))
    hours = [tuple(float(part) for part in str(text).split(",")) for text in frame["weekday_hours"]]
    return pd.DataFrame({"effective_from": list(frame["effective_from"]), "weekday_hours": hours})


def save_contract(engine: Engine, *, weekday_hours: Sequence[float], effective_from: date) -> None:
    """Set the contract hours from `effective_from` on (replacing a row of that same date)."""
    text = contract_text(weekday_hours)
    with _session(engine) as session:
        existing = session.exec(select(Contract).where(Contract.effective_from == effective_from)).first()
        row = existing or Contract(effective_from=effective_from, weekday_hours=text)
        row.weekday_hours = text
        session.add(row)
        _bump(session.connection())
        session.commit()
