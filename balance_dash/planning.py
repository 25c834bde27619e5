"""Plan next week: long blocks of free time for the areas that fall short, as an .ics (pure).

Free time is the evenings of working days (disconnect time to bedtime) and the waking hours of
rest days, minus everything already scheduled, the sleep window, working hours (for the areas
planned here, none of which is work) and every boundary a block of that area would break.
Blocks are chunked time: at least `min_block_hours` long (1.5 h by default), at most
`max_block_hours`, on quarter hours, spread over the days before a day gets a second block of
the same area. Work is not planned: the blocks protect the time outside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import numpy as np
import pandas as pd

from balance_dash import analytics, boundaries
from balance_dash.analytics import intervals as iv
from balance_dash.models import LOG_KINDS
from balance_dash.settings import Settings

PLANNED_AREAS: tuple[str, ...] = ("family", "personal", "rest")
# Titles the shipped categorisation rules place in the same area, so a plan imported back into
# balance-dash counts where it was meant to.
BLOCK_TITLES: dict[str, str] = {"family": "Family time", "personal": "Personal time: hobby", "rest": "Rest and relax"}
BLOCK_COLUMNS = ("area", "title", "start_utc", "end_utc", "hours", "uid")
QUARTER_US = 15 * 60 * 1_000_000
HALF_HOUR = 0.5


@dataclass(frozen=True)
class Plan:
    """Proposed blocks for one week, the shortfall they answer and what stays short."""

    week_start: date
    blocks: pd.DataFrame  # BLOCK_COLUMNS; start_utc/end_utc aware UTC
    shortfall: dict[str, float] = field(default_factory=dict)
    unmet: dict[str, float] = field(default_factory=dict)


def shortfall_hours(week_hours: Mapping[str, float], targets: pd.DataFrame) -> dict[str, float]:
    """Hours each planned area lacks to reach its target's minimum (only areas that fall short).

    `targets` holds one week's rows of `health.targets_for_weeks` (area, min_hours, ...).
    """
    minimum = targets.set_index("area")["min_hours"] if len(targets) else pd.Series(dtype=float)
    short = {}
    for area in PLANNED_AREAS:
        goal = minimum.get(area)
        if goal is None or pd.isna(goal):
            continue
        gap = round(float(goal) - float(week_hours.get(area, 0.0)), 6)
        if gap > 0:
            short[area] = gap
    return short


def _windows(days: pd.DatetimeIndex, start: time, end: time, tz: ZoneInfo) -> iv.IntervalSet:
    """The union of one wall-time window per day (an end not after the start is the next day)."""
    starts_us = iv.local_instants_us(days, start, tz)
    end_days = pd.DatetimeIndex(days + pd.Timedelta(days=1)) if end <= start else days
    return iv.union(starts_us, iv.local_instants_us(end_days, end, tz))


def free_time(
    area: str,
    *,
    week_start: date,
    tz: ZoneInfo,
    settings: Settings,
    busy: iv.IntervalSet,
    rules: Sequence[boundaries.BoundaryRule],
    days_off: Sequence[date] = (),
    not_before_us: int | None = None,
) -> iv.IntervalSet:
    """The time of the week a block of `area` may take (see the module docstring)."""
    days = iv.local_days(week_start, week_start + timedelta(days=6))
    rest = np.isin(np.asarray(days.day_of_week), list(settings.rest_days))
    wake = settings.sleep_end if settings.sleep_enabled else settings.workday_start
    bed = settings.sleep_start if settings.sleep_enabled else time(23, 0)
    candidates = _merge(
        _windows(pd.DatetimeIndex(days[rest]), wake, bed, tz),
        _windows(pd.DatetimeIndex(days[~rest]), settings.disconnect_time, bed, tz),
    )
    off = np.asarray(days.isin(pd.to_datetime(pd.Index(list(days_off)))))
    blocked = [busy]
    if settings.sleep_enabled and settings.sleep_start != settings.sleep_end:
        night_days = iv.local_days(week_start - timedelta(days=1), week_start + timedelta(days=6))
        _nights, starts_us, ends_us = analytics.sleep_windows(
            tz, night_days[0].date(), night_days[-1].date(), (settings.sleep_start, settings.sleep_end)
        )
        blocked.append(iv.union(starts_us, ends_us))
    if area != "work":
        blocked.append(_windows(pd.DatetimeIndex(days[~rest & ~off]), settings.workday_start, settings.disconnect_time, tz))
    week_starts = pd.DatetimeIndex(np.full(len(days), pd.Timestamp(week_start)))
    for rule in rules:  # a loop over the handful of boundaries
        if area in rule.breaking_areas:
            _chosen, starts_us, ends_us = boundaries.rule_windows(rule, days, off, week_starts, tz)
            blocked.append(iv.union(starts_us, ends_us))
    if not_before_us is not None:
        blocked.append((np.array([candidates[0][:1].min(initial=not_before_us)]), np.array([not_before_us])))
    return iv.subtract(candidates, _merge(*blocked))


def _merge(*sets: iv.IntervalSet) -> iv.IntervalSet:
    return iv.union(np.concatenate([s[0] for s in sets]), np.concatenate([s[1] for s in sets]))


def propose_blocks(
    shortfall: Mapping[str, float],
    *,
    week_start: date,
    tz: ZoneInfo,
    settings: Settings,
    busy: iv.IntervalSet,
    rules: Sequence[boundaries.BoundaryRule] = (),
    days_off: Sequence[date] = (),
    now: datetime | None = None,
    min_block_hours: float = 1.5,
    max_block_hours: float = 3.0,
) -> Plan:
    """Blocks of free time for each area short of its target, the largest need first.

    Each round gives one block to the area that still lacks the most: the earliest free
    stretch of at least `min_block_hours` on a day without a block of that area yet (else any
    day), as long as the need (rounded up to half hours, at least `min_block_hours`, at most
    `max_block_hours`). An area whose need no free stretch can hold stops, with the rest in
    `unmet`. Blocks never overlap `busy`, each other, the sleep window or a boundary.
    """
    not_before = None if now is None else int(iv.micros(pd.Series([pd.Timestamp(now)]))[0])
    free = {
        area: free_time(
            area, week_start=week_start, tz=tz, settings=settings, busy=busy, rules=rules,
            days_off=days_off, not_before_us=not_before,
        )
        for area in shortfall
    }
    need = {area: float(hours) for area, hours in shortfall.items() if hours > 0}
    taken: iv.IntervalSet = iv.EMPTY
    placed: list[tuple[str, int, int]] = []
    stuck: set[str] = set()
    min_us, max_us = int(min_block_hours * iv.US_PER_HOUR), int(max_block_hours * iv.US_PER_HOUR)
    while True:  # a loop over blocks (a handful per week)
        open_areas = [area for area in need if need[area] > 1e-9 and area not in stuck]
        if not open_areas:
            break
        area = max(open_areas, key=lambda a: (need[a], -PLANNED_AREAS.index(a) if a in PLANNED_AREAS else 0))
        starts_us, ends_us = iv.subtract(free[area], taken)
        starts_us = -(-starts_us // QUARTER_US) * QUARTER_US  # on the next quarter hour
        usable = (ends_us - starts_us) >= min_us
        if not usable.any():
            stuck.add(area)
            continue
        used_days = {_local_day(start, tz) for a, start, _end in placed if a == area}
        fresh = np.array([_local_day(int(s), tz) not in used_days for s in starts_us]) & usable
        pick = int(np.flatnonzero(fresh if fresh.any() else usable)[0])
        wanted_us = int(np.ceil(need[area] / HALF_HOUR) * HALF_HOUR * iv.US_PER_HOUR)
        length = min(max(wanted_us, min_us), max_us, int(ends_us[pick] - starts_us[pick]))
        start = int(starts_us[pick])
        placed.append((area, start, start + length))
        taken = iv.union(np.append(taken[0], start), np.append(taken[1], start + length))
        need[area] = max(need[area] - length / iv.US_PER_HOUR, 0.0)
    blocks = _blocks_frame(placed, week_start)
    unmet = {area: round(hours, 2) for area, hours in need.items() if hours > 1e-9}
    return Plan(week_start=week_start, blocks=blocks, shortfall=dict(shortfall), unmet=unmet)


def _local_day(instant_us: int, tz: ZoneInfo) -> date:
    return pd.Timestamp(instant_us, unit="us", tz="UTC").tz_convert(tz).date()


def _blocks_frame(placed: list[tuple[str, int, int]], week_start: date) -> pd.DataFrame:
    placed = sorted(placed, key=lambda block: block[1])
    frame = pd.DataFrame(
        {
            "area": pd.Series([area for area, _s, _e in placed], dtype="str"),
            "start_utc": iv.to_utc(np.array([s for _a, s, _e in placed], dtype=np.int64)),
            "end_utc": iv.to_utc(np.array([e for _a, _s, e in placed], dtype=np.int64)),
        }
    )
    frame = frame.assign(
        title=frame["area"].map(BLOCK_TITLES).fillna(frame["area"]),
        hours=(frame["end_utc"] - frame["start_utc"]).dt.total_seconds() / 3600,
        uid=block_uids(frame["area"], week_start),
    )
    return frame[list(BLOCK_COLUMNS)]


def block_uids(areas: pd.Series, week_start: date) -> list[str]:
    """Stable UIDs: the week and the area's block number, so a re-planned week updates in place."""
    numbers = areas.groupby(areas).cumcount() + 1
    return [f"balance-dash-plan-{week_start:%Y%m%d}-{area}-{n}@balance-dash" for area, n in zip(areas, numbers, strict=True)]


def plan_to_ics(blocks: pd.DataFrame, *, tz: ZoneInfo, stamp: datetime, name: str = "balance-dash plan") -> bytes:
    """The blocks as an iCalendar file: DTSTART/DTEND with the zone's TZID and its VTIMEZONE.

    Rows without a UID (added by hand in the editor) get one from their area and times.
    """
    calendar = icalendar.Calendar.new(name=name, prodid="-//balance-dash//weekly plan//EN")
    for row in blocks.to_dict("records"):  # a loop over the week's blocks
        start = pd.Timestamp(row["start_utc"]).tz_convert(tz).to_pydatetime()
        end = pd.Timestamp(row["end_utc"]).tz_convert(tz).to_pydatetime()
        uid = str(row.get("uid") or "") or _hand_uid(str(row["area"]), start)
        event = icalendar.Event.new(
            uid=uid, summary=str(row["title"]), start=start, end=end, stamp=stamp,
            description=f"Planned with balance-dash for {row['area']} time.", categories=[str(row["area"])],
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _hand_uid(area: str, start: datetime) -> str:
    digest = hashlib.sha256(f"{area}|{start.isoformat()}".encode()).hexdigest()[:16]
    return f"balance-dash-plan-{digest}@balance-dash"


def plan_against_actual(occurrences: pd.DataFrame, *, lo_us: int, hi_us: int) -> pd.DataFrame:
    """Per area, the hours the calendars planned and the hours logged by hand in [lo, hi).

    `occurrences` carries `area` and `source_kind` ("ics" for calendars; "manual" and "csv" for
    logs). Columns: area, planned, logged, difference (logged - planned); empty unless both
    calendars and logs hold time in the period.
    """
    kinds = occurrences["source_kind"].astype(str) if "source_kind" in occurrences else pd.Series("ics", index=occurrences.index)
    lo, hi = np.array([lo_us]), np.array([hi_us])
    figures = {}
    for column, chosen in (("planned", kinds == "ics"), ("logged", kinds.isin(LOG_KINDS))):
        intervals = analytics.area_intervals(occurrences[chosen])
        figures[column] = [
            float(iv.window_hours(analytics.interval_set(intervals, (area,)), lo, hi)[0]) for area in analytics.AREA_COLUMNS
        ]
    frame = pd.DataFrame({"area": list(analytics.AREA_COLUMNS), **figures})
    if frame["planned"].sum() <= 0 or frame["logged"].sum() <= 0:
        return frame.iloc[0:0].assign(difference=pd.Series(dtype="float64"))
    frame = frame[(frame["planned"] > 0) | (frame["logged"] > 0)]
    return frame.assign(difference=(frame["logged"] - frame["planned"]).round(2)).round(2).reset_index(drop=True)
