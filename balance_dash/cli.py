"""The `balance-dash` command: parse arguments, call `workflows`, print.

Errors become messages in one place, `main()`: a BalanceDashError prints one line and exits 1 (a
`--db` that cannot be opened exits 2, like a usage error). Everything printed passes through
`echo`, which strips control characters; error lines are cut to ERROR_LIMIT characters.
"""

from __future__ import annotations

import gc

# The libraries imported below make about 225,000 tracked objects that live as long as the command.
# The cycle collector tracing them while they are made, once more when it is turned back on, and
# again when the process ends, was a third of a short command's time (a summary at ten years:
# 1.25 s -> 0.85 s). It is off while they are imported; then they are moved out of its reach
# (`gc.freeze`) and it runs on for what the command makes.
gc.disable()

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn

from balance_dash import workflows
from balance_dash.errors import BalanceDashError, DatabaseUrlError, InvalidValueError
from balance_dash.workflows import Engine, Settings, capped, preferences, printable
from balance_dash.workflows import data as data_workflows
from balance_dash.workflows import patterns as pattern_workflows
from balance_dash.workflows import serve as serving
from balance_dash.workflows import working_time as working_time_workflows

gc.freeze()
gc.enable()

app = typer.Typer(
    help="balance-dash: see where your week goes, against the hours you meant to spend.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SERVER_STOP_GRACE_S = 10.0  # how long a stopping server may take before it is killed
ERROR_LIMIT = 400  # characters of one error line: the message names the file and line first

# data/balance.db in a checkout (a data/ folder at hand), else balance.db in the user's data folder.
DEFAULT_DB = workflows.default_db_url()
DbOption = Annotated[
    str,
    typer.Option(
        "--db", envvar="BALANCE_DASH_DB",
        help="Database URL (SQLite file or any SQLAlchemy URL). Default: data/balance.db when a data/ folder "
        "is in the working folder, else balance.db in your data folder.",
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option("--tz", help="Display time zone (IANA name). Default: the saved setting, else the system zone."),
]


NOTHING_IMPORTED = (
    "Nothing imported yet. Import a calendar export with `balance-dash import FILE.ics`, "
    "log time with `balance-dash log`, or load the sample calendar with `balance-dash demo`."
)
def echo(message: object, *, err: bool = False, nl: bool = True) -> None:
    """Print without control characters: text from files (titles, names, notes) can hold terminal
    escape sequences (ESC, OSC, BEL) that would otherwise act on the user's terminal."""
    typer.echo(printable(message), err=err, nl=nl)


def _error_line(error: object) -> str:
    """One line for stderr, cut to ERROR_LIMIT characters: a message may quote a huge bad line."""
    return f"error: {capped(error, ERROR_LIMIT)}"


def _open(db: str) -> tuple[Engine, Settings]:
    engine = workflows.open_database(db)
    settings, problem = data_workflows.load_settings_or_defaults(engine)
    if problem:
        echo(f"warning: {problem}", err=True)
    return engine, settings


def _scope(db: str, tz: str | None) -> workflows.Scope:
    """The read scope of one command: the database, its settings, the display zone, now."""
    engine, settings = _open(db)
    return workflows.Scope.of(engine, settings=settings, tz=tz)


def _parse_instant(text: str, tz: ZoneInfo, option: str) -> datetime:
    """A date (local midnight) or an ISO date-time (local unless it has an offset), as aware UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidValueError(f"{option} {text!r} is not a date or date-time", hint="Write 2026-11-23 or 2026-11-23T09:30.") from exc
    if not 1900 <= value.year <= 2200:
        raise InvalidValueError(f"{option} {text!r} is outside the years 1900 to 2200")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _parse_day(text: str, option: str) -> date:
    try:
        value = date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InvalidValueError(f"{option} {text!r} is not a date", hint="Write it like 2026-11-23.") from exc
    if not 1900 <= value.year <= 2200:
        raise InvalidValueError(f"{option} {text!r} is outside the years 1900 to 2200")
    return value


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help=".ics files to import, each as one calendar.")],
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    category: Annotated[str | None, typer.Option(help="Put every event of these files in this area.")] = None,
    calendar: Annotated[str | None, typer.Option(help="Calendar name (default: the file's own, else its file name).")] = None,
    since: Annotated[str | None, typer.Option(help="Import from this date or instant (default: the first event, at most 10 years back).")] = None,
    until: Annotated[str | None, typer.Option(help="Import until this date or instant (default: one year ahead).")] = None,
) -> None:
    """Import calendar exports; re-importing a calendar replaces its previous snapshot."""
    engine, settings = _open(db)
    zone = workflows.resolve_zone(tz, settings)
    start = _parse_instant(since, zone, "--since") if since else None
    end = _parse_instant(until, zone, "--until") if until else None
    failed = 0
    for path in files:
        try:
            data = _read_file(path, settings)
            with _ProgressBar(path.name) as bar:
                report = workflows.import_calendar(
                    engine, data, file_name=path.name, tz=zone, settings=settings,
                    source_name=calendar, category=category, since=start, until=end, progress=bar.update,
                    isolated=True,
                )
        except BalanceDashError as error:
            failed += 1
            echo(_error_line(error), err=True)
            continue
        echo(report.headline())
        for note in report.notes():
            echo(f"  note: {note}")
        for issue in report.issues:
            echo(f"  {issue.kind}: {issue.where(path.name)}: {capped(issue.message, ERROR_LIMIT)}")
    if failed:
        raise typer.Exit(1)


class _ProgressBar:
    """A progress bar on stderr for imports that take more than a second (terminals only)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _ProgressBar:
        return self

    def update(self, fraction: float, stage: str) -> None:
        if self.progress is None:
            if time.monotonic() - self.started < 1.0 or not sys.stderr.isatty():
                return
            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                console=Console(stderr=True), transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=1.0)
        assert self.task is not None
        self.progress.update(self.task, completed=fraction, description=f"{self.label}: {stage}")

    def __exit__(self, *exc_info: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def _read_file(path: Path, settings: Settings | None = None) -> bytes:
    """The file's bytes; with `settings`, its size is checked first, before anything is read."""
    try:
        if settings is not None and path.is_file():
            size = path.stat().st_size
            if size > settings.max_upload_mb * 1024 * 1024:
                workflows.check_size(b"", file_name=path.name, settings=settings, size=size)
        return path.read_bytes()
    except OSError as exc:
        raise InvalidValueError(f"{path}: cannot read the file ({exc.strerror})") from exc


@app.command()
def summary(
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    week: Annotated[str | None, typer.Option(help="One ISO week, like 2026-W47.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day (default: four weeks ago).")] = None,
    to: Annotated[str | None, typer.Option(help="Last day (default: the end of next week).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Hours per area per week, against targets, with warnings (weeks not yet over are scheduled)."""
    scope = _scope(db, tz)
    first, last = _period(week, from_, to, scope.today)
    result = workflows.balance(scope, first_day=first, last_day=last)
    if as_json:
        shape = pattern_workflows.patterns(scope, first_day=first, last_day=last, balance=result)
        account = working_time_workflows.working_time(scope, last_day=last, balance=result)
        document = workflows.summary_document(
            result, patterns=lambda week_start: pattern_workflows.summary_patterns(shape, week_start, account)
        )
        echo(json.dumps(document, indent=2))
        return
    document = workflows.summary_document(result)
    if not result.has_data:
        echo(NOTHING_IMPORTED)
        return
    echo(f"Time zone {document['timezone']}; hours per week")
    for line in summary_lines(document):
        echo(line)


# The summary table's columns and their headers in words, narrow enough for 80 columns.
SUMMARY_HEADERS = {
    "work": "work", "family": "family", "personal": "personal", "rest": "rest", "uncategorized": "uncategorized",
    "integration": "two areas", "unaccounted": "unaccounted", "sleep": "sleep",
}


def summary_lines(document: dict[str, object]) -> list[str]:
    """The summary as a table that fits 80 columns with whole headers; under each week what it
    left out and its warnings; a week without data says so instead of a row of zeros."""
    weeks = list(document["weeks"])  # type: ignore[call-overload]  # a list of week dicts
    shown = [c for c in SUMMARY_HEADERS if any(c in week["hours"] for week in weeks)] or list(SUMMARY_HEADERS)[:7]
    widths = {c: max(len(SUMMARY_HEADERS[c]), 5) for c in shown}
    lines = [f"{'week':<9}" + "".join(f" {SUMMARY_HEADERS[c]:>{widths[c]}}" for c in shown)]
    for week in weeks:
        label = str(week["week"]) + ("*" if week["scheduled"] else "")
        if not week.get("has_data", True):
            lines.append(f"{label:<9} no data: no calendar or log covers this week")
            continue
        lines.append(f"{label:<9}" + "".join(f" {float(week['hours'].get(c, 0.0)):>{widths[c]}.1f}" for c in shown))
        if week.get("vacation"):
            lines.append("  vacation: every working day off, no work target")
        elif week.get("days_off"):
            lines.append(f"  {week['days_off']} day{'s' if week['days_off'] != 1 else ''} off: the work target is pro rata")
        left_out = {reason: hours for reason, hours in week.get("not_counted", {}).items() if hours}
        if left_out:
            words = ", ".join(f"{hours:g} h {workflows.NOT_COUNTED_WORDS.get(reason, reason)}" for reason, hours in left_out.items())
            lines.append(f"  not counted: {words}")
        lines += [f"  [{warning['severity']}] {warning['message']}" for warning in week["warnings"]]
    if any(week["scheduled"] for week in weeks):
        lines.append("* scheduled: the week is not over yet; its hours are what the calendar holds.")
    return lines


@app.command()
def patterns(
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    week: Annotated[str | None, typer.Option(help="One ISO week, like 2026-W47.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day (default: four weeks ago).")] = None,
    to: Annotated[str | None, typer.Option(help="Last day (default: the end of next week).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """The shape of the time per week: meetings, focus and fragmented hours, family and personal
    time in chunks or scraps, and what each recurring meeting costs (see docs/time-shape.md)."""
    scope = _scope(db, tz)
    first, last = _period(week, from_, to, scope.today)
    result = pattern_workflows.patterns(scope, first_day=first, last_day=last)
    account = working_time_workflows.working_time(scope, last_day=last)
    document = pattern_workflows.patterns_document(result, account)
    if as_json:
        echo(json.dumps(document, indent=2))
        return
    echo(f"Time zone {document['timezone']}; the shape of each week (hours)")
    for line in patterns_lines(document):
        echo(line)


WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
contract_app = typer.Typer(help="Contract hours per weekday, and the working-time account against them.",
                           invoke_without_command=True)
app.add_typer(contract_app, name="contract")


@contract_app.callback()
def contract(ctx: typer.Context, db: DbOption = DEFAULT_DB, tz: TzOption = None) -> None:
    """The contract hours in force over time, and the balance per week, month, quarter and year."""
    if ctx.invoked_subcommand is not None:
        return
    scope = _scope(db, tz)
    account = working_time_workflows.working_time(scope, last_day=scope.today)
    if not account.has_contract:
        echo("No contract hours yet. Set them with `balance-dash contract set 8,8,8,8,8,0,0 --from 2026-01-01`.")
        return
    for row in account.contracts.to_dict("records"):
        hours = ", ".join(f"{day} {value:g}" for day, value in zip(WEEKDAYS_SHORT, row["weekday_hours"], strict=True))
        echo(f"from {row['effective_from']}: {hours} ({sum(row['weekday_hours']):g} h a week)")
    for period in ("week", "month", "quarter", "year"):
        latest = account.by(period).iloc[-1]
        start = latest.name.date()  # type: ignore[attr-defined]  # the index holds timestamps
        echo(f"this {period} (from {start}): contract {latest['due_hours']:g} h, worked {latest['worked_hours']:.1f} h, "
             f"{latest['balance_hours']:+.1f} h; balance since the contract began {latest['running_balance_hours']:+.1f} h")
    cap = scope.settings.working_time_cap_hours
    if account.warnings and account.warnings[-1].period_end >= scope.today - timedelta(days=7):
        echo(f"[boundary] {account.warnings[-1].message}")
    elif cap is not None:
        echo(f"Your cap: {cap:g} h over the contract.")


@contract_app.command("set")
def contract_set(
    hours: Annotated[str, typer.Argument(help="Seven hours, Monday first, like 8,8,8,8,8,0,0.")],
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    from_: Annotated[str | None, typer.Option("--from", help="In force from this day (default: today).")] = None,
) -> None:
    """Set the contract hours per weekday from a day on (earlier weeks keep the hours then in force)."""
    scope = _scope(db, tz)
    day = _parse_day(from_, "--from") if from_ else scope.today
    weekday_hours = working_time_workflows.parse_contract(hours)
    working_time_workflows.set_contract(scope.engine, weekday_hours, effective_from=day)
    echo(f"Contract from {day}: {sum(weekday_hours):g} h a week ({', '.join(f'{h:g}' for h in weekday_hours)}).")


PATTERN_HEADERS = {
    "meeting_hours": "meetings", "meeting_share": "share", "focus_hours": "focus",
    "fragmented_hours": "fragmented", "back_to_back": "back2back", "longest_family_block_hours": "family",
    "longest_personal_block_hours": "personal",
}


def patterns_lines(document: dict[str, Any], *, series_shown: int = 10) -> list[str]:
    """The patterns as an 80-column table per week, then the costliest series and the people."""
    widths = {column: max(len(header), 5) for column, header in PATTERN_HEADERS.items()}
    lines = [
        f"{'':<9}" + "".join(f" {'':>{widths[c]}}" for c in list(PATTERN_HEADERS)[:5])
        + f" {'longest block':>{widths['longest_family_block_hours'] + widths['longest_personal_block_hours'] + 1}}",
        f"{'week':<9}" + "".join(f" {header:>{widths[c]}}" for c, header in PATTERN_HEADERS.items()),
    ]
    for week in document["weeks"]:
        label = str(week["week"]) + ("*" if week["scheduled"] else "")
        cells = []
        for column in PATTERN_HEADERS:
            value = week[column]
            text = f"{value * 100:.0f} %" if column == "meeting_share" else (
                f"{value}" if column == "back_to_back" else f"{value:.1f}"
            )
            cells.append(f" {text:>{widths[column]}}")
        lines.append(f"{label:<9}" + "".join(cells))
    if any(week["scheduled"] for week in document["weeks"]):
        lines.append("* scheduled: the week is not over yet; its figures are what the calendar holds.")
    with_contract = [week for week in document["weeks"] if week.get("contract_hours") is not None]
    if with_contract:
        lines.append("Working time against your contract (h; balance: over + / under -, since the contract began):")
        lines += [
            f"  {week['week']}: contract {week['contract_hours']:g}, worked "
            f"{week['contract_hours'] + week['week_balance_hours']:g}, week {week['week_balance_hours']:+g}, "
            f"balance {week['balance_hours']:+g}"
            for week in with_contract
        ]
    series = document["series"][:series_shown]
    if series:
        lines.append("Recurring meetings, costliest first:")
        for row in series:
            upcoming = f"; next {row['next'][:16].replace('T', ' ')}" if row["next"] else ""
            lines.append(
                f"  {_short(row['title'], 24)}: {row['hours_per_week']:g} h/week, "
                f"{row['hours']:g} h in {row['occurrences']} meetings{upcoming}"
            )
    if document.get("people"):
        lines.append("People you meet most (meeting hours):")
        lines += [f"  {row['person']}: {row['hours']:g} h in {row['meetings']} meetings" for row in document["people"][:5]]
    return lines


def _short(text: object, limit: int) -> str:
    value = printable(text, one_line=True)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _period(week: str | None, from_: str | None, to: str | None, today: date) -> tuple[date, date]:
    if week:
        if from_ or to:
            raise InvalidValueError("give either --week or --from/--to, not both")
        monday = workflows.parse_iso_week(week)
        return monday, monday + timedelta(days=6)
    first = _parse_day(from_, "--from") if from_ else today - timedelta(weeks=4)
    last = _parse_day(to, "--to") if to else today + timedelta(days=13 - today.weekday())
    if last < first:
        raise InvalidValueError(f"--to {last} is before --from {first}")
    return first, last


@app.command()
def log(
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    start: Annotated[str | None, typer.Option(help="Start, like 2026-11-23T09:30 (local time unless it has an offset).")] = None,
    end: Annotated[str | None, typer.Option(help="End, like 2026-11-23T11:00.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="A day, with --hours instead of --start/--end.")] = None,
    hours: Annotated[float | None, typer.Option(help="Duration in hours (with --start or --date).")] = None,
    category: Annotated[str | None, typer.Option(help="Area: work, family, personal or rest.")] = None,
    note: Annotated[str, typer.Option(help="What it was.")] = "",
    csv: Annotated[Path | None, typer.Option(help="Import a CSV time log instead (own format, Toggl or Clockify).")] = None,
) -> None:
    """Log time by hand, or import a CSV time log (see docs/csv-format.md)."""
    engine, settings = _open(db)
    zone = workflows.resolve_zone(tz, settings)
    if csv is not None:
        if start or end or on or hours or category:
            raise InvalidValueError("--csv imports a file; leave out --start, --end, --date, --hours and --category")
        report = workflows.import_log_csv(engine, _read_file(csv, settings), file_name=csv.name, tz=zone, settings=settings)
        echo(report.headline())
        for issue in report.issues:
            echo(f"  {issue.kind}: {issue.where(csv.name)}: {capped(issue.message, ERROR_LIMIT)}")
        return
    if category is None:
        raise InvalidValueError("--category is required", hint="Choose one of: work, family, personal, rest.")
    added = workflows.log_time(
        engine, tz=zone, area=category, note=note,
        start=_parse_instant(start, zone, "--start") if start else None,
        end=_parse_instant(end, zone, "--end") if end else None,
        day=_parse_day(on, "--date") if on else None,
        duration_hours=hours,
    )
    echo("Logged." if added else "Already logged: nothing changed.")


@app.command()
def warnings(
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    week: Annotated[str | None, typer.Option(help="One ISO week, like 2026-W47 (default: this week and the next).")] = None,
) -> None:
    """List the warnings of a week, most severe first, with figures, thresholds and sources."""
    scope = _scope(db, tz)
    if week:
        first, last = _period(week, None, None, scope.today)
    else:
        first, last = scope.today, scope.today + timedelta(days=7)
    result = workflows.balance(scope, first_day=first, last_day=last)
    if not result.has_data:
        echo(NOTHING_IMPORTED)
        return
    found = result.warnings_most_severe_first()
    if not found:
        echo(f"No warnings from {result.first_day} to {result.last_day}.")
    for warning in found:
        echo(f"[{warning.severity}] {warning.message}")
        echo(f"    source: {warning.source}" + (f" <{warning.url}>" if warning.url else ""))


@app.command()
def review(
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    week: Annotated[str | None, typer.Option(help="One ISO week, like 2026-W47 (default: last week).")] = None,
) -> None:
    """The weekly review: hours against targets, warnings, boundaries kept or broken, the journal."""
    from balance_dash.workflows import reflect

    scope = _scope(db, tz)
    first = _period(week, None, None, scope.today)[0] if week else scope.today - timedelta(weeks=1)
    result = reflect.weekly_review(scope, week_start=first)
    flag = " (scheduled: not over yet)" if result.scheduled else ""
    echo(f"Review of {result.iso_week}, from {result.week_start}{flag}; time zone {scope.tz.key}")
    targets = result.targets.set_index("area")
    for area in ("work", "family", "personal", "rest"):
        low, high = targets["min_hours"].get(area), targets["max_hours"].get(area)
        echo(f"  {area:<9} {result.hours[area]:>6.1f} h   target {workflows.range_text(low, high)}")
    for warning in result.warnings:
        echo(f"  [{warning.severity}] {warning.message}")
    if result.score is not None:
        kept = int(result.boundaries["kept"].sum())
        echo(f"Boundaries kept: {kept} of {len(result.boundaries)} ({result.score:.0%})")
    for row in result.breaks.to_dict("records"):
        echo(f"  broken: {row['boundary']} on {row['day']}: {row['hours']:g} h ({row['events']})")
    if result.journal is None:
        echo("No journal for this week yet: answer the questions on the Reflect page.")
        return
    echo(f"Journal: energy {result.journal.energy or '-'}/5, mood {result.journal.mood or '-'}/5")
    for question, answer in result.answers.items():
        echo(f"  {question}\n    {answer}")
    if result.journal.notes:
        echo(f"  Notes: {result.journal.notes}")


targets_app = typer.Typer(help="Show the weekly targets in force, or set one.", no_args_is_help=False)
settings_app = typer.Typer(help="Show every setting with its value and help, or set one.", no_args_is_help=False)
app.add_typer(targets_app, name="targets")
app.add_typer(settings_app, name="settings")


def _refuse(error: BalanceDashError) -> typer.Exit:
    """A wrong name or value: one line on stderr and exit code 2 (a usage error)."""
    echo(_error_line(error), err=True)
    return typer.Exit(2)


@targets_app.callback(invoke_without_command=True)
def targets(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
) -> None:
    """Show the weekly target of each area in force today."""
    if ctx.invoked_subcommand is not None:
        return
    scope = _scope(db, tz)
    echo(f"Weekly targets in force on {scope.today}:")
    for line in preferences.targets_in_force(scope.engine, scope.today):
        since = f"   (since {line.effective_from})" if line.effective_from and line.effective_from.year > 1970 else ""
        echo(f"  {line.area:<9} {line.text}{since}")
    echo("A work target applies pro rata in weeks with days off.")


@targets_app.command("set")
def targets_set(
    area: Annotated[str, typer.Argument(help="work, family, personal or rest.")],
    hours: Annotated[str, typer.Argument(help="MIN-MAX hours a week: 35-45, 14- (at least), 0-48 (at most), - (no target).")],
    from_: Annotated[str | None, typer.Option("--from", help="In force from this date (default: today).")] = None,
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
) -> None:
    """Set an area's weekly target range; earlier weeks keep the target they had."""
    scope = _scope(db, tz)
    try:
        start = _parse_day(from_, "--from") if from_ else scope.today
        line = preferences.set_target(scope.engine, area.strip().lower(), hours, effective_from=start)
    except InvalidValueError as error:
        raise _refuse(error) from error
    echo(f"{line.area} from {start}: {line.text}")


@settings_app.callback(invoke_without_command=True)
def settings_(ctx: typer.Context, db: DbOption = DEFAULT_DB) -> None:
    """Show every setting with its value and what it does."""
    if ctx.invoked_subcommand is not None:
        return
    engine, _ = _open(db)
    for line in preferences.list_settings(engine):
        echo(f"{line.name} = {line.value or '(none)'}")
        echo(f"    {line.help}")


@settings_app.command("set")
def settings_set(
    name: Annotated[str, typer.Argument(help="The setting's name, as `balance-dash settings` lists it.")],
    value: Annotated[str, typer.Argument(help="The new value; an empty string clears a list or the time zone.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Change one setting, e.g. `my_addresses "me@example.com, me@work.example"` or `sleep_start 23:30`."""
    engine, _ = _open(db)
    try:
        line = preferences.set_setting(engine, name.strip(), value)
    except InvalidValueError as error:
        raise _refuse(error) from error
    echo(f"{line.name} = {line.value or '(none)'}")


@app.command()
def export(
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    what: Annotated[str, typer.Option(help="entries (every event and entry) or weeks (weekly summaries).")] = "entries",
    fmt: Annotated[str, typer.Option("--format", help="csv (safe to open in a spreadsheet) or json.")] = "csv",
    from_: Annotated[str | None, typer.Option("--from", help="First day (default: the first with data).")] = None,
    to: Annotated[str | None, typer.Option(help="Last day (default: the last with data).")] = None,
    output: Annotated[Path | None, typer.Option(help="Write to this file (default: standard output).")] = None,
) -> None:
    """Export entries or weekly summaries as CSV or JSON, in the display time zone."""
    from balance_dash.workflows import data as data_workflows

    scope = _scope(db, tz)
    first = _parse_day(from_, "--from") if from_ else None
    last = _parse_day(to, "--to") if to else None
    data = data_workflows.export(scope, what=what, fmt=fmt, first_day=first, last_day=last)
    if output is None:
        echo(data.decode("utf-8-sig"), nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InvalidValueError(f"{output}: cannot write the file ({exc.strerror})") from exc
    echo(f"Wrote {len(data):,} bytes of {what} as {fmt.upper()} to {output}", err=True)


@app.command()
def demo(db: DbOption = DEFAULT_DB, tz: TzOption = None) -> None:
    """Load the sample calendar shipped with balance-dash."""
    engine, settings = _open(db)
    report = workflows.load_sample(engine, tz=workflows.resolve_zone(tz, settings), settings=settings)
    echo(report.headline())


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (SQLite: a .db file; other databases: JSON).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a consistent copy of the whole database to FILE, taken while everything keeps running."""
    engine, _settings = _open(db)
    copy = data_workflows.backup(engine)
    try:
        file.write_bytes(copy.data)
    except OSError as exc:
        raise InvalidValueError(f"{file}: cannot write the file ({exc.strerror})") from exc
    echo(f"Wrote a backup of {len(copy.data):,} bytes to {file}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `balance-dash backup` or the Data page (.db).")],
    db: DbOption = DEFAULT_DB,
    yes: Annotated[bool, typer.Option("--yes", help="Replace all data without asking.")] = False,
) -> None:
    """Replace all data with a backup, in one step: the backup is checked whole first, and a
    backup that fails a check changes nothing."""
    engine, settings = _open(db)
    data = _read_file(file, settings)
    if not yes and not typer.confirm(f"Replace all data in {db} with {file.name}?", default=False):
        raise typer.Exit(1)
    report = data_workflows.restore(engine, data, file_name=file.name, settings=settings)
    echo(report.headline())


@app.command("reset-settings")
def reset_settings(db: DbOption = DEFAULT_DB) -> None:
    """Replace the saved settings with the defaults (for settings the app cannot read)."""
    engine = workflows.open_database(db)
    data_workflows.reset_settings(engine)
    echo("The settings were reset to the defaults.")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    port: Annotated[int, typer.Option(help="Port on localhost.")] = 8501,
) -> None:
    """Start the dashboard on http://localhost:PORT."""
    command, env = serving.server_command(db, port)  # the settings of .streamlit/config.toml as flags
    raise typer.Exit(_run_until_stopped(command, env))


class _Stop(Exception):
    """`serve` was told to stop (SIGTERM, SIGHUP)."""


def _run_until_stopped(command: list[str], env: dict[str, str]) -> int:
    """Run the server until it ends or `serve` is told to stop (Ctrl+C, SIGTERM, SIGHUP); then
    stop the server too and wait for it, so the port is free for the next start."""
    child = subprocess.Popen(command, env=env)

    def stop(signum: int, _frame: object) -> None:
        raise _Stop(signum)

    names = ("SIGTERM", "SIGINT", "SIGHUP")
    previous = {number: signal.signal(number, stop) for number in (getattr(signal, n) for n in names if hasattr(signal, n))}
    try:
        return child.wait()
    except (_Stop, KeyboardInterrupt):
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(SERVER_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        return 0
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


# What an option's value is, in the help, instead of the Python type Typer would print (<str>).
METAVARS = {
    "db": "URL", "tz": "ZONE", "week": "WEEK", "from_": "DATE", "to": "DATE", "since": "DATE", "until": "DATE",
    "on": "DATE", "start": "WHEN", "end": "WHEN", "hours": "HOURS", "category": "AREA", "calendar": "NAME",
    "note": "TEXT", "csv": "FILE", "output": "FILE", "what": "WHAT", "fmt": "FORMAT", "port": "PORT",
}


def plain_help(command: Any) -> Any:
    """`command` (a click command, as Typer builds it) and its subcommands with words for option
    values in the help and no type tags such as <bool> or <str>: flags show nothing, other
    options a word like DATE or FILE. (Typer carries its own copy of click, hence duck typing.)"""
    for param in command.params:
        if param.metavar is not None:
            continue
        name = param.name or "value"
        if param.param_type_name == "option":
            param.metavar = "" if param.is_flag else METAVARS.get(name, name.upper())
        else:  # an argument: its name says what it is; leave out the type column
            param.display_type_rich = lambda ctx: None
    make_help_option = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    return command


# ---------------------------------------------------------------------------------------------
# Live calendars: addresses and CalDAV accounts (see docs/live-sources.md)

caldav_app = typer.Typer(help="Connect CalDAV accounts (Nextcloud, Radicale, Fastmail, iCloud, ...).", no_args_is_help=True)
sources_app = typer.Typer(help="List the calendars and logs, with kind, area, last sync and status; remove one.")
app.add_typer(caldav_app, name="caldav")
app.add_typer(sources_app, name="sources")


@app.command()
def subscribe(
    url: Annotated[str, typer.Argument(help="The calendar's address (https:// or webcal://); - reads it from standard input.")],
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    calendar: Annotated[str | None, typer.Option(help="Calendar name (default: the feed's own, else its masked address).")] = None,
    category: Annotated[str | None, typer.Option(help="Put every event of this calendar in this area.")] = None,
) -> None:
    """Subscribe to a calendar address (Google's secret iCal address, Outlook's published calendar, ...).

    The address is a password: it is kept in the system keyring and only ever shown masked. Pass -
    and paste it on standard input to keep it out of your shell history.
    """
    from balance_dash.workflows import live

    address = sys.stdin.readline().strip() if url == "-" else url
    engine, settings = _open(db)
    report = live.subscribe(
        engine, address, tz=workflows.resolve_zone(tz, settings), settings=settings, calendar=calendar, category=category
    )
    echo(f"Subscribed: {report.headline()}")
    for note in report.notes:
        echo(f"  note: {note}")


@caldav_app.command("add")
def caldav_add(
    server: Annotated[str, typer.Argument(help="The server's CalDAV address, like https://cloud.example.org/remote.php/dav.")],
    user: Annotated[str, typer.Option("--user", help="Account user name.")],
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
    password_env: Annotated[str | None, typer.Option(help="Read the password from this environment variable.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from the first line of standard input.")] = False,
    calendars: Annotated[str | None, typer.Option(help="Calendars to add, comma-separated (default: all found).")] = None,
    category: Annotated[str | None, typer.Option(help="Put every event of these calendars in this area.")] = None,
) -> None:
    """Connect a CalDAV account: list its calendars, add the chosen ones, sync them.

    The password is never taken from the command line: give --password-env VAR or
    --password-stdin, or type it at the prompt.
    """
    from balance_dash.workflows import live

    password = _read_password(password_env, password_stdin)
    engine, settings = _open(db)
    chosen = [name.strip() for name in calendars.split(",") if name.strip()] if calendars else None
    found, reports = live.connect_caldav(
        engine, server, username=user, password=password, tz=workflows.resolve_zone(tz, settings), settings=settings,
        calendars=chosen, category=category,
    )
    echo(f"Calendars found: {', '.join(calendar.name for calendar in found)}")
    for report in reports:
        echo(f"Added: {report.headline()}")
    for note in {note for report in reports for note in report.notes}:
        echo(f"  note: {note}")


def _read_password(env: str | None, from_stdin: bool) -> str:
    if env and from_stdin:
        raise InvalidValueError("give either --password-env or --password-stdin, not both")
    if env:
        value = os.environ.get(env)
        if not value:
            raise InvalidValueError(f"the environment variable {env} is not set or empty")
        return value
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidValueError("no password given", hint="Use --password-env VAR or --password-stdin.")
    return str(typer.prompt("Password", hide_input=True))


@sources_app.callback(invoke_without_command=True)
def sources_list(ctx: typer.Context, db: DbOption = DEFAULT_DB, tz: TzOption = None) -> None:
    """All calendars and logs: kind, area, events, last sync, status and (masked) address."""
    if ctx.invoked_subcommand is not None:
        return
    from balance_dash.workflows import live

    engine, settings = _open(db)
    zone = workflows.resolve_zone(tz, settings)
    table = live.sources(engine)
    if table.empty:
        echo("No calendars yet: import a file, subscribe to an address, or connect a CalDAV account.")
        return
    for row in table.to_dict("records"):
        when = row["last_sync"].astimezone(zone).strftime("%Y-%m-%d %H:%M") if row["last_sync"] else "never"
        changes = f" ({row['changes']})" if row["changes"] else ""
        echo(
            f"{row['name']}  [{row['kind']}, {row['area']}, {row['occurrences']} events]  "
            f"{row['status']} {when}{changes}  {row['shown']}"
        )
        if isinstance(row.get("error"), str) and row["error"]:
            echo(f"    last error: {row['error']}")


@sources_app.command("remove")
def sources_remove(name: Annotated[str, typer.Argument(help="The calendar's name, as `balance-dash sources` shows it.")],
                   db: DbOption = DEFAULT_DB) -> None:
    """Remove a calendar with all its events (and its stored address or password)."""
    from balance_dash.workflows import live

    engine, _settings = _open(db)
    live.remove_source(engine, name)
    echo(f"Removed {name}.")


@app.command("sync")
def sync_(
    names: Annotated[list[str] | None, typer.Argument(help="Calendars to sync (default: every address and CalDAV calendar).")] = None,
    db: DbOption = DEFAULT_DB,
    tz: TzOption = None,
) -> None:
    """Bring calendar addresses and CalDAV calendars up to date (for cron or a systemd timer).

    Exit code 0 when all synced; 1 with one line per failed calendar on standard error (the
    others are still synced).
    """
    from balance_dash.workflows import live

    engine, settings = _open(db)
    reports = live.sync(engine, tz=workflows.resolve_zone(tz, settings), settings=settings, names=names)
    if not reports:
        echo("No calendar addresses or CalDAV calendars to sync.")
    failed = [report for report in reports if report.status == "failed"]
    for report in reports:
        if report.status != "failed":
            echo(report.headline())
    for report in failed:
        echo(f"error: {report.headline()}", err=True)
    if failed:
        raise typer.Exit(1)


def main() -> None:
    """Entry point: run the app, turning BalanceDashError into one line on stderr."""
    try:
        # Without standalone mode click returns an Exit's code instead of raising it.
        code = plain_help(typer.main.get_command(app)).main(standalone_mode=False)
    except DatabaseUrlError as error:  # a --db mistake is a usage error, like click's own
        echo(_error_line(error), err=True)
        sys.exit(2)
    except BalanceDashError as error:
        echo(_error_line(error), err=True)
        sys.exit(1)
    except click.ClickException as error:  # usage errors: click's own message and exit code
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except Exception as error:
        # typer parses with its own copy of click, whose usage errors are not click's classes:
        # recognise them by what they offer, so a mistyped option is a usage line, not a traceback.
        show, exit_code = getattr(error, "show", None), getattr(error, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        if type(error).__name__ == "Abort":
            sys.exit(130)
        # A failure we did not foresee: one line, never a traceback.
        echo(_error_line(f"balance-dash failed unexpectedly ({type(error).__name__}: {error})"), err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
