"""The events behind a figure: which events make an area's hours in a period, what placed each
one in its area, and one-click placement of one occurrence or its whole series.

An area's hours count overlapping time once (PRODUCT.md section 3), so each event is credited
with the part of its time that no earlier-starting event of the same area already covers: the
credited hours of the events listed add up to the area's hours of the period.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import analytics, categorize, store
from balance_dash.charts_balance import balance_hours
from balance_dash.errors import InvalidValueError
from balance_dash.models import LOG_KINDS, SERIES
from balance_dash.workflows.common import local_midnight_utc
from balance_dash.workflows.scope import Scope

# The occurrence column a rule's field reads ("calendar" is the source's name).
_RULE_COLUMNS = {"title": "title", "location": "location", "description": "description", "calendar": "source_name"}
EVENT_COLUMNS = ["title", "calendar", "when", "hours", "area", "placed_by", "source_id", "uid", "recurrence_key"]


def credited_hours(start_us: np.ndarray, end_us: np.ndarray) -> np.ndarray:
    """Per interval (sorted by start), the hours it adds to the union of the ones before it."""
    if not len(start_us):
        return np.zeros(0)
    reach = np.maximum.accumulate(end_us)
    covered_until = np.concatenate([[start_us[0]], reach[:-1]])
    credited: np.ndarray = np.clip(end_us - np.maximum(start_us, covered_until), 0, None) / 3_600_000_000
    return credited


def _lived(occurrences: pd.DataFrame) -> pd.DataFrame:
    """The occurrences whose hours an area counts: not declined, free, away or cancelled, and not
    logged sleep (sleep is apart from rest)."""
    return occurrences[analytics.counted(occurrences) & ~analytics.logged_sleep(occurrences)]


def events_behind(scope: Scope, *, first_day: date, last_day: date, area: str) -> pd.DataFrame:
    """The timed events of `area` in the local days [first_day, last_day], most hours first.

    Columns (`EVENT_COLUMNS`): title, calendar, when (local, as people write it), hours (credited
    in the period), area, placed_by (the rule or choice that decided the area), and the keys
    source_id, uid, recurrence_key for placing it.
    """
    lo = local_midnight_utc(first_day, scope.tz)
    hi = local_midnight_utc(last_day + timedelta(days=1), scope.tz)
    return _event_table(scope.engine, _lived(scope.occurrences_between(lo, hi)), scope.tz, lo, hi, area)


def _event_table(engine: Engine, occ: pd.DataFrame, tz: ZoneInfo, lo_utc: datetime, hi_utc: datetime,
                 area: str) -> pd.DataFrame:
    """`events_behind` of the lived occurrences `occ` in [lo_utc, hi_utc)."""
    lo, hi = pd.Timestamp(lo_utc), pd.Timestamp(hi_utc)
    chosen = occ[(occ["area"] == area) & ~occ["all_day"].astype(bool) & (occ["end_utc"] > lo) & (occ["start_utc"] < hi)]
    if chosen.empty:
        return pd.DataFrame({column: pd.Series(dtype=float if column == "hours" else object) for column in EVENT_COLUMNS})
    lo_us, hi_us = lo.value // 1000, hi.value // 1000
    start_all = np.maximum(chosen["start_utc"].dt.as_unit("us").astype("int64").to_numpy(), lo_us)
    end_all = np.minimum(chosen["end_utc"].dt.as_unit("us").astype("int64").to_numpy(), hi_us)
    order = np.lexsort((end_all, start_all))
    ordered = chosen.iloc[order]
    start_us, end_us = start_all[order], end_all[order]
    hours = credited_hours(start_us, end_us)
    local_start = ordered["start_utc"].dt.tz_convert(tz)
    local_end = ordered["end_utc"].dt.tz_convert(tz)
    same_day = local_start.dt.normalize() == (local_end - pd.Timedelta(microseconds=1)).dt.normalize()
    when = local_start.dt.strftime("%a %d %b %Y %H:%M") + np.where(
        same_day, "–" + local_end.dt.strftime("%H:%M"), " – " + local_end.dt.strftime("%a %d %b %H:%M")
    )
    table = pd.DataFrame(
        {
            "title": ordered["title"].astype(str).to_numpy(),
            "calendar": ordered["source_name"].astype(str).to_numpy(),
            "when": when.to_numpy(),
            "hours": hours.round(4),
            "area": ordered["area"].astype(str).to_numpy(),
            "placed_by": placed_by(engine, ordered),
            "source_id": ordered["source_id"].astype(int).to_numpy(),
            "uid": ordered["uid"].astype(str).to_numpy(),
            "recurrence_key": ordered["recurrence_key"].astype(str).to_numpy(),
            "_start": local_start.to_numpy(),
        }
    )
    table = table.sort_values(["hours", "_start"], ascending=[False, True], kind="stable")
    return table.drop(columns="_start").reset_index(drop=True)


def placed_by(engine: Engine, occ: pd.DataFrame) -> list[str]:
    """For each occurrence, in words, what gave it its area (the precedence of `categorize`)."""
    sources = store.load_sources(engine).drop_duplicates("id").set_index("id")
    placements = store.load_placements(engine)
    rules = store.load_rules(engine)
    numbered = rules.sort_values("position", kind="stable").assign(number=np.arange(1, len(rules) + 1))  # as the editor numbers them
    enabled = numbered[numbered["enabled"].astype(bool)]
    records = [{str(key): value for key, value in record.items()} for record in enabled.to_dict("records")]
    compiled = [(record, categorize.compile_rule(record)) for record in records]
    exact = {(int(p["source_id"]), str(p["uid"]), str(p["recurrence_key"])) for p in placements.to_dict("records")}
    series = {(int(p["source_id"]), str(p["uid"])) for p in placements.to_dict("records") if p["recurrence_key"] == SERIES}
    reasons: list[str] = []
    for record in occ.to_dict("records"):
        row = {str(key): value for key, value in record.items()}
        source_id = int(row["source_id"])
        source = {str(k): v for k, v in sources.loc[source_id].to_dict().items()} if source_id in sources.index else {}
        if source.get("kind") in LOG_KINDS:
            reasons.append("logged by you")
        elif (source_id, str(row["uid"]), str(row["recurrence_key"])) in exact:
            reasons.append("placed by you (this occurrence)")
        elif (source_id, str(row["uid"])) in series:
            reasons.append("placed by you (the whole series)")
        elif bool(source.get("area_forced")) and source.get("area"):
            reasons.append(f"the calendar's area ({source['area']}, for all its events)")
        else:
            reasons.append(_rule_reason(row, compiled) or (
                f"the calendar's area ({source['area']})" if source.get("area") else "no rule matches"
            ))
    return reasons


def _rule_reason(row: dict[str, Any], compiled: list[tuple[dict[str, Any], re.Pattern[str]]]) -> str | None:
    for rule, regex in compiled:
        text = row.get(_RULE_COLUMNS.get(str(rule.get("field")), "title"))
        if isinstance(text, str) and regex.search(text):
            return f"rule {int(rule['number'])}: {rule['field']} matches “{rule['pattern']}”"
    return None


def place_occurrence(engine: Engine, *, source_id: int, uid: str, recurrence_key: str, area: str) -> None:
    """Place one occurrence in `area` (it beats the rules and the series' placement)."""
    store.check_area(area, allow_uncategorized=False)
    if recurrence_key == SERIES:
        raise InvalidValueError("that key names a whole series, not one occurrence", hint="Use place_series_of.")
    store.place(engine, source_id=int(source_id), uid=uid, recurrence_key=recurrence_key, area=area)


def place_series_of(engine: Engine, *, source_id: int, uid: str, area: str) -> None:
    """Place the whole series an occurrence belongs to in `area`."""
    store.check_area(area, allow_uncategorized=False)
    store.place(engine, source_id=int(source_id), uid=uid, recurrence_key=SERIES, area=area)


def uncategorized_share(week: pd.Series) -> float:
    """The share of a week's counted hours (areas and uncategorized, sleep left out) no rule places."""
    hours = balance_hours(week.to_frame().T).iloc[0]
    counted = float(sum(float(hours[column]) for column in ("work", "family", "personal", "rest", "uncategorized")))
    return float(hours["uncategorized"]) / counted if counted > 0 else 0.0


def add_title_rule(engine: Engine, *, title: str, area: str) -> int:
    """Add, after the existing rules, a rule placing events with this title in `area`; returns its number.

    A plain phrase (not a regular expression): the title's words in order, ignoring case, so
    "Team sync" also catches "Team sync (weekly)".
    """
    store.check_area(area, allow_uncategorized=False)
    phrase = " ".join(title.split())
    if not phrase:
        raise InvalidValueError("an event without a title cannot make a rule", hint="Place its series instead.")
    rules = store.load_rules(engine).sort_values("position", kind="stable")
    records = [{str(key): value for key, value in record.items()} for record in rules.to_dict("records")]
    new = {"field": "title", "pattern": phrase[:400], "is_regex": False, "area": area, "marks_day_off": False, "enabled": True}
    categorize.compile_rule({**new, "position": len(records) + 1})
    store.replace_rules(engine, [*records, new])
    return len(records) + 1


def events_in_hour(
    scope: Scope,
    *,
    first_day: date,
    last_day: date,
    weekday: int,
    hour: int,
    area: str = "work",
) -> pd.DataFrame:
    """The timed events of `area` in [first_day, last_day] that hold time in the local hour
    `hour`:00-`hour+1`:00 of days with this `weekday` (Monday = 0): a heatmap cell's events.

    Columns as `events_behind`; `hours` is each event's time inside those hours (events that
    overlap each other count each).
    """
    engine, tz = scope.engine, scope.tz
    lo, hi = local_midnight_utc(first_day, tz), local_midnight_utc(last_day + timedelta(days=1), tz)
    days = pd.date_range(first_day, last_day, freq="D")
    days = days[days.day_of_week == weekday]
    starts = (days + pd.Timedelta(hours=hour)).tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
    ends = (days + pd.Timedelta(hours=hour + 1)).tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
    slot_lo = starts.tz_convert("UTC").as_unit("us").asi8
    slot_hi = ends.tz_convert("UTC").as_unit("us").asi8
    occ = _lived(scope.occurrences_between(lo, hi))
    chosen = occ[(occ["area"] == area) & ~occ["all_day"].astype(bool)]
    if chosen.empty or not len(slot_lo):
        return _event_table(engine, occ.iloc[0:0], tz, lo, hi, area)
    start = chosen["start_utc"].dt.as_unit("us").astype("int64").to_numpy()
    end = chosen["end_utc"].dt.as_unit("us").astype("int64").to_numpy()
    first_slot = np.searchsorted(slot_hi, start, side="right")
    inside = np.zeros(len(chosen))
    for step in range(3):  # an event reaches at most the next two slots of its weekday (a week apart)
        slot = np.minimum(first_slot + step, len(slot_lo) - 1)
        valid = first_slot + step < len(slot_lo)
        overlap = np.clip(np.minimum(end, slot_hi[slot]) - np.maximum(start, slot_lo[slot]), 0, None)
        inside += np.where(valid, overlap, 0) / 3_600_000_000
    hits = chosen[inside > 0]
    if hits.empty:
        return _event_table(engine, occ.iloc[0:0], tz, lo, hi, area)
    listed = _event_table(engine, hits, tz, lo, hi, area)
    credit = pd.Series(inside[inside > 0], index=pd.MultiIndex.from_arrays(
        [hits["source_id"].astype(int), hits["uid"].astype(str), hits["recurrence_key"].astype(str)]))
    credit = credit.groupby(level=[0, 1, 2]).sum()
    keys = pd.MultiIndex.from_arrays([listed["source_id"].astype(int), listed["uid"].astype(str), listed["recurrence_key"].astype(str)])
    listed = listed.assign(hours=credit.reindex(keys).to_numpy().round(4))
    return listed.sort_values(["hours"], ascending=False, kind="stable").reset_index(drop=True)
