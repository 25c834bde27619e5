"""Reflect, refine, repeat: the weekly review, its journal, boundaries, target history, the plan.

Orchestration only: read through `store`, compute with `analytics`, `boundaries`, `history`
and `planning`, write through `store`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import analytics, boundaries, health, history, planning, store, targets
from balance_dash.analytics import intervals as iv
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, JournalEntry
from balance_dash.settings import Settings
from balance_dash.workflows.balance import Balance, balance
from balance_dash.workflows.common import local_midnight_utc, week_start_of
from balance_dash.workflows.scope import Scope

# The method's questions (PRODUCT.md section 2), by step; the answers are saved per week.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Pause and evaluate", "Am I spending enough quality time doing what I really want?"),
    ("Pause and evaluate", "Am I committing enough time and energy to people or things that are meaningful to me?"),
    ("Pause and evaluate", "Do I still feel aligned to my professional or personal goals?"),
    ("Pause and evaluate", "Where do I feel the most stuck?"),
    ("Assess priorities", "What really matters to me and am I doing enough of it?"),
    ("Assess priorities", "Where can I make compromises? Where can't I?"),
)
SCALE = (1, 2, 3, 4, 5)  # energy and mood
Plan = planning.Plan


@dataclass(frozen=True)
class WeekReview:
    """One week as the review shows it: figures, targets then in force, warnings, boundaries, journal."""

    week_start: date
    iso_week: str
    scheduled: bool
    hours: dict[str, float]
    targets: pd.DataFrame  # area, min_hours, max_hours (the targets in force that week)
    warnings: list[health.HealthWarning]
    boundaries: pd.DataFrame  # per boundary: kept, broken_hours, broken_days, days, streak, rule
    breaks: pd.DataFrame  # per broken window: boundary, day, hours, events
    score: float | None  # share of the boundaries kept
    journal: JournalEntry | None
    answers: dict[str, str] = field(default_factory=dict)


def boundary_rules(engine: Engine, settings: Settings) -> list[boundaries.BoundaryRule]:
    """The built-in boundaries of the settings and every version of the user's named ones."""
    return boundaries.settings_rules(settings) + boundaries.user_rules(store.load_boundaries(engine))


def _rule_texts(rules: Sequence[boundaries.BoundaryRule]) -> dict[str, str]:
    return {rule.name: rule.describe() for rule in rules}


def boundary_report(
    result: Balance, occurrences: pd.DataFrame, rules: Sequence[boundaries.BoundaryRule]
) -> boundaries.BoundaryReport:
    return boundaries.check_boundaries(
        analytics.area_intervals(occurrences), result.daily, rules, tz=result.tz,
        week_starts_on="sunday" if result.week_starts_on == "sunday" else "monday",
    )


def weekly_review(scope: Scope, *, week_start: date) -> WeekReview:
    """The review of the week starting `week_start` (any day of it is accepted)."""
    engine, settings = scope.engine, scope.settings
    week_start = week_start_of(week_start, settings.week_starts_on)
    occurrences = scope.occurrences
    result = balance(scope, first_day=week_start, last_day=week_start)
    row = result.week(week_start)
    rules = boundary_rules(engine, settings)
    report = boundary_report(result, occurrences, rules)
    texts = _rule_texts(rules)
    weekly = report.weekly[report.weekly["week_start"] == pd.Timestamp(week_start)]
    weekly = weekly.assign(rule=weekly["boundary"].map(texts)).drop(columns="week_start").reset_index(drop=True)
    breaks = report.breaks()
    breaks = boundaries.events_in_breaks(
        breaks[breaks["week_start"] == pd.Timestamp(week_start)], occurrences[analytics.counted(occurrences)], rules
    )
    [score] = report.scores.set_index("week_start")["score"].reindex([pd.Timestamp(week_start)]).to_numpy(float)
    journal = store.load_journal(engine, week_start)
    in_force = result.targets[result.targets["week_start"] == pd.Timestamp(week_start)]
    return WeekReview(
        week_start=week_start,
        iso_week=str(row["iso_week"]),
        scheduled=result.is_scheduled(week_start),
        hours={column: float(row[column]) for column in (*analytics.HOUR_COLUMNS,)},
        targets=in_force[["area", "min_hours", "max_hours", "effective_from"]].reset_index(drop=True),
        warnings=result.warnings_for_week(week_start),
        boundaries=weekly,
        breaks=breaks.assign(day=pd.DatetimeIndex(breaks["day"]).date)[["boundary", "day", "hours", "events"]],
        score=None if pd.isna(score) else float(score),
        journal=journal,
        answers=json.loads(journal.answers) if journal else {},
    )


def _scale(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if int(value) not in SCALE:
        raise InvalidValueError(f"{what} {value} is not on the scale", hint="Give a number from 1 to 5.")
    return int(value)


def save_review(
    engine: Engine,
    *,
    week_start: date,
    answers: Mapping[str, str],
    notes: str = "",
    energy: int | None = None,
    mood: int | None = None,
) -> None:
    """Save the week's journal: answers to the questions (empty ones left out), notes, energy, mood."""
    kept = {question: str(text).strip() for question, text in answers.items() if str(text or "").strip()}
    entry = JournalEntry(
        week_start=week_start, answers=json.dumps(kept, ensure_ascii=False), notes=notes.strip(),
        energy=_scale(energy, "energy"), mood=_scale(mood, "mood"),
    )
    store.save_journal(engine, entry)


def _complete_weeks(result: Balance) -> pd.DataFrame:
    """The weeks that are over and hold data: the only ones a target or boundary is judged on."""
    weekly = result.weekly
    done = [(int(days) == 7) and bool(has_data) and not result.is_scheduled(start.date()) for start, days, has_data in
            zip(pd.DatetimeIndex(weekly.index), weekly["days"], weekly["has_data"], strict=True)]
    return weekly[done]


def _history_balance(scope: Scope, first_day: date) -> Balance:
    return balance(scope, first_day=first_day, last_day=max(first_day, scope.today))


def _first_change(frame: pd.DataFrame, column: str) -> date | None:
    days = pd.to_datetime(frame[column]) if len(frame) else pd.Series(dtype="datetime64[s]")
    days = days[days > pd.Timestamp(1971, 1, 1)]
    return None if days.empty else days.min().date()


def target_history(scope: Scope) -> pd.DataFrame:
    """Each change of a target, with how the weeks since met it (see `history.target_changes`)."""
    rows = scope.targets
    first = _first_change(rows, "effective_from")
    if first is None:
        return history.target_changes(rows, pd.DataFrame(columns=list(AREAS)))
    result = _history_balance(scope, first)
    return history.target_changes(rows, _complete_weeks(result), today=scope.today)


def boundary_history(scope: Scope) -> pd.DataFrame:
    """Each version of a named boundary, with how the weeks since kept it."""
    versions = store.load_boundaries(scope.engine)
    first = _first_change(versions, "effective_from")
    if first is None:
        return history.boundary_changes(versions, pd.DataFrame())
    result = _history_balance(scope, first)
    report = boundary_report(result, scope.occurrences, boundary_rules(scope.engine, scope.settings))
    complete = pd.DatetimeIndex(_complete_weeks(result).index)
    weekly = report.weekly[report.weekly["week_start"].isin(complete)]
    return history.boundary_changes(versions, weekly, today=scope.today)


def save_boundary(
    engine: Engine,
    *,
    name: str,
    kind: str,
    area: str,
    weekdays: Sequence[int],
    start_local: time,
    end_local: time,
    effective_from: date,
    active: bool = True,
) -> None:
    """Add or change a named boundary from `effective_from` on (earlier weeks keep the old one)."""
    store.save_boundary(
        engine, name=name, kind=kind, area=area, weekdays=weekdays, start_local=start_local,
        end_local=end_local, effective_from=effective_from, active=active,
    )


def change_target(
    engine: Engine, *, area: str, min_hours: float | None, max_hours: float | None, effective_from: date
) -> None:
    """Set an area's target range from `effective_from` on (the history keeps the old one)."""
    targets.check_range(area, min_hours, max_hours)
    store.save_target(engine, area=area, min_hours=min_hours, max_hours=max_hours, effective_from=effective_from)


def past_reviews(scope: Scope) -> pd.DataFrame:
    """Every saved review beside its week's figures: hours per area, boundaries kept, warnings."""
    journals = store.load_journals(scope.engine)
    columns = ["week_start", "iso_week", *AREAS, "boundaries_kept", "warnings", "energy", "mood", "notes", "answers"]
    if journals.empty:
        return pd.DataFrame(columns=columns)
    weeks = pd.to_datetime(journals["week_start"])
    result = balance(scope, first_day=weeks.min().date(), last_day=weeks.max().date())
    report = boundary_report(result, scope.occurrences, boundary_rules(scope.engine, scope.settings))
    figures = result.weekly.reindex(pd.DatetimeIndex(weeks))
    scores = report.scores.set_index("week_start")["score"].reindex(pd.DatetimeIndex(weeks))
    counts = [len(result.warnings_for_week(day.date())) for day in weeks]  # a loop over reviews
    answered = journals["answers"].map(lambda text: len(json.loads(text or "{}")))
    frame = pd.DataFrame(
        {
            "week_start": weeks.dt.date.to_numpy(),
            "iso_week": figures["iso_week"].to_numpy(),
            **{area: figures[area].round(1).to_numpy() for area in AREAS},
            "boundaries_kept": scores.to_numpy(),
            "warnings": counts,
            "energy": journals["energy"].to_numpy(),
            "mood": journals["mood"].to_numpy(),
            "notes": journals["notes"].to_numpy(),
            "answers": answered.to_numpy(),
        }
    )
    return frame[columns]


def plan_week(scope: Scope, *, week_start: date) -> planning.Plan:
    """Blocks of free time for the areas the week's calendar leaves short of their targets."""
    engine, tz, settings, now = scope.engine, scope.tz, scope.settings, scope.now
    week_start = week_start_of(week_start, settings.week_starts_on)
    occurrences = scope.occurrences
    result = balance(scope, first_day=week_start, last_day=week_start)
    row = result.week(week_start)
    in_force = result.targets[result.targets["week_start"] == pd.Timestamp(week_start)]
    short = planning.shortfall_hours({area: float(row[area]) for area in AREAS}, in_force)
    days = result.daily[result.daily.index >= pd.Timestamp(week_start)].head(7)
    days_off = [stamp.date() for stamp in pd.DatetimeIndex(days.index[days["day_off"].to_numpy(dtype=bool)])]
    busy = analytics.interval_set(analytics.area_intervals(occurrences))
    return planning.propose_blocks(
        short, week_start=week_start, tz=tz, settings=settings, busy=busy,
        rules=boundary_rules(engine, settings), days_off=days_off, now=now,
    )


def plan_calendar(blocks: pd.DataFrame, *, tz: ZoneInfo, now: datetime | None = None) -> bytes:
    """The (edited) blocks as an .ics file to import into the user's calendar."""
    checked = planning_blocks(blocks)
    return planning.plan_to_ics(checked, tz=tz, stamp=(now or datetime.now(UTC)).replace(microsecond=0))


def planning_blocks(blocks: pd.DataFrame) -> pd.DataFrame:
    """Blocks from the editor, checked: a known area, an end after the start, aware instants."""
    rows = blocks.dropna(subset=["start_utc", "end_utc"]).reset_index(drop=True)
    for number, row in enumerate(rows.to_dict("records"), start=1):
        if str(row.get("area")) not in AREAS:
            raise InvalidValueError(f"block {number}: choose an area", hint=f"One of {', '.join(AREAS)}.")
        if pd.Timestamp(row["end_utc"]) <= pd.Timestamp(row["start_utc"]):
            raise InvalidValueError(f"block {number} ({row.get('title') or row['area']}): it ends before it starts")
    start = pd.to_datetime(rows["start_utc"], utc=True)
    end = pd.to_datetime(rows["end_utc"], utc=True)
    title = rows["title"].fillna("").astype(str) if "title" in rows else pd.Series("", index=rows.index)
    return rows.assign(
        start_utc=start, end_utc=end, title=title.where(title.str.strip() != "", rows["area"].astype(str)),
        hours=(end - start).dt.total_seconds() / 3600,
    )


def plan_against_actual(scope: Scope, *, week_start: date) -> pd.DataFrame:
    """Per area, what the calendars planned and what the logs recorded in the week (empty without both)."""
    tz = scope.tz
    week_start = week_start_of(week_start, scope.settings.week_starts_on)
    occurrences = scope.occurrences
    occurrences = occurrences[analytics.counted(occurrences)]
    kinds = store.load_sources(scope.engine).set_index("id")["kind"]
    lo_us, hi_us = iv.micros(
        pd.Series([local_midnight_utc(week_start, tz), local_midnight_utc(week_start + timedelta(days=7), tz)])
    )
    return planning.plan_against_actual(
        occurrences.assign(source_kind=occurrences["source_id"].map(kinds)), lo_us=int(lo_us), hi_us=int(hi_us)
    )


EDITOR_COLUMNS = ("area", "title", "start", "end", "uid")


def blocks_for_editing(blocks: pd.DataFrame, *, tz: ZoneInfo) -> pd.DataFrame:
    """The plan's blocks with local wall times (naive, in `tz`), as the editor shows them."""
    local = {
        column: pd.to_datetime(blocks[f"{column}_utc"], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
        for column in ("start", "end")
    }
    return pd.DataFrame(
        {"area": blocks["area"].astype(str), "title": blocks["title"].astype(str), **local, "uid": blocks["uid"].astype(str)}
    )[list(EDITOR_COLUMNS)].reset_index(drop=True)


def blocks_from_editor(edited: pd.DataFrame, *, tz: ZoneInfo) -> pd.DataFrame:
    """Editor rows (local wall times in `tz`) back to checked blocks with UTC instants."""
    rows = edited.dropna(subset=["start", "end"]).reset_index(drop=True)
    instants = {
        f"{column}_utc": pd.to_datetime(rows[column]).dt.tz_localize(
            tz, ambiguous="NaT", nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
        for column in ("start", "end")
    }
    uid = rows["uid"].fillna("").astype(str) if "uid" in rows else pd.Series("", index=rows.index)
    return planning_blocks(rows.assign(**instants, uid=uid)[["area", "title", "start_utc", "end_utc", "uid"]])


def boundary_scores(scope: Scope, *, first_day: date, last_day: date) -> pd.DataFrame:
    """Per week of the period: how many boundaries there were, how many were kept, the share."""
    result = balance(scope, first_day=first_day, last_day=last_day)
    return boundary_report(result, scope.occurrences, boundary_rules(scope.engine, scope.settings)).scores
