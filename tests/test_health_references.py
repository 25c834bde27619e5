"""health: the vectorised checks agree with small, plainly written references on generated data.

The checks in `health` work on arrays (searchsorted, reduceat, one pass per code) so that ten
years of history take a fraction of a second. Each reference below states the rule once more,
one week or one warning at a time, the slow and obvious way; hypothesis looks for data on which
the two disagree (DST weeks, weeks without work, work running across week boundaries, gaps in
the data, runs that touch).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from balance_dash.analytics import area_intervals, daily_hours, interval_set, weekly_hours
from balance_dash.analytics import intervals as iv
from balance_dash.health import SEVERITY_RANK, HealthWarning, _with_data, streaks
from balance_dash.health.boundaries import check_weekly_rest
from balance_dash.health.catalog import CATALOG, escalate
from balance_dash.health.checks import Context
from balance_dash.health.rhythm import check_long_break
from balance_dash.settings import Settings, Thresholds
from tests.test_analytics import make_occurrences

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2024, 10, 14)  # a Monday; the weeks shown hold the end of summer time (27 October)
DAYS = 35
NOW = datetime(2030, 1, 1, tzinfo=BERLIN)  # after every generated day: nothing is scheduled

# Work as (start, length) in minutes from FIRST_DAY's local midnight: starts before the first and
# after the last day shown too, so stretches run into and out of the weeks.
work_blocks = st.lists(
    st.tuples(st.integers(-3 * 24 * 60, (DAYS + 3) * 24 * 60), st.integers(1, 14 * 60)), max_size=40
)


def _work_frames(blocks: list[tuple[int, int]], week_starts_on: str) -> Context:
    origin = pd.Timestamp(FIRST_DAY).tz_localize(BERLIN)
    events = [
        {"area": "work", "start_utc": origin + pd.Timedelta(minutes=start),
         "end_utc": origin + pd.Timedelta(minutes=start + length), "all_day": False}
        for start, length in blocks
    ]
    occ = make_occurrences(*events)
    daily = daily_hours(occ, tz=BERLIN, first_day=FIRST_DAY, last_day=FIRST_DAY + timedelta(days=DAYS - 1), sleep=None)
    config = Settings(week_starts_on=week_starts_on, sleep_enabled=False)  # type: ignore[arg-type]
    weekly = weekly_hours(daily, week_starts_on=config.week_starts_on)
    return Context(daily=daily, weekly=weekly, intervals=area_intervals(occ), settings=config, now=NOW, tz=BERLIN)


def _longest_free_stretch(work: iv.IntervalSet, week_start: pd.Timestamp, tz: ZoneInfo) -> float:
    """The reference: per gap between work, its whole length if it starts in the week, else its part inside."""
    lo = pd.Timestamp(week_start).tz_localize(tz).value // 1000
    hi = pd.Timestamp(week_start + pd.Timedelta(days=7)).tz_localize(tz).value // 1000
    before_all, after_all = -(2**63), 2**63 - 1  # before the first and after the last work: endless
    gap_starts, gap_ends = [before_all, *work[1].tolist()], [*work[0].tolist(), after_all]
    longest = 0.0
    for gap_lo, gap_hi in zip(gap_starts, gap_ends, strict=True):
        if lo <= gap_lo < hi:
            whole = np.inf if gap_hi == after_all else (gap_hi - gap_lo) / iv.US_PER_HOUR
            longest = max(longest, whole)
        elif gap_lo < lo < gap_hi:
            longest = max(longest, (min(gap_hi, hi) - lo) / iv.US_PER_HOUR)
    return longest


def _daily_work(first_day: int, last_day: int) -> list[tuple[int, int]]:
    """Work from 08:00 to 18:00 on each day in [first_day, last_day] (days from FIRST_DAY)."""
    return [(day * 24 * 60 + 8 * 60, 10 * 60) for day in range(first_day, last_day + 1)]


@settings(max_examples=60, deadline=None)
@given(blocks=work_blocks, limit=st.sampled_from([0.0, 11.0, 24.0, 35.0, 60.0]), sunday=st.booleans())
# A stretch from the Friday before running into Wednesday is the week's longest (56 h: Monday
# 00:00 to Wednesday 08:00), though it starts in the week before.
@example(blocks=[(-3 * 24 * 60 + 8 * 60, 10 * 60), *_daily_work(2, 9)], limit=60.0, sunday=False)
def test_weekly_rest_matches_a_week_by_week_reference(blocks, limit, sunday) -> None:
    ctx = _work_frames(blocks, "sunday" if sunday else "monday")
    ctx = Context(daily=ctx.daily, weekly=ctx.weekly, intervals=ctx.intervals, now=NOW, tz=BERLIN,
                  settings=ctx.settings.model_copy(update={"thresholds": Thresholds(weekly_rest_hours=limit)}))
    work_set = interval_set(ctx.intervals, ("work",))
    expected = []
    for week_start, work in zip(pd.DatetimeIndex(ctx.weekly.index), ctx.weekly["work"], strict=True):
        if round(float(work), 6) <= 0:
            continue
        longest = _longest_free_stretch(work_set, week_start, BERLIN) if len(work_set[0]) else np.inf
        if round(longest, 6) < limit:
            expected.append((week_start.date(), round(longest, 2)))
    found = [(w.period_start, w.figure) for w in check_weekly_rest(ctx)]
    assert found == expected


@settings(max_examples=80, deadline=None)
@given(
    worked=st.lists(st.booleans(), min_size=DAYS, max_size=DAYS),
    covered=st.lists(st.booleans(), min_size=DAYS, max_size=DAYS),
    days_off=st.integers(2, 6), weeks=st.integers(2, 4), today=st.integers(0, DAYS + 10),
)
# A break that ends on the last day of a week counts for that week.
@example(worked=[True] * 25 + [False] * 3 + [True] * 7, covered=[True] * DAYS, days_off=3, weeks=2, today=DAYS + 10)
def test_long_break_matches_a_week_by_week_reference(worked, covered, days_off, weeks, today) -> None:
    days = pd.date_range(FIRST_DAY, periods=DAYS, freq="D").as_unit("s")
    daily = pd.DataFrame(
        {"work": [8.0 if w else 0.0 for w in worked], "day_off": False, "has_data": covered}, index=days
    )
    weekly = weekly_hours(daily)
    now = datetime.combine(FIRST_DAY + timedelta(days=today), time(12), BERLIN)
    config = Settings(thresholds=Thresholds(long_break_days=days_off, long_break_weeks=weeks))
    ctx = Context(daily=daily, weekly=weekly, intervals=pd.DataFrame(), settings=config, now=now, tz=BERLIN)
    found = [(w.period_start, w.figure, w.message) for w in check_long_break(ctx)]
    assert found == _long_breaks_reference(daily, weekly, days_off, weeks, now.date())


def _long_breaks_reference(
    daily: pd.DataFrame, weekly: pd.DataFrame, days_off: int, weeks: int, today: date
) -> list[tuple[date, float, str]]:
    """Per past week with data: weeks since the last `days_off` days off in a row ended."""
    off = [(not w > 0) and bool(d) for w, d in zip(daily["work"], daily["has_data"], strict=True)]
    day_list = [stamp.date() for stamp in pd.DatetimeIndex(daily.index)]
    ends, run = [], 0  # the last day of every whole run of `days_off` days off or more
    for position, is_off in enumerate([*off, False]):
        if is_off:
            run += 1
            continue
        if run >= days_off:
            ends.append(day_list[position - 1])
        run = 0
    first_data = next((day for day, has in zip(day_list, daily["has_data"], strict=True) if has), None)
    found = []
    for start, label, has in zip(pd.DatetimeIndex(weekly.index), weekly["iso_week"], weekly["has_data"], strict=True):
        week_end = start.date() + timedelta(days=6)
        if first_data is None or week_end >= today or not has:
            continue
        since = max((end for end in ends if end <= week_end), default=None)
        if since is None and (week_end - first_data).days < weeks * 7:
            continue
        figure = (min(week_end, today) - (since or first_data)).days / 7
        if figure > weeks:
            what = f"since your last {days_off} days off in a row" if since else "without a break in the weeks shown"
            found.append((start.date(), round(figure, 2), f"Week {label}: {figure:.0f} weeks {what}"))
    return found


def _warning(code: str, severity: str, day: date, scheduled: bool) -> HealthWarning:
    return HealthWarning(code=code, severity=severity, message="", source="", url="",  # type: ignore[arg-type]
                         period_start=day, period_end=day, figure=1.0, threshold=0.0, scheduled=scheduled)


generated_warnings = st.lists(
    st.tuples(st.sampled_from(["long_day", "late_work", "no_break"]), st.sampled_from(list(SEVERITY_RANK)),
              st.integers(0, 60), st.booleans()),
    max_size=60,
)


@settings(max_examples=80, deadline=None)
@given(raw=generated_warnings, minimum=st.integers(2, 4), sunday=st.booleans())
def test_streaks_match_a_run_by_run_reference(raw, minimum, sunday) -> None:
    warnings = [_warning(code, severity, FIRST_DAY + timedelta(days=day), due) for code, severity, day, due in raw]
    config = Settings(week_starts_on="sunday" if sunday else "monday", thresholds=Thresholds(streak_weeks=minimum))
    found = [(w.period_start, w.period_end, w.severity, w.figure, w.scheduled, w.message)
             for w in streaks(warnings, settings=config)]
    assert found == _streaks_reference(warnings, minimum, sunday)


def _streaks_reference(warnings: list[HealthWarning], minimum: int, sunday: bool) -> list[tuple]:
    """Per code, its weeks in order, cut where a week is missing; runs of `minimum` weeks or more."""
    first_weekday = 6 if sunday else 0
    by_rank = {rank: severity for severity, rank in SEVERITY_RANK.items()}

    def label(week: date) -> str:  # the ISO week of the Monday inside the week
        year, number, _ = (week + timedelta(days=1 if sunday else 0)).isocalendar()
        return f"{year}-W{number:02d}"

    found = []
    for code in sorted({w.code for w in warnings}):
        own = [w for w in warnings if w.code == code]
        weeks = sorted({w.period_start - timedelta(days=(w.period_start.weekday() - first_weekday) % 7) for w in own})
        runs: list[list[date]] = []
        for week in weeks:
            if runs and week - runs[-1][-1] == timedelta(days=7):
                runs[-1].append(week)
            else:
                runs.append([week])
        for run in (run for run in runs if len(run) >= minimum):
            inside = [w for w in own if run[0] <= w.period_start <= run[-1] + timedelta(days=6)]
            before = by_rank[max(SEVERITY_RANK[w.severity] for w in inside)]
            message = (
                f"Weeks {label(run[0])} to {label(run[-1])}: {CATALOG[code].summary} ({code}) {len(run)} weeks in "
                f"a row, {minimum} or more make it a streak; raised from {before} to {escalate(before)}"
            )
            found.append((run[0], run[-1] + timedelta(days=6), escalate(before), float(len(run)),
                          any(w.scheduled for w in inside), message))
    return found


@settings(max_examples=80, deadline=None)
@given(
    covered=st.lists(st.booleans(), min_size=DAYS, max_size=DAYS),
    periods=st.lists(st.tuples(st.integers(-5, DAYS + 5), st.integers(0, 10)), max_size=30),
)
def test_warnings_without_data_are_dropped_like_a_day_by_day_reference(covered, periods) -> None:
    days = pd.date_range(FIRST_DAY, periods=DAYS, freq="D").as_unit("s")
    daily = pd.DataFrame({"has_data": covered}, index=days)
    warnings = [
        HealthWarning(code="long_day", severity="caution", message=str(k), source="", url="",
                      period_start=FIRST_DAY + timedelta(days=start),
                      period_end=FIRST_DAY + timedelta(days=start + length), figure=1.0, threshold=0.0, scheduled=False)
        for k, (start, length) in enumerate(periods)
    ]
    with_data = {day.date() for day, has in zip(days, covered, strict=True) if has}
    expected = [
        w for w in warnings
        if any(w.period_start + timedelta(days=k) in with_data for k in range((w.period_end - w.period_start).days + 1))
    ] if not all(covered) else warnings  # with data on every day shown, nothing is left out
    assert _with_data(warnings, daily) == expected
