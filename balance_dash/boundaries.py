"""Boundaries as first-class objects: kept or broken per week, by how much and where (pure).

A boundary is a span of local wall time on chosen weekdays in which some areas must not happen.
The built-in ones come from the Settings (start time, disconnect time, rest days, days off, the
sleep window); the user names more (`models.Boundary`, with a history of versions). Each is
checked on the per-area unions of `analytics.area_intervals` with the interval primitives the
health checks use: one window of wall time per chosen local day
(`analytics.intervals.local_instants_us`, DST-aware), and the offending hours inside it are the
`window_hours` of the offending areas' union. Windows are half-open: work that ends exactly at
the disconnect time keeps the boundary.

The built-ins measure what `health.boundaries` warns about (after_hours is Start time plus
Disconnect time; work_on_rest_day is Rest days plus Days off), so a broken boundary and its
warning always agree; here they are counted per week with streaks and a score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.models import UNCATEGORIZED
from balance_dash.settings import WEEKDAY_NAMES, Settings

Kind = Literal["forbid", "protect"]
DaysOff = Literal["any", "skip", "only"]
ALL_DAYS: tuple[int, ...] = tuple(range(7))
MIDNIGHT = time(0, 0)
# The areas whose events take time from the sleep window (as in analytics.sleep_nights).
AWAKE_AREAS: tuple[str, ...] = tuple(area for area in analytics.AREA_COLUMNS if area != "rest")

WINDOW_COLUMNS = ("boundary", "day", "week_start", "start_utc", "end_utc", "hours")
WEEKLY_COLUMNS = ("week_start", "boundary", "kept", "broken_hours", "broken_days", "days", "streak")
SCORE_COLUMNS = ("week_start", "boundaries", "kept", "score", "broken_hours", "all_kept_streak")


@dataclass(frozen=True)
class BoundaryRule:
    """One boundary as the checks see it.

    kind "forbid": `area` must not happen in the span; "protect": the span belongs to `area`
    and every other area breaks it. `offending` overrides the areas that break it (the sleep
    window: every area but rest). `days_off`: check days marked off too ("any"), never
    ("skip"), or only those ("only"). Versions of a named boundary apply to the weeks starting
    on or after `effective_from` and before `until` (as targets do).
    """

    name: str
    kind: Kind
    area: str
    weekdays: tuple[int, ...]
    start: time
    end: time
    days_off: DaysOff = "any"
    builtin: bool = False
    offending: tuple[str, ...] = ()
    effective_from: date | None = None
    until: date | None = None

    @property
    def breaking_areas(self) -> tuple[str, ...]:
        if self.offending:
            return self.offending
        if self.kind == "forbid":
            return (self.area,)
        return tuple(area for area in analytics.AREA_COLUMNS if area != self.area)

    def describe(self) -> str:
        """'no work on Sunday, all day'; 'keep Monday to Friday 19:00-20:00 for family'."""
        days = weekdays_text(self.weekdays)
        span = "all day" if self.start == self.end == MIDNIGHT else f"{self.start:%H:%M}–{self.end:%H:%M}"
        if self.kind == "protect":
            return f"keep {days} {span} for {self.area}"
        if self.offending == AWAKE_AREAS:
            return f"keep {days} {span} for sleep (nothing but rest)"
        return f"no {' or '.join(self.breaking_areas)} on {days}, {span}"


def weekdays_text(weekdays: Sequence[int]) -> str:
    days = sorted(set(weekdays))
    if days == list(ALL_DAYS):
        return "every day"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAY_NAMES[days[0]]} to {WEEKDAY_NAMES[days[-1]]}"
    return ", ".join(WEEKDAY_NAMES[day] for day in days)


def settings_rules(settings: Settings) -> list[BoundaryRule]:
    """The boundaries the Settings define: start and disconnect time, rest days, days off, sleep."""
    working = tuple(day for day in ALL_DAYS if day not in settings.rest_days)
    opens, closes = settings.workday_start, settings.disconnect_time
    rules: list[BoundaryRule] = []
    if closes > opens:
        if opens != MIDNIGHT:
            rules.append(BoundaryRule("Start time", "forbid", "work", working, MIDNIGHT, opens, "skip", True))
        rules.append(BoundaryRule("Disconnect time", "forbid", "work", working, closes, MIDNIGHT, "skip", True))
    elif closes < opens:  # working hours across midnight (a night shift): the day between is free
        rules.append(BoundaryRule("Disconnect time", "forbid", "work", working, closes, opens, "skip", True))
    if settings.rest_days:
        rules.append(BoundaryRule("Rest days", "forbid", "work", tuple(settings.rest_days), MIDNIGHT, MIDNIGHT, "any", True))
    if working:
        rules.append(BoundaryRule("Days off", "forbid", "work", working, MIDNIGHT, MIDNIGHT, "only", True))
    if settings.sleep_enabled and settings.sleep_start != settings.sleep_end:
        rules.append(
            BoundaryRule(
                "Sleep window", "forbid", "rest", ALL_DAYS, settings.sleep_start, settings.sleep_end, "any", True,
                offending=AWAKE_AREAS,
            )
        )
    return rules


def user_rules(boundaries: pd.DataFrame) -> list[BoundaryRule]:
    """The versions of the user's named boundaries (rows of `store.load_boundaries`).

    Each version is in force until the next version of the same name; an inactive version
    ends the boundary without starting a new one.
    """
    if boundaries.empty:
        return []
    rows = boundaries.assign(effective_from=pd.to_datetime(boundaries["effective_from"]))
    rows = rows.sort_values(["name", "effective_from"], kind="stable")
    following = rows.groupby("name")["effective_from"].shift(-1)
    rules = []
    for row, until in zip(rows.to_dict("records"), following, strict=True):  # a loop over versions
        if not bool(row["active"]):
            continue
        rules.append(
            BoundaryRule(
                name=str(row["name"]),
                kind="protect" if row["kind"] == "protect" else "forbid",
                area=str(row["area"]),
                weekdays=tuple(int(day) for day in str(row["weekdays"]).split(",") if day.strip()),
                start=_clock(row["start_local"]),
                end=_clock(row["end_local"]),
                effective_from=pd.Timestamp(row["effective_from"]).date(),
                until=None if pd.isna(until) else pd.Timestamp(until).date(),
            )
        )
    return rules


def _clock(value: object) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


def rule_windows(
    rule: BoundaryRule, days: pd.DatetimeIndex, day_off: np.ndarray, week_starts: pd.DatetimeIndex, tz: ZoneInfo
) -> tuple[np.ndarray, iv.Micros, iv.Micros]:
    """Which of `days` the rule covers, and the UTC bounds of its window on each of them.

    `days` are naive local midnights, `day_off` their day-off marks, `week_starts` the start
    of each day's week (for the version's effective dates). A window whose end is not after
    its start runs into the next day; 00:00 to 00:00 is the whole local day (23 or 25 h on
    DST days).
    """
    chosen = np.isin(np.asarray(days.day_of_week), list(rule.weekdays))
    off = np.asarray(day_off, dtype=bool)
    if rule.days_off == "skip":
        chosen &= ~off
    elif rule.days_off == "only":
        chosen &= off
    if rule.effective_from is not None:
        chosen &= np.asarray(week_starts >= pd.Timestamp(rule.effective_from))
    if rule.until is not None:
        chosen &= np.asarray(week_starts < pd.Timestamp(rule.until))
    picked = pd.DatetimeIndex(days[chosen])
    starts_us = iv.local_instants_us(picked, rule.start, tz)
    end_days = pd.DatetimeIndex(picked + pd.Timedelta(days=1)) if rule.end <= rule.start else picked
    return chosen, starts_us, iv.local_instants_us(end_days, rule.end, tz)


@dataclass(frozen=True)
class BoundaryReport:
    """Boundaries per window, per week and boundary, and per week (see the *_COLUMNS)."""

    windows: pd.DataFrame  # one row per boundary per day it covered, with the hours that broke it
    weekly: pd.DataFrame  # one row per week per boundary in force that week
    scores: pd.DataFrame  # one row per week: how many boundaries, how many kept, the share

    def breaks(self) -> pd.DataFrame:
        """The windows in which a boundary was broken."""
        return self.windows[self.windows["hours"] > 0].reset_index(drop=True)


def check_boundaries(
    intervals: pd.DataFrame,
    daily: pd.DataFrame,
    rules: Sequence[BoundaryRule],
    *,
    tz: ZoneInfo,
    week_starts_on: Literal["monday", "sunday"] = "monday",
) -> BoundaryReport:
    """Check every rule on every day of `daily` (from `analytics.daily_hours`).

    `intervals` is `analytics.area_intervals` output. A boundary counts for a week when it
    covers at least one of the week's days; it is kept when no offending time falls in its
    windows. Streaks count the weeks in a row a boundary was kept (weeks it does not cover
    neither break nor extend them).
    """
    days = pd.DatetimeIndex(daily.index)
    day_off = daily["day_off"].to_numpy(dtype=bool) if "day_off" in daily else np.zeros(len(days), bool)
    week_starts = analytics.week_start_of(days, week_starts_on)
    parts = []
    for rule in rules:  # a loop over the handful of boundaries; each is vectorised over days
        chosen, starts_us, ends_us = rule_windows(rule, days, day_off, week_starts, tz)
        offending = analytics.interval_set(intervals, rule.breaking_areas)
        hours = np.round(iv.window_hours(offending, starts_us, ends_us), 6)
        parts.append(
            pd.DataFrame(
                {
                    "boundary": rule.name,
                    "day": days[chosen],
                    "week_start": week_starts[chosen],
                    "start_utc": iv.to_utc(starts_us),
                    "end_utc": iv.to_utc(ends_us),
                    "hours": hours,
                }
            )
        )
    windows = pd.concat(parts, ignore_index=True) if parts else _empty_windows()
    windows = windows.astype({"boundary": "str"})
    weekly = _weekly(windows, [rule.name for rule in rules])
    return BoundaryReport(windows=windows, weekly=weekly, scores=_scores(weekly))


def _empty_windows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "boundary": pd.Series(dtype="str"),
            "day": pd.Series(dtype="datetime64[s]"),
            "week_start": pd.Series(dtype="datetime64[s]"),
            "start_utc": pd.Series(dtype="datetime64[us, UTC]"),
            "end_utc": pd.Series(dtype="datetime64[us, UTC]"),
            "hours": pd.Series(dtype="float64"),
        }
    )


def _weekly(windows: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    grouped = windows.assign(broken=windows["hours"] > 0).groupby(["week_start", "boundary"], sort=False)
    weekly = grouped.agg(
        broken_hours=("hours", "sum"), broken_days=("broken", "sum"), days=("hours", "size")
    ).reset_index()
    rank = {name: index for index, name in enumerate(dict.fromkeys(order))}
    weekly = weekly.assign(
        broken_hours=weekly["broken_hours"].round(6).astype("float64"),
        broken_days=weekly["broken_days"].astype("int64"),
        days=weekly["days"].astype("int64"),
        kept=weekly["broken_days"] == 0,
        rank=weekly["boundary"].map(rank),
    ).sort_values(["week_start", "rank"], kind="stable")
    weekly = weekly.assign(streak=_streaks(weekly, "boundary"))
    return weekly[list(WEEKLY_COLUMNS)].reset_index(drop=True)


def _streaks(frame: pd.DataFrame, by: str | None) -> pd.Series:
    """Per row, the rows in a row (in frame order, within `by`) that were kept, ending here; 0 if broken."""
    kept = frame["kept"].astype(bool)
    keys = frame[by] if by else pd.Series(0, index=frame.index)
    run = (~kept).astype(int).groupby(keys).cumsum()
    counts = kept.astype(int).groupby([keys, run]).cumsum()
    return counts.astype("int64")


def _scores(weekly: pd.DataFrame) -> pd.DataFrame:
    per_week = weekly.groupby("week_start", sort=True).agg(
        boundaries=("kept", "size"), kept=("kept", "sum"), broken_hours=("broken_hours", "sum")
    )
    scores = per_week.reset_index().assign(
        boundaries=lambda f: f["boundaries"].astype("int64"),
        kept=lambda f: f["kept"].astype("int64"),
        broken_hours=lambda f: f["broken_hours"].round(6),
    )
    scores = scores.assign(score=scores["kept"] / scores["boundaries"])
    scores = scores.assign(all_kept_streak=_streaks(scores.assign(kept=scores["kept"] == scores["boundaries"]), None))
    return scores[list(SCORE_COLUMNS)]


def events_in_breaks(breaks: pd.DataFrame, occurrences: pd.DataFrame, rules: Sequence[BoundaryRule]) -> pd.DataFrame:
    """Which events broke each broken window: `breaks` plus `events` (titles, '; '-joined).

    `occurrences` carries `area` (`categorize.assign_areas`); meant for the few breaks of the
    weeks on screen (it pairs each break with the offending events around it).
    """
    if breaks.empty:
        return breaks.assign(events=pd.Series(dtype="str"))
    timed = occurrences[~occurrences["all_day"].astype(bool) & occurrences["start_utc"].notna()]
    area = timed["area"].astype(object).where(timed["area"].notna(), UNCATEGORIZED)
    by_name = {rule.name: rule for rule in rules}
    found: dict[object, str] = {}
    for name, group in breaks.groupby("boundary", sort=False):  # a loop over boundaries
        rule = by_name[str(name)]
        events = timed[area.isin(rule.breaking_areas)]
        lo, hi = iv.micros(group["start_utc"]), iv.micros(group["end_utc"])
        starts, ends = iv.micros(events["start_utc"]), iv.micros(events["end_utc"])
        overlap = (starts[None, :] < hi[:, None]) & (ends[None, :] > lo[:, None])
        names = events["title"].astype(str).to_numpy()
        for position, row in zip(group.index, overlap, strict=True):
            found[position] = "; ".join(dict.fromkeys(names[row].tolist()))
    return breaks.assign(events=[found.get(index, "") for index in breaks.index])
