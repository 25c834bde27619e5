"""Rules, placements and sources -> one area per occurrence (pure pandas).

Precedence, highest first (PRODUCT.md section 4):

1. a manual entry's own `area`;
2. a placement of that exact occurrence (`source_id`, `uid`, `recurrence_key`);
3. a placement of its whole series (`recurrence_key == "*"`);
4. the source's area when the source forces it (`area_forced`, `import --category`);
5. the first enabled rule, by `position`, whose pattern matches;
6. the source's default area;
7. `uncategorized`.

Pattern semantics (case-insensitive in both cases):

- plain pattern: a phrase. Its words must appear in this order, separated by whitespace, the
  first one at the start of a word: "out of office" matches "OOO: Out of  Office", "meet"
  matches "Meeting" (a word start), "pto" does not match "Photo" (not a word start).
- regular expression: Python `re.search`.

The field "calendar" is the source's name. `day_off` is true when the first matching rule
marks days off, even if a placement or a forced source area decides the area: a "Vacation"
all-day event in a work calendar imported with `--category work` is still a day off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from balance_dash.defaults import DEFAULT_RULES as DEFAULT_RULES  # the rules a new database starts with
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, SERIES, UNCATEGORIZED
from balance_dash.pattern_safety import backtracking_risk

# The occurrence columns a rule can look at; "calendar" reads the source's name.
_FIELD_COLUMNS: dict[str, str] = {
    "title": "title",
    "location": "location",
    "description": "description",
    "calendar": "source_name",
}
_TEXT_COLUMNS = ["source_name", "title", "location", "description"]




def compile_rule(rule: Mapping[str, Any]) -> re.Pattern[str]:
    """The case-insensitive regular expression of one rule; InvalidValueError if malformed."""
    pattern = str(rule["pattern"])
    field = str(rule.get("field", "title"))
    where = f"rule {rule.get('position', '?')} ({field} {pattern!r})"
    if field not in _FIELD_COLUMNS:
        raise InvalidValueError(
            f"{where}: unknown field {field!r}", hint=f"Use one of {', '.join(_FIELD_COLUMNS)}."
        )
    if bool(rule.get("is_regex", False)):
        try:
            regex = re.compile(pattern, re.IGNORECASE)
        except (re.error, RecursionError, OverflowError) as exc:
            raise InvalidValueError(
                f"{where}: invalid regular expression: {exc}",
                hint="Fix the pattern or untick 'regular expression' to match plain words.",
            ) from exc
        # Checked every time it is used, not only when saved: a rule already in the database
        # (or restored by an older version) must be reported, never run for minutes.
        risk = backtracking_risk(pattern)
        if risk:
            raise InvalidValueError(
                f"{where}: this regular expression could take minutes to match: {risk}",
                hint="Rewrite it without repeating a repetition, or untick 'regular expression' to match plain words.",
            )
        return regex
    words = pattern.split()
    if not words:
        raise InvalidValueError(f"{where}: the pattern is empty", hint="Enter at least one word.")
    # (?<!\w) rather than \b: a word may start with punctuation ("#focus", "1:1").
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


# The priority matrix (Eisenhower): a rule may tag what it catches as important and/or urgent.
MATRIX_TAGS: tuple[str, str] = ("important", "urgent")
# The quadrants as the rule editor offers them: (important, urgent) per choice.
MATRIX_QUADRANTS: dict[str, tuple[bool, bool]] = {
    "important and urgent": (True, True),
    "important, not urgent": (True, False),
    "urgent, not important": (False, True),
    "neither": (False, False),
}


def quadrant_of(important: object, urgent: object) -> str:
    """The editor's name of a rule's tags ("" when it does not tag)."""
    if important is None or urgent is None or pd.isna(important) or pd.isna(urgent):  # type: ignore[call-overload]
        return ""
    for name, tags in MATRIX_QUADRANTS.items():
        if tags == (bool(important), bool(urgent)):
            return name
    return ""


def _distinct_texts(occ: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct (source_name, title, location, description) rows and each row's code."""
    texts = occ[_TEXT_COLUMNS].fillna("").astype(str)
    codes = texts.groupby(_TEXT_COLUMNS, sort=False).ngroup().to_numpy(dtype=np.int64)
    first_rows = np.unique(codes, return_index=True)[1]
    return texts.iloc[first_rows].reset_index(drop=True), codes


def _enabled_rules(rules: pd.DataFrame) -> pd.DataFrame:
    if rules.empty:
        return rules
    enabled = rules[rules["enabled"].fillna(True).astype(bool)] if "enabled" in rules else rules
    order = "position" if "position" in enabled else None
    return enabled.sort_values(order, kind="stable") if order else enabled


def _first_matching_rule(distinct: pd.DataFrame, rules: pd.DataFrame) -> np.ndarray:
    """Per distinct text row, the positional index into `rules` of the first match, or -1."""
    first = np.full(len(distinct), -1, dtype=np.int64)
    # Each rule is matched against the distinct values of its field (a few hundred titles even
    # when descriptions make every text row distinct), then spread back to the rows.
    factorized: dict[str, tuple[np.ndarray, list[str]]] = {}
    for index, record in enumerate(rules.to_dict("records")):
        rule = {str(key): value for key, value in record.items()}
        regex = compile_rule(rule)
        undecided = first < 0
        if not undecided.any():
            break
        name = _FIELD_COLUMNS[str(rule.get("field", "title"))]
        if name not in factorized:
            codes, uniques = pd.factorize(distinct[name])
            factorized[name] = (codes, [str(value) for value in uniques])
        codes, values = factorized[name]
        # The compiled rule itself over the few distinct values: a vectorised string method costs
        # more per rule in setup than this loop does in all (77 default rules).
        matched = np.fromiter((regex.search(value) is not None for value in values), dtype=bool, count=len(values))
        first[undecided & matched[codes]] = index
    return first


def assign_areas(
    occ: pd.DataFrame, rules: pd.DataFrame, sources: pd.DataFrame, placements: pd.DataFrame
) -> pd.DataFrame:
    """`occ` with `area` (str: an area or "uncategorized") and `day_off` (bool) decided."""
    distinct, codes = _distinct_texts(occ)
    active = _enabled_rules(rules).reset_index(drop=True)
    first = _first_matching_rule(distinct, active)
    # One extra last entry for "no rule matched", so that index -1 reads it.
    area_of_rule = np.array([*(active["area"] if len(active) else []), None], dtype=object)
    day_off_of_rule = np.array([*(active["marks_day_off"] if len(active) else []), False], dtype=bool)
    by_row = first[codes]
    by_row_rule = pd.Series(area_of_rule[by_row], index=occ.index, dtype=object)
    day_off = pd.Series(day_off_of_rule[by_row], index=occ.index, dtype=bool)

    keys = occ[["source_id", "uid", "recurrence_key"]]
    exact, series = _placement_areas(keys, placements)
    forced, default = _source_areas(occ["source_id"], sources)
    manual = occ["area"].astype(object) if "area" in occ else pd.Series(None, index=occ.index, dtype=object)

    area = pd.Series(UNCATEGORIZED, index=occ.index, dtype=object)
    # Lowest precedence first; each later layer overwrites where it has a value.
    for layer in (default, by_row_rule, forced, series, exact, manual):
        known = layer.notna() & layer.isin(AREAS)
        area = area.mask(known, layer)
    return occ.assign(area=area.astype("str"), day_off=day_off, **_matrix_tags(distinct, codes, active, occ.index))


def _matrix_tags(distinct: pd.DataFrame, codes: np.ndarray, active: pd.DataFrame, index: pd.Index) -> dict[str, pd.Series]:
    """`important` and `urgent` per occurrence (True, False or None) from the first matching rule
    that tags the priority matrix; rules without a tag do not decide (see `MATRIX_QUADRANTS`)."""
    tags = {name: pd.Series([None] * len(index), index=index, dtype=object) for name in MATRIX_TAGS}
    if active.empty or not all(name in active for name in MATRIX_TAGS):
        return tags
    tagging = active[active["important"].notna() | active["urgent"].notna()].reset_index(drop=True)
    if tagging.empty:
        return tags
    first = _first_matching_rule(distinct, tagging)[codes]
    for name in MATRIX_TAGS:
        values = np.array([*tagging[name].astype(object).where(tagging[name].notna(), None), None], dtype=object)
        tags[name] = pd.Series(values[first], index=index, dtype=object)
    return tags


def _placement_areas(keys: pd.DataFrame, placements: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    empty = pd.Series(None, index=keys.index, dtype=object)
    if placements.empty:
        return empty, empty.copy()
    chosen = placements[["source_id", "uid", "recurrence_key", "area"]].astype({"area": object})
    whole = chosen["recurrence_key"] == SERIES
    exact = keys.merge(
        chosen[~whole].drop_duplicates(["source_id", "uid", "recurrence_key"], keep="last"),
        on=["source_id", "uid", "recurrence_key"], how="left",
    )["area"]
    series = keys[["source_id", "uid"]].merge(
        chosen[whole].drop(columns="recurrence_key").drop_duplicates(["source_id", "uid"], keep="last"),
        on=["source_id", "uid"], how="left",
    )["area"]
    return (
        pd.Series(exact.to_numpy(dtype=object), index=keys.index, dtype=object),
        pd.Series(series.to_numpy(dtype=object), index=keys.index, dtype=object),
    )


def _source_areas(source_ids: pd.Series, sources: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    empty = pd.Series(None, index=source_ids.index, dtype=object)
    if sources.empty:
        return empty, empty.copy()
    table = sources.drop_duplicates("id").set_index("id")
    area = source_ids.map(table["area"].astype(object)).astype(object)
    forced_flag = source_ids.map(table["area_forced"].fillna(False).astype(bool)).fillna(False).astype(bool)
    forced = area.where(forced_flag, None)
    default = area.where(~forced_flag, None)
    return forced, default


def preview_rule(occ: pd.DataFrame, rule: Mapping[str, Any]) -> pd.DataFrame:
    """The distinct events `rule` would catch (ignoring other rules and `enabled`).

    Columns: source_name, title, location, description, occurrences; most frequent first.
    """
    regex = compile_rule(rule)
    distinct, codes = _distinct_texts(occ)
    counts = np.bincount(codes, minlength=len(distinct)) if len(codes) else np.zeros(0, dtype=np.int64)
    column = distinct[_FIELD_COLUMNS[str(rule.get("field", "title"))]]
    hits = column.str.count(regex.pattern, flags=regex.flags).gt(0).to_numpy(dtype=bool)  # count: no warning on groups
    caught = distinct.assign(occurrences=counts)[hits]
    return caught.sort_values(["occurrences", "title"], ascending=[False, True]).reset_index(drop=True)


def rules_frame(rules: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A rules frame (the store's columns) from a list of rule dicts, numbered by position."""
    frame = pd.DataFrame([dict(rule) for rule in rules])
    return frame.assign(position=np.arange(len(frame)))
