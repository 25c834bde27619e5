"""Rules and placements: edit the ordered rules, preview one, place what no rule places.

Areas are not stored with calendar events: they are decided when the events are read
(`categorize.assign_areas`), so saving the rules re-categorises all history at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import analytics, categorize, pattern_safety, store
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, RULE_FIELDS, SERIES, UNCATEGORIZED
from balance_dash.workflows.scope import Scope

# The columns of the rule editor, in the order it shows them; `was` (the position a rule had
# when the editor opened) is hidden and breaks ties when a rule is moved onto a taken number.
EDITOR_COLUMNS = ("position", "enabled", "field", "pattern", "is_regex", "area", "marks_day_off", "matrix")


def rules_for_editing(engine: Engine) -> pd.DataFrame:
    """The saved rules in order, numbered from 1, with the editor's columns."""
    rules = store.load_rules(engine)
    numbers = np.arange(1, len(rules) + 1)
    matrix = [categorize.quadrant_of(i, u) for i, u in zip(rules.get("important", pd.Series(None, index=rules.index)),
                                                             rules.get("urgent", pd.Series(None, index=rules.index)),
                                                             strict=True)]
    frame = rules.assign(matrix=pd.Series(matrix, index=rules.index, dtype=object)).reindex(
        columns=list(EDITOR_COLUMNS[1:])
    ).reset_index(drop=True)
    # Nullable dtypes: a row added in the editor arrives with missing cells.
    flags = dict.fromkeys(("enabled", "is_regex", "marks_day_off"), "boolean")
    numbered = frame.astype(flags).assign(position=pd.array(numbers, dtype="Int64"), was=pd.array(numbers, dtype="Int64"))
    return numbered[[*EDITOR_COLUMNS, "was"]]


def ordered_rules(edited: pd.DataFrame | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rules from the editor, in their new order, with defaults filled and each one checked.

    Order: by `position` (rows without one go last); on a tie, a rule moved onto that number
    comes before the rule that had it. Raises InvalidValueError naming the first bad rule by its
    new number: an unknown field or area, an empty pattern, an invalid regular expression.
    """
    frame = pd.DataFrame(edited).reset_index(drop=True)
    def numbers(column: str) -> pd.Series:
        if column not in frame:
            return pd.Series(np.arange(1, len(frame) + 1, dtype=float))
        return pd.to_numeric(frame[column], errors="coerce").astype(float)

    position = numbers("position")
    was = numbers("was") if "was" in frame else position
    kept = (position == was).astype(int)  # moved rules (0) sort before those that kept their number
    order = pd.DataFrame({"position": position.fillna(np.inf), "kept": kept, "row": np.arange(len(frame))})
    ranked = order.sort_values(["position", "kept", "row"], kind="stable").index
    return [_checked_rule(frame.loc[row].to_dict(), number) for number, row in enumerate(ranked, start=1)]


def _text(value: Any, default: str = "") -> str:
    return default if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()


def _flag(value: Any, default: bool) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return default
    return bool(value)


def _matrix(value: Any, number: int) -> dict[str, bool | None]:
    """The editor's quadrant as the rule's `important` and `urgent` tags (None: no tag)."""
    name = _text(value)
    if not name:
        return {"important": None, "urgent": None}
    if name not in categorize.MATRIX_QUADRANTS:
        raise InvalidValueError(f"rule {number}: unknown priority {name!r}",
                                hint=f"Use one of {', '.join(categorize.MATRIX_QUADRANTS)}, or leave it empty.")
    important, urgent = categorize.MATRIX_QUADRANTS[name]
    return {"important": important, "urgent": urgent}


def _checked_rule(row: Mapping[Any, Any], number: int) -> dict[str, Any]:
    rule = {
        "field": _text(row.get("field"), "title") or "title",
        "pattern": _text(row.get("pattern")),
        "is_regex": _flag(row.get("is_regex"), False),
        "area": _text(row.get("area")),
        "marks_day_off": _flag(row.get("marks_day_off"), False),
        "enabled": _flag(row.get("enabled"), True),
        **_matrix(row.get("matrix"), number),
    }
    where = f"rule {number} ({rule['field']} {rule['pattern']!r})"
    if rule["field"] not in RULE_FIELDS:
        raise InvalidValueError(f"{where}: unknown field {rule['field']!r}", hint=f"Use one of {', '.join(RULE_FIELDS)}.")
    if rule["area"] not in AREAS:
        raise InvalidValueError(f"{where}: choose an area", hint=f"One of {', '.join(AREAS)}.")
    categorize.compile_rule({**rule, "position": number})
    return rule


def save_rules(engine: Engine, edited: pd.DataFrame | Sequence[Mapping[str, Any]]) -> int:
    """Check every rule, then make them the whole rule list in one transaction; nothing is saved if one is bad."""
    rules = ordered_rules(edited)
    regexes = {str(rule["pattern"]): number for number, rule in enumerate(rules, start=1) if rule["is_regex"]}
    for pattern in pattern_safety.slow_patterns(list(regexes)):
        raise InvalidValueError(
            f"rule {regexes[pattern]} (pattern {pattern!r}): this regular expression takes more than "
            f"{pattern_safety.PROBE_SECONDS:g} s on a 2,000-character text; nothing was saved",
            hint="Rewrite it more simply, or untick 'regular expression' to match plain words.",
        )
    store.replace_rules(engine, rules)
    return len(rules)


def preview(scope: Scope, rule: Mapping[str, Any]) -> pd.DataFrame:
    """The distinct events `rule` catches, on its own, with their occurrence counts (most first).

    It reads the scope's categorized history when that is already read and the rule looks at no
    description (the history carries descriptions only while an enabled rule uses them); else the
    stored occurrences, descriptions included.
    Raises InvalidValueError for a malformed rule (naming it by its `position`).
    """
    checked = {**rule, "field": _text(rule.get("field"), "title") or "title", "pattern": _text(rule.get("pattern"))}
    checked["is_regex"] = _flag(rule.get("is_regex"), False)
    use_history = scope.has_read_occurrences and checked["field"] != "description"
    occurrences = scope.occurrences if use_history else scope.stored_occurrences
    if occurrences.empty:
        categorize.compile_rule(checked)
        return pd.DataFrame(columns=["source_name", "title", "location", "description", "occurrences"])
    return categorize.preview_rule(occurrences, checked)


def uncategorized_events(scope: Scope) -> pd.DataFrame:
    """Events no rule, placement or calendar area places: one row per title and calendar.

    Columns: source_id, source, title, occurrences, hours (timed hours, all-day events add
    none), first (UTC instant or day of the first occurrence); most hours first.
    """
    occurrences = scope.occurrences
    columns = ["source_id", "source", "title", "occurrences", "hours"]
    if occurrences.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "hours" else object) for c in columns})
    left = occurrences[(occurrences["area"] == UNCATEGORIZED) & analytics.counted(occurrences)]
    hours = ((left["end_utc"] - left["start_utc"]).dt.total_seconds() / 3600).fillna(0.0)
    grouped = (
        left.assign(hours=hours, source=left["source_name"])
        .groupby(["source_id", "source", "title"], as_index=False, sort=False)
        .agg(occurrences=("uid", "size"), hours=("hours", "sum"))
    )
    grouped["hours"] = grouped["hours"].round(2)
    ranked = grouped.sort_values(["hours", "occurrences", "title"], ascending=[False, False, True], kind="stable")
    return ranked[columns].reset_index(drop=True)


def place_series(engine: Engine, *, source_id: int, title: str, area: str) -> int:
    """Place every series of a calendar with this title in `area` (beats the rules, survives re-import).

    Each event (uid) with that title gets a whole-series placement; returns how many were placed.
    """
    store.check_area(area, allow_uncategorized=False)
    occurrences = store.load_occurrences(engine)
    chosen = occurrences[(occurrences["source_id"] == source_id) & (occurrences["title"] == title)]
    uids = sorted(set(chosen["uid"].astype(str)))
    if not uids:
        raise InvalidValueError(f"no event titled {title!r} in that calendar", hint="It may have been re-imported or deleted.")
    for uid in uids:
        store.place(engine, source_id=int(source_id), uid=uid, recurrence_key=SERIES, area=area)
    return len(uids)


def restore_default_rules(engine: Engine) -> int:
    """Replace the rules with the shipped defaults; returns how many there are."""
    store.replace_rules(engine, categorize.DEFAULT_RULES)
    return len(categorize.DEFAULT_RULES)
