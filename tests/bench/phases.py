"""The timed phases. Each runs in a fresh child process, so its peak memory is its own.

A phase returns a flat dict of figures: seconds (wall clock, `time.perf_counter`), counts, and
`peak_mb` (the process's high-water resident set, VmHWM) next to `base_mb` (resident set
after the imports, before the work). Module imports happen before the clock starts, for the
library floor and balance-dash alike.
"""

from __future__ import annotations

import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

Figures = dict[str, Any]


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_mb() -> float:
    """This process's peak resident set in MB (VmHWM; ru_maxrss where /proc is missing)."""
    found = _status_mb("VmHWM")
    return found if found is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    found = _status_mb("VmRSS")
    return found if found is not None else peak_mb()


def floor(path: str, window: tuple[datetime, datetime]) -> Figures:
    """The bare libraries: icalendar parses, recurring-ical-events expands the same window."""
    import icalendar
    import recurring_ical_events

    data = Path(path).read_bytes()
    base = rss_mb()
    cpu, started = time.process_time(), time.perf_counter()
    calendar = icalendar.Calendar.from_ical(data.decode("utf-8"))
    parsed = time.perf_counter()
    occurrences = recurring_ical_events.of(calendar).between(*window)
    done = time.perf_counter()
    return {
        "seconds": done - started, "cpu_s": time.process_time() - cpu, "parse_s": parsed - started, "expand_s": done - parsed,
        "occurrences": len(occurrences), "base_mb": base, "peak_mb": peak_mb(),
    }


def _children() -> tuple[float, float]:
    """CPU seconds and the largest peak resident set (MB) of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def import_calendar(path: str, url: str, zone: str, now: datetime) -> Figures:
    """`workflows.import_calendar` into a fresh database, with the time each stage began.

    A large file is read in parts by processes of its own (ics.parallel): their CPU time is
    counted in `cpu_s` (`main_cpu_s` is this process's alone), and the largest of their peaks is
    `parts_peak_mb` (each holds its part; `peak_mb` is this process's).
    """
    from balance_dash import store, workflows
    from balance_dash.settings import Settings

    engine = store.open_engine(url)
    settings = Settings(timezone=zone)
    store.save_settings(engine, settings)
    data = Path(path).read_bytes()
    stages: dict[str, float] = {}
    base = rss_mb()
    children_before, _ = _children()
    cpu, started = time.process_time(), time.perf_counter()

    def progress(_fraction: float, stage: str) -> None:
        stages.setdefault(stage, time.perf_counter() - started)

    report = workflows.import_calendar(
        engine, data, file_name=Path(path).name, tz=ZoneInfo(zone), settings=settings, now=now, progress=progress
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    children_after, parts_peak = _children()
    engine.dispose()
    expanding = stages.get("expanding recurring events", 0.0)
    storing = stages.get("storing", expanding)
    return {
        "seconds": seconds, "cpu_s": cpu + children_after - children_before, "main_cpu_s": cpu,
        "parse_s": expanding, "expand_s": storing - expanding, "store_s": seconds - storing,
        "events": report.events, "occurrences": report.occurrences, "cancelled": report.cancelled,
        "issues": len(report.issues), "base_mb": base, "peak_mb": peak_mb(), "parts_peak_mb": parts_peak,
    }


def reimport_unchanged(path: str, url: str, zone: str, now: datetime) -> Figures:
    """The same file imported again into the database the import phase filled (same bytes, same day)."""
    return _timed_import(Path(path).read_bytes(), path, url, zone, now)


def changed_export(data: bytes) -> tuple[bytes, str]:
    """The export with one weekly series renamed (every VEVENT of its UID): what a user edits."""
    from balance_dash.ingest.ics.split import split_feed

    parts = split_feed(data.decode("utf-8"))
    if parts is None:
        raise RuntimeError("the generated export does not split by UID")
    uid = max(
        (uid for uid, text in parts.groups.items() if "RRULE:FREQ=WEEKLY" in text),
        key=lambda uid: parts.counts[uid],
    )
    group = parts.groups[uid].replace("\n", "\r\n")
    renamed = re.sub(r"(?m)^SUMMARY:[^\r]*(\r\n [^\r]*)*", "SUMMARY:Renamed weekly meeting", group)
    text = data.decode("utf-8")
    if group not in text or renamed == group:
        raise RuntimeError("the generated export's series could not be renamed")
    return text.replace(group, renamed).encode("utf-8"), uid


def reimport_one_change(path: str, url: str, zone: str, now: datetime) -> Figures:
    """The file with one series renamed imported over the first: only that series is read again.
    The original file is imported back afterwards (not timed), so later phases see the same data."""
    data = Path(path).read_bytes()
    changed, _uid = changed_export(data)
    figures = _timed_import(changed, path, url, zone, now)
    _timed_import(data, path, url, zone, now)
    return figures


def _timed_import(data: bytes, path: str, url: str, zone: str, now: datetime) -> Figures:
    from balance_dash import store, workflows

    engine = store.open_engine(url)
    settings = store.load_settings(engine)
    base = rss_mb()
    cpu, started = time.process_time(), time.perf_counter()
    report = workflows.import_calendar(engine, data, file_name=Path(path).name, tz=ZoneInfo(zone), settings=settings, now=now)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return {
        "seconds": seconds, "cpu_s": cpu, "added": report.added, "updated": report.updated, "removed": report.removed,
        "unchanged": report.unchanged, "occurrences": report.occurrences, "base_mb": base, "peak_mb": peak_mb(),
    }


def history_period(scope: Any, today: date) -> tuple[date, date]:
    """The days `ui.cached` computes the history over: the data's span, a quarter back, weeks ahead."""
    from balance_dash.workflows import data as data_workflows

    span = data_workflows.data_span(scope) or (today, today)
    return min(span[0], today - timedelta(weeks=13)), max(span[1], today + timedelta(weeks=4))


def dashboard_cold(url: str, zone: str, now: datetime) -> Figures:
    """A first visit: every occurrence categorised, then the balance of the whole history."""
    from balance_dash import store, workflows
    from balance_dash.workflows.scope import Scope

    base = rss_mb()
    cpu, started = time.process_time(), time.perf_counter()
    engine = store.open_engine(url)
    scope = Scope.of(engine, tz=zone, now=now)
    opened = time.perf_counter()
    occurrences = scope.occurrences
    loaded = time.perf_counter()
    first, last = history_period(scope, scope.today)
    result = workflows.balance(scope, first_day=first, last_day=last)
    done = time.perf_counter()
    engine.dispose()
    return {
        "seconds": done - started, "cpu_s": time.process_time() - cpu, "open_s": opened - started,
        "load_s": loaded - opened, "balance_s": done - loaded,
        "weeks": len(result.weekly), "warnings": len(result.warnings), "rows": int((~occurrences["cancelled"]).sum()),
        "base_mb": base, "peak_mb": peak_mb(),
    }


def patterns_cold(url: str, zone: str, now: datetime) -> Figures:
    """The shape of the time (meetings, focus, chunks, series) of the whole history, on top of the
    dashboard's figures: the occurrences and the balance first (untimed), then the patterns, cold.

    `seconds`: with the user's addresses set, so the patterns share the dashboard's occurrences
    (attendee lists included); `unshared_s`: without them, the patterns read the attendee lists
    themselves (the dashboard's occurrences leave them out).
    """
    from balance_dash import store, workflows
    from balance_dash.workflows import patterns as pattern_workflows
    from balance_dash.workflows.scope import Scope

    engine = store.open_engine(url)
    anonymous = store.load_settings(engine)
    settings = anonymous.model_copy(update={"my_addresses": ("me@example.com",)})
    scope = Scope.of(engine, settings=settings, tz=zone, now=now)
    scope.occurrences  # noqa: B018 - the dashboard's read, untimed
    first, last = history_period(scope, scope.today)
    result = workflows.balance(scope, first_day=first, last_day=last)
    base = rss_mb()
    started = time.perf_counter()
    shape = pattern_workflows.patterns(scope, first_day=first, last_day=last, balance=result)
    seconds = time.perf_counter() - started
    unshared_scope = Scope.of(engine, settings=anonymous, tz=zone, now=now)
    unshared_scope.occurrences  # noqa: B018 - the dashboard's read (without attendee lists), untimed
    started = time.perf_counter()
    pattern_workflows.patterns(unshared_scope, first_day=first, last_day=last, balance=result)
    unshared = time.perf_counter() - started
    engine.dispose()
    return {
        "seconds": seconds, "unshared_s": unshared, "weeks": len(shape.weekly), "meetings": len(shape.meetings),
        "series": len(shape.series), "base_mb": base, "peak_mb": peak_mb(),
    }


def dashboard_warm(url: str, zone: str, now: datetime, reruns: int = 20, week_changes: int = 12) -> Figures:
    """The dashboard's own cache layer (`ui.cached`), as the "This week" page calls it.

    The first call fills the caches (cold, through the cache layer); then `reruns` reruns of the
    same week (every cache hit) and `week_changes` steps back one week at a time, each a week
    not shown before: the history must come from the cache, only the slice is new.
    """
    import logging
    import os

    os.environ["BALANCE_DASH_DB"] = url
    # Outside `streamlit run` st.cache_data still caches (in memory) but logs that there is no
    # runtime, when each cached function is defined and on every call: hundreds of lines that
    # say nothing here. Streamlit sets its loggers' level when it registers them, on import, so
    # a filter (which it leaves alone) keeps them out instead.
    logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
        lambda record: "No runtime found" not in record.getMessage()
    )
    from balance_dash import workflows
    from balance_dash.ui import cached

    def render(selected: date) -> None:
        """The data part of pages/this_week.py: the chart's twelve weeks, the week, its warnings,
        its day-by-day timeline."""
        if not cached.has_data():
            raise RuntimeError("the benchmark database is empty")
        settings = cached.settings()
        this_week = workflows.week_start_of(now.astimezone(cached.display_zone()).date(), settings.week_starts_on)
        result = cached.balance(selected - timedelta(weeks=11), max(selected, this_week) + timedelta(weeks=2))
        result.week(selected)
        result.warnings_for_week(selected)
        cached.week_events(selected)

    tz = ZoneInfo(zone)
    week = workflows.week_start_of(now.astimezone(tz).date(), "monday")
    base = rss_mb()
    started = time.perf_counter()
    render(week)
    cold = time.perf_counter() - started
    same: list[float] = []
    for _ in range(reruns):
        started = time.perf_counter()
        render(week)
        same.append(time.perf_counter() - started)
    changes: list[float] = []
    for step in range(1, week_changes + 1):
        started = time.perf_counter()
        render(week - timedelta(weeks=step * 3))
        changes.append(time.perf_counter() - started)
    return {
        "cold_s": cold, "rerun_median_s": statistics.median(same), "rerun_max_s": max(same),
        "week_change_median_s": statistics.median(changes), "week_change_max_s": max(changes),
        "base_mb": base, "peak_mb": peak_mb(),
    }


def summary(url: str, zone: str, now: datetime) -> Figures:
    """`balance-dash summary --json` as a user runs it: a new process, the default period."""
    today = now.astimezone(ZoneInfo(zone)).date()
    first, last = today - timedelta(weeks=4), today + timedelta(days=13 - today.weekday())
    command = [
        sys.executable, "-c", "from balance_dash.cli import main; main()", "summary", "--json",
        "--db", url, "--tz", zone, "--from", first.isoformat(), "--to", last.isoformat(),
    ]
    children_before, _ = _children()
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    children_after, _ = _children()
    if completed.returncode != 0:
        raise RuntimeError(f"balance-dash summary failed: {completed.stderr.strip()}")
    return {
        "seconds": seconds, "cpu_s": children_after - children_before, "bytes": len(completed.stdout),
        "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def now_default() -> datetime:
    """The benchmark's fixed "now" (the generated history ends here), so runs are comparable."""
    return datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
