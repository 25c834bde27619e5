"""The history of targets and boundaries, told in sentences (pure).

"You raised family time from at least 10 h to at least 14 h on 3 March; since then you met it 7 of 9 weeks."
Each change is judged on the complete weeks from its effective date up to the next change of
the same area (or boundary), with the target or boundary then in force.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from balance_dash import boundaries
from balance_dash.health import PRO_RATA_AREAS
from balance_dash.targets import range_text

CHANGE_COLUMNS = ("subject", "effective_from", "before", "after", "weeks", "met", "sentence")


def day_text(day: date, today: date | None) -> str:
    """'3 March', with the year when it is not the year of `today`."""
    year = "" if today is not None and today.year == day.year else f" {day.year}"
    return f"{day.day} {day:%B}{year}"


def _number(value: object) -> float | None:
    number = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
    return None if pd.isna(number) else float(number)


def _verb(before: tuple[float | None, float | None], after: tuple[float | None, float | None]) -> str:
    if before == (None, None):
        return "set"
    if after == (None, None):
        return "removed the target for"
    old, new = (before[0] if before[0] is not None else before[1]), (after[0] if after[0] is not None else after[1])
    if old is None or new is None or old == new:
        return "changed"
    return "raised" if new > old else "lowered"


def _weeks_between(weekly: pd.DataFrame, first: date, stop: date | None) -> pd.DataFrame:
    starts = pd.DatetimeIndex(weekly.index)
    chosen = starts >= pd.Timestamp(first)
    if stop is not None:
        chosen &= starts < pd.Timestamp(stop)
    return weekly[chosen]


def _working_share(weekly: pd.DataFrame) -> pd.Series | float:
    if "workdays" not in weekly or "workdays_off" not in weekly:
        return 1.0
    workdays = weekly["workdays"].astype(float)
    return ((workdays - weekly["workdays_off"].astype(float)) / workdays.where(workdays > 0)).fillna(1.0).round(9)


def target_changes(targets: pd.DataFrame, weekly: pd.DataFrame, *, today: date | None = None) -> pd.DataFrame:
    """One row per change of an area's target (the first target of an area is not a change).

    `targets` is `store.load_targets` output; `weekly` has one row per complete week (index
    `week_start`) with a column per area. A week meets a target when its hours lie in the range.
    """
    rows: list[dict[str, object]] = []
    ordered = targets.assign(effective_from=pd.to_datetime(targets["effective_from"])).sort_values(
        ["area", "effective_from"], kind="stable"
    )
    for area, versions in ordered.groupby("area", sort=False):  # a loop over areas and their changes
        records = versions.to_dict("records")
        for index in range(1, len(records)):
            previous, current = records[index - 1], records[index]
            following = records[index + 1] if index + 1 < len(records) else None
            before = (_number(previous["min_hours"]), _number(previous["max_hours"]))
            after = (_number(current["min_hours"]), _number(current["max_hours"]))
            if before == after:
                continue
            since = pd.Timestamp(current["effective_from"]).date()
            stop = None if following is None else pd.Timestamp(following["effective_from"]).date()
            judged = _weeks_between(weekly, since, stop)
            hours = judged[str(area)].round(6) if str(area) in judged else pd.Series(dtype=float)
            # A work target applies pro rata to the working days that were not days off.
            share = _working_share(judged) if str(area) in PRO_RATA_AREAS else 1.0
            low = after[0] * share if after[0] is not None else -np.inf
            high = after[1] * share if after[1] is not None else np.inf
            met = int(((hours >= low) & (hours <= high)).sum())
            verb = _verb(before, after)
            change = f"You {verb} {area} time" + (
                "" if verb == "removed the target for" else f" from {range_text(*before)} to {range_text(*after)}"
            ) if verb != "set" else f"You set {area} time to {range_text(*after)}"
            tail = (
                f"since then you met it {met} of {len(hours)} weeks" if len(hours) else "no complete week since then yet"
            )
            sentence = f"{change} on {day_text(since, today)}; {tail}"
            rows.append({"subject": str(area), "effective_from": since, "before": range_text(*before),
                         "after": range_text(*after), "weeks": len(hours), "met": met, "sentence": sentence})
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return frame.sort_values("effective_from", ascending=False, kind="stable").reset_index(drop=True)


def boundary_changes(
    versions: pd.DataFrame, weekly: pd.DataFrame, *, today: date | None = None
) -> pd.DataFrame:
    """One row per version of a user boundary: added, changed or retired, and how it was kept since.

    `versions` is `store.load_boundaries` output; `weekly` is `BoundaryReport.weekly` for the
    complete weeks.
    """
    rows: list[dict[str, object]] = []
    if versions.empty:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    rules = {(rule.name, rule.effective_from): rule for rule in boundaries.user_rules(versions)}
    ordered = versions.assign(effective_from=pd.to_datetime(versions["effective_from"])).sort_values(
        ["name", "effective_from"], kind="stable"
    )
    for name, group in ordered.groupby("name", sort=False):  # a loop over boundaries and versions
        records = group.to_dict("records")
        for index, row in enumerate(records):
            since = pd.Timestamp(row["effective_from"]).date()
            rule = rules.get((str(name), since))
            if rule is None:  # an inactive version retires the boundary
                sentence = f"You retired {name!r} on {day_text(since, today)}"
                rows.append({"subject": str(name), "effective_from": since, "before": "", "after": "retired",
                             "weeks": 0, "met": 0, "sentence": sentence})
                continue
            mine = weekly[weekly["boundary"] == str(name)].set_index("week_start")
            judged = _weeks_between(mine, since, rule.until)
            kept = int(judged["kept"].sum()) if len(judged) else 0
            verb = "added" if index == 0 or not bool(records[index - 1]["active"]) else "changed"
            tail = f"since then you kept it {kept} of {len(judged)} weeks" if len(judged) else "no complete week since then yet"
            sentence = f"You {verb} {name!r} ({rule.describe()}) on {day_text(since, today)}; {tail}"
            rows.append({"subject": str(name), "effective_from": since, "before": "", "after": rule.describe(),
                         "weeks": len(judged), "met": kept, "sentence": sentence})
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return frame.sort_values("effective_from", ascending=False, kind="stable").reset_index(drop=True)
