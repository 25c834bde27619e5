"""Your data out and back in: exports (CSV, JSON, PNG), database backup and restore."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import backup_checks, exports, store
from balance_dash.errors import BalanceDashError, InvalidValueError, SettingsError
from balance_dash.settings import Settings
from balance_dash.workflows.balance import balance, summary_document
from balance_dash.workflows.calendars import check_size
from balance_dash.workflows.common import local_midnight_utc
from balance_dash.workflows.scope import Scope

if TYPE_CHECKING:  # plotly takes most of a second to import; only the chart export needs it
    import plotly.graph_objects as go

EXPORT_KINDS = ("entries", "weeks")
EXPORT_FORMATS = ("csv", "json")
MIME_TYPES = {"csv": "text/csv", "json": "application/json", "png": "image/png"}
PNG_SIZE = (1400, 700)  # layout pixels of the exported chart
NO_BROWSER = (
    "the chart cannot be drawn as a PNG: kaleido needs Chromium or Chrome, and none was found on this machine"
)
NO_BROWSER_HINT = "Install Chromium (Debian and Ubuntu: apt install chromium), or set BROWSER_PATH to its program."


def data_span(scope: Scope) -> tuple[date, date] | None:
    """The first and last local day holding any event or entry; None for an empty database.

    Cancelled occurrences hold no day (the categorized history keeps them to count what a week left out).
    """
    occ, tz = scope.occurrences, scope.tz
    if "cancelled" in occ:
        occ = occ[~occ["cancelled"].astype(bool)]
    if occ.empty:
        return None
    local_start = occ["start_utc"].dt.tz_convert(tz).dt.tz_localize(None)
    local_end = (occ["end_utc"] - pd.Timedelta(microseconds=1)).dt.tz_convert(tz).dt.tz_localize(None)
    starts = pd.concat([local_start, occ["day_start"]]).dropna()
    ends = pd.concat([local_end, occ["day_end"] - pd.Timedelta(days=1)]).dropna()
    return starts.min().date(), ends.max().date()


def entries(scope: Scope, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
    """Every occurrence touching the period (default: all) with its area, local times and hours."""
    tz = scope.tz
    occurrences = scope.occurrences_between(
        local_midnight_utc(first_day - timedelta(days=1), tz) if first_day else None,
        local_midnight_utc(last_day + timedelta(days=2), tz) if last_day else None,
    )
    return exports.entries_table(occurrences, tz=tz, first_day=first_day, last_day=last_day)


def weeks(scope: Scope, *, first_day: date | None = None, last_day: date | None = None) -> dict[str, Any]:
    """The summary document (as `summary --json`) of the weeks covering the period (default: all data)."""
    if first_day is None or last_day is None:
        span = data_span(scope)
        if span is None:
            return {"timezone": scope.tz.key, "week_starts_on": scope.settings.week_starts_on, "weeks": []}
        first_day, last_day = first_day or span[0], last_day or span[1]
    return summary_document(balance(scope, first_day=first_day, last_day=last_day))


def export(
    scope: Scope, *, what: str, fmt: str, first_day: date | None = None, last_day: date | None = None
) -> bytes:
    """Entries or weekly summaries as CSV (safe for spreadsheets) or JSON bytes."""
    if what not in EXPORT_KINDS:
        raise InvalidValueError(f"cannot export {what!r}", hint=f"Choose one of: {', '.join(EXPORT_KINDS)}.")
    if fmt not in EXPORT_FORMATS:
        raise InvalidValueError(f"unknown export format {fmt!r}", hint=f"Choose one of: {', '.join(EXPORT_FORMATS)}.")
    if first_day and last_day and last_day < first_day:
        raise InvalidValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    if what == "entries":
        frame = entries(scope, first_day=first_day, last_day=last_day)
        return exports.frame_to_csv(frame) if fmt == "csv" else exports.frame_to_json(frame)
    document = weeks(scope, first_day=first_day, last_day=last_day)
    return exports.frame_to_csv(exports.weeks_table(document)) if fmt == "csv" else exports.document_to_json(document)


def export_file_name(what: str, fmt: str, first_day: date | None = None, last_day: date | None = None) -> str:
    span = f"-{first_day:%Y%m%d}-{last_day:%Y%m%d}" if first_day and last_day else ""
    return f"balance-dash-{what}{span}.{fmt}"


def chart_browser() -> str | None:
    """The Chromium or Chrome kaleido would use, or None: exports never download a browser."""
    from choreographer.browsers import Chromium

    found = Chromium.find_browser(skip_local=False)
    return found if found and os.access(found, os.X_OK) else None


def chart_png(scope: Scope, *, first_day: date, last_day: date) -> bytes:
    """The weekly balance chart of the period as PNG bytes, drawn by kaleido in the local Chromium."""
    if chart_browser() is None:
        raise BalanceDashError(NO_BROWSER, hint=NO_BROWSER_HINT)
    from balance_dash import charts

    result = balance(scope, first_day=first_day, last_day=last_day)
    figure = charts.weekly_balance(
        result.weekly, result.targets, scheduled=[result.is_scheduled(start.date()) for start in result.weekly.index]
    )
    return figure_png(figure)


def figure_png(figure: go.Figure) -> bytes:
    """A figure as PNG bytes, drawn by kaleido in the local Chromium, exactly as given (colours included)."""
    if chart_browser() is None:
        raise BalanceDashError(NO_BROWSER, hint=NO_BROWSER_HINT)
    width, height = PNG_SIZE
    height = max(height, int(figure.layout.height or 0))
    try:
        image: bytes = figure.to_image(format="png", width=width, height=height, scale=1)
    except (RuntimeError, OSError) as exc:  # kaleido's "Chrome not found" arrives as RuntimeError
        raise BalanceDashError(f"{NO_BROWSER} ({exc})", hint=NO_BROWSER_HINT) from exc
    return image


@dataclass(frozen=True)
class Backup:
    """A database backup ready for download."""

    data: bytes
    file_name: str
    mime: str


def backup_name(engine: Engine, *, now: datetime | None = None) -> str:
    """The file name of a backup taken now: a .db file for SQLite, else a .json dump."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"balance-dash-backup-{stamp}." + ("db" if engine.dialect.name == "sqlite" else "json")


def backup(engine: Engine, *, now: datetime | None = None, with_secrets: bool = False) -> Backup:
    """SQLite: a consistent copy of the file (restorable). Other databases: a JSON dump of every table.

    Calendar addresses and passwords kept in the database stay out unless `with_secrets`.
    """
    name = backup_name(engine, now=now)
    if engine.dialect.name == "sqlite":
        return Backup(store.backup_sqlite(engine, with_secrets=with_secrets), name, "application/vnd.sqlite3")
    dump = json.dumps(store.dump_tables(engine, with_secrets=with_secrets), default=_jsonable, indent=1, ensure_ascii=False)
    return Backup(dump.encode("utf-8"), name, "application/json")


def _jsonable(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def load_settings_or_defaults(engine: Engine) -> tuple[Settings, str | None]:
    """The saved settings, or the defaults and the reason the saved ones cannot be read.

    Both front-ends start this way, so that settings the app cannot read (written by hand, or
    by another version) never stop it: it says so and offers `reset_settings`.
    """
    try:
        return store.load_settings(engine), None
    except SettingsError as error:
        return Settings(), str(error)


def reset_settings(engine: Engine) -> None:
    """Replace the saved settings with the defaults."""
    store.save_settings(engine, Settings())


@dataclass(frozen=True)
class RestoreReport:
    file_name: str
    rows: dict[str, int]

    def headline(self) -> str:
        return (
            f"Restored {self.file_name}: {self.rows.get('source', 0)} calendars, "
            f"{self.rows.get('occurrence', 0)} events and entries, {self.rows.get('rule', 0)} rules, "
            f"{self.rows.get('placement', 0)} placements, {self.rows.get('target', 0)} targets, "
            f"{self.rows.get('journalentry', 0)} journal entries"
        )


def restore(engine: Engine, data: bytes, *, file_name: str, settings: Settings) -> RestoreReport:
    """Replace all data with a balance-dash SQLite backup, in one transaction; anything else is refused.

    The backup is read and checked whole first (`store.read_backup`: plain tables, columns and
    types; `backup_checks`: settings, zones, areas, rules), so a refusal leaves the database as it was.
    """
    check_size(data, file_name=file_name, settings=settings)
    rows = store.read_backup(data, file_name=file_name)
    backup_checks.check_rows(rows, file_name=file_name)
    return RestoreReport(file_name=file_name, rows=store.replace_all_rows(engine, rows))
