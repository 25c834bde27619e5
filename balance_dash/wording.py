"""Words for people: warning titles, grouped warnings, target gaps (pure, no Streamlit).

The codes (`long_day`, `no_break`) stay in the JSON and in tooltips; what people read are these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from balance_dash.health import SEVERITY_RANK, HealthWarning

WARNING_TITLES = {
    "week_over_48h": "More than 48 hours of work",
    "week_55h": "55 hours of work or more",
    "avg_over_48h": "Over 48 hours a week on average",
    "long_day": "Long working day",
    "short_daily_rest": "Short rest between working days",
    "no_weekly_rest": "No 35-hour weekly rest",
    "no_break": "No 30-minute break",
    "after_hours": "Work outside your working hours",
    "work_on_rest_day": "Work on a rest day",
    "short_sleep": "Short night",
    "below_target": "Below your target",
    "above_target": "Above your target",
    "streak": "The same warning week after week",
}
# Why hours were not counted (attendance.NOT_COUNTED_REASONS), as people say it, declined first.
NOT_COUNTED_WORDS = {"declined": "declined", "free": "shown as free", "out_of_office": "out of office", "cancelled": "cancelled"}
SEVERITY_WORDS = {"high": "High", "caution": "Caution", "boundary": "Your boundary", "info": "Note"}


def warning_title(code: str) -> str:
    """The human title of a warning code; an unknown code reads as words, never as a code."""
    return WARNING_TITLES.get(code) or code.replace("_", " ").strip().capitalize()


@dataclass(frozen=True)
class WarningGroup:
    """The warnings of one kind in one week: one card."""

    code: str
    title: str
    severity: str
    days: str  # "on Mon, Tue, Wed" for warnings about days, "" for warnings about the week
    warnings: tuple[HealthWarning, ...]

    @property
    def headline(self) -> str:
        return f"{self.title} {self.days}".strip()


def group_warnings(warnings: Sequence[HealthWarning]) -> list[WarningGroup]:
    """One group per warning kind, the most severe first, each listing the days it concerns."""
    by_code: dict[str, list[HealthWarning]] = {}
    for warning in warnings:
        by_code.setdefault(warning.code, []).append(warning)
    groups = []
    for code, members in by_code.items():
        worst = max(members, key=lambda w: SEVERITY_RANK[w.severity])
        day_long = [w for w in members if w.period_end - w.period_start < timedelta(days=2)]
        days = sorted({w.period_start for w in day_long})
        listed = f"on {', '.join(f'{day:%a}' for day in days)}" if days and len(day_long) == len(members) else ""
        groups.append(WarningGroup(code, warning_title(code), worst.severity, listed,
                                   tuple(sorted(members, key=lambda w: w.period_start))))
    return sorted(groups, key=lambda g: -max(SEVERITY_RANK[w.severity] for w in g.warnings))


def gap_text(state: str, gap: float) -> str | None:
    """'5.5 h under target' / '2.0 h over target' (one sign: the words say which way), 'on target'."""
    if state == "under":
        return f"{abs(gap):.1f} h under target"
    if state == "over":
        return f"{abs(gap):.1f} h over target"
    if state == "within":
        return "on target"
    return None


THRESHOLD_LABELS = {
    "week_caution_hours": "Caution above this many work hours a week",
    "week_high_hours": "High warning from this many work hours a week",
    "average_weeks": "Weeks averaged for the 48-hour check",
    "day_caution_hours": "Caution above this many work hours a day",
    "day_high_hours": "High warning from this many work hours a day",
    "daily_rest_hours": "Least rest between working days (hours)",
    "weekly_rest_hours": "Least weekly rest in one stretch (hours)",
    "break_after_hours": "A break is due after this many work hours",
    "break_minutes": "Shortest pause that counts as a break (minutes)",
    "sleep_hours": "Least sleep opportunity a night (hours)",
    "streak_weeks": "Weeks in a row before a warning escalates",
    "late_work_hour": "Work after this hour raises a caution",
    "weekend_work_weekends": "Weekends with work, of the last four, for a caution",
    "long_break_weeks": "Weeks without a break before a reminder",
    "long_break_days": "Days in a row without work that make a break",
    "back_to_back_run_hours": "Longest run of back-to-back meetings (hours)",
}
COLUMN_WORDS = {
    "min_hours": "At least (h)", "max_hours": "At most (h)", "effective_from": "In force from", "file_name": "File",
    "imported_at": "Imported", "start_local": "Starts", "end_local": "Ends", "broken_hours": "Broken (h)",
    "iso_week": "Week", "week_start": "Week of", "source_name": "Calendar", "source": "Calendar",
    "duration_hours": "Hours", "day_off": "Day off", "all_day": "All day", "marks_day_off": "Marks a day off",
    "is_regex": "Regular expression", "planned_hours": "Planned (h)", "logged_hours": "Logged (h)",
}
THE_START = "the start"  # how the first, open-ended version of a setting reads (stored as 1970-01-01)


def threshold_label(name: str) -> str:
    return THRESHOLD_LABELS.get(name) or words(name)


def words(name: str) -> str:
    """A column or field name as a reader says it: `file_name` -> 'File name'."""
    return COLUMN_WORDS.get(name) or name.replace("_", " ").strip().capitalize()


def readable_table(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with headers in words and the 1970-01-01 of open-ended versions as 'the start'."""
    dated = {}
    for column in frame.columns:
        if str(column) == "effective_from":
            days = pd.to_datetime(frame[column], errors="coerce")
            dated[column] = [THE_START if pd.isna(d) or d.year <= 1970 else f"{d:%d %b %Y}" for d in days]
    shown = frame.assign(**dated) if dated else frame
    return shown.rename(columns={column: words(str(column)) for column in frame.columns})
