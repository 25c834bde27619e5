"""Weekly targets per area (pure): the defaults, the targets in force for a week or a day, one
wording of a range, the gap to a target and the check that a range is a range.

A target is a range of weekly hours per area, `min_hours` (at least) to `max_hours` (at most),
either bound optional, in force from its `effective_from` day until the next change: a past
week is judged by the target then in force. The store keeps the rows; `health` prorates them
for days off and warns about them; the workflows, the pages and the CLI word them through
`range_text`, so the dashboard and the command line say the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from balance_dash.defaults import DEFAULT_TARGETS
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS

__all__ = [
    "DEFAULT_TARGETS",
    "check_range",
    "gap",
    "in_force_on",
    "range_text",
    "targets_document",
    "targets_for_weeks",
]


def targets_for_weeks(targets: pd.DataFrame, week_starts: Iterable[date] | pd.DatetimeIndex) -> pd.DataFrame:
    """The target in force per area per week: the row with the latest `effective_from` on or
    before the week's start.

    Returns a long frame: week_start (`datetime64[s]`), area, min_hours, max_hours (float, NaN
    without a bound or without a target in force), effective_from (`datetime64[s]`, NaT if none).
    """
    given = week_starts if isinstance(week_starts, pd.DatetimeIndex) else pd.to_datetime(pd.Index(list(week_starts)))
    weeks = pd.DatetimeIndex(given).as_unit("s").unique().sort_values()
    grid = pd.MultiIndex.from_product([weeks, list(AREAS)], names=["week_start", "area"]).to_frame(index=False)
    grid = grid.astype({"area": "str"}).sort_values("week_start", kind="stable")
    columns = ["area", "min_hours", "max_hours", "effective_from"]
    table = targets.reindex(columns=columns) if len(targets) else pd.DataFrame(columns=columns)
    table = table.assign(
        area=table["area"].astype("str"),
        min_hours=pd.to_numeric(table["min_hours"], errors="coerce").astype(float),
        max_hours=pd.to_numeric(table["max_hours"], errors="coerce").astype(float),
        effective_from=pd.to_datetime(table["effective_from"]).astype("datetime64[s]"),
    ).dropna(subset=["effective_from"]).sort_values("effective_from", kind="stable")
    merged = pd.merge_asof(
        grid, table, left_on="week_start", right_on="effective_from", by="area", direction="backward"
    )
    return merged.sort_values(["week_start", "area"], key=_area_order).reset_index(drop=True)


def in_force_on(targets: pd.DataFrame, day: date) -> pd.DataFrame:
    """The target of each area in force on `day`: area, min_hours, max_hours, effective_from."""
    rows = targets_for_weeks(targets, [day])
    return rows[["area", "min_hours", "max_hours", "effective_from"]].reset_index(drop=True)


def check_range(area: str, low: float | None, high: float | None) -> None:
    """Refuse a range whose 'at least' is above its 'at most' (InvalidValueError naming the area)."""
    if low is not None and high is not None and not pd.isna(low) and not pd.isna(high) and low > high:
        raise InvalidValueError(f"{area}: 'at least' {low:g} h is above 'at most' {high:g} h")


def gap(actual: float, low: float | None, high: float | None) -> tuple[str, float]:
    """How `actual` hours sit against a target range: (state, hours past the nearest bound).

    state is "under", "over", "within" or "none" (no target); the difference is negative under
    the range, positive over it and 0 within.
    """
    low = None if low is None or pd.isna(low) else float(low)
    high = None if high is None or pd.isna(high) else float(high)
    if low is None and high is None:
        return "none", 0.0
    if low is not None and actual < low:
        return "under", actual - low
    if high is not None and actual > high:
        return "over", actual - high
    return "within", 0.0


def range_text(low: float | None, high: float | None) -> str:
    """A target range as people say it: '35-48 h' (with an en dash), 'at least 14 h', 'at most 48 h'."""
    has_low = low is not None and not pd.isna(low)
    has_high = high is not None and not pd.isna(high)
    if has_low and has_high:
        return f"{low:g}–{high:g} h"
    if has_low:
        return f"at least {low:g} h"
    if has_high:
        return f"at most {high:g} h"
    return "no target"


def targets_document(in_force: pd.DataFrame, week_start: date) -> dict[str, dict[str, float | None]]:
    """The targets of one week from `targets_for_weeks` output, JSON-ready:
    {area: {"min_hours": float | None, "max_hours": float | None}} (None: no bound)."""
    rows = in_force[in_force["week_start"] == pd.Timestamp(week_start)].set_index("area")
    document: dict[str, dict[str, float | None]] = {}
    for area in AREAS:
        low = rows["min_hours"].get(area) if area in rows.index else None
        high = rows["max_hours"].get(area) if area in rows.index else None
        document[area] = {
            "min_hours": None if low is None or pd.isna(low) else float(low),
            "max_hours": None if high is None or pd.isna(high) else float(high),
        }
    return document


def _area_order(column: pd.Series) -> pd.Series:
    if column.name == "area":
        return column.map({area: index for index, area in enumerate(AREAS)})
    return column
