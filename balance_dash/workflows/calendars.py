"""Importing calendars (.ics snapshots) and the sample calendar."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import attendance, store
from balance_dash.errors import LimitError, StaleImportStateError

if TYPE_CHECKING:  # the calendar libraries take a good part of a second to import: only an import needs them
    from balance_dash.ingest import ics
    from balance_dash.ingest.ics import split as feed_split
from balance_dash.settings import Settings

SAMPLE_CALENDAR = resources.files("balance_dash") / "data" / "sample.ics"  # shipped inside the package
SAMPLE_SOURCE_NAME = "Sample calendar"

@dataclass(frozen=True)
class ImportReport:
    """What importing one file did, for both front-ends to show."""

    file_name: str
    source_name: str
    events: int
    occurrences: int
    cancelled: int
    added: int
    updated: int
    removed: int
    unchanged: int
    issues: tuple[ics.IngestIssue, ...]
    window: tuple[datetime, datetime]
    first_day: date | None = None
    last_day: date | None = None
    # Per reason (attendance.NOT_COUNTED_REASONS), the occurrences in the file that count no
    # hours, and the hours they hold: (count, hours).
    not_counted: dict[str, tuple[int, float]] = field(default_factory=dict)
    events_before: int = 0  # events left out because they lie wholly before the window
    events_after: int = 0
    area_changed: int = 0  # occurrences whose area changed with the calendar's area (--category)
    my_addresses: tuple[str, ...] = ()
    invitations: int = 0  # occurrences that list attendees (meetings someone could decline)

    def notes(self) -> list[str]:
        """What the import left out or changed beside the counts, as sentences for both front-ends."""
        notes = []
        words = {
            "declined": "meeting{s} you declined",
            "free": "event{s} shown as free",
            "out_of_office": "out-of-office event{s}",
            "cancelled": "cancelled occurrence{s}",
        }
        for reason, (count, hours) in self.not_counted.items():
            if count:
                what = words[reason].format(s="" if count == 1 else "s")
                notes.append(f"{count:,} {what} ({hours:,.1f} h) {'is' if count == 1 else 'are'} not counted.")
        if self.not_counted.get("free", (0, 0.0))[0]:
            notes.append("To count events shown as free in this calendar, tick 'Count events shown as free' for it.")
        if not self.my_addresses and self.invitations:
            notes.append(
                "Your own addresses are not set, so declined meetings cannot be told apart: "
                "set them on the Calendars page or with `balance-dash settings set my_addresses`."
            )
        start, end = (f"{moment:%Y-%m-%d}" for moment in self.window)
        if self.events_before:
            notes.append(
                f"{self.events_before:,} event{'s' if self.events_before != 1 else ''} before {start} "
                f"{'were' if self.events_before != 1 else 'was'} left out: the import reads {start} to {end}. "
                "Import again with an earlier start to include them."
            )
        if self.events_after:
            notes.append(f"{self.events_after:,} event{'s' if self.events_after != 1 else ''} after {end} left out.")
        if self.area_changed:
            notes.append(f"The calendar's area changed: {self.area_changed:,} occurrences moved with it.")
        return notes

    @property
    def skipped(self) -> tuple[ics.IngestIssue, ...]:
        return tuple(issue for issue in self.issues if issue.kind == "skipped")

    def headline(self) -> str:
        span = f", {self.first_day} to {self.last_day}" if self.first_day else ""
        return (
            f"{self.file_name} -> {self.source_name!r}: {self.occurrences} occurrences of {self.events} events{span}; "
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
            + (f", {len(self.skipped)} skipped" if self.skipped else "")
            + (f" ({self.area_changed} moved to the calendar's new area)" if self.area_changed else "")
        )


def check_size(data: bytes, *, file_name: str, settings: Settings, size: int | None = None) -> None:
    """Refuse a file above max_upload_mb; `size` checks a file by its size before it is read."""
    limit = settings.max_upload_mb * 1024 * 1024
    length = len(data) if size is None else size
    if length > limit:
        raise LimitError(
            f"{file_name}: the file is {length / 1024 / 1024:.1f} MB, above the limit of {settings.max_upload_mb} MB",
            hint="Raise max_upload_mb in the settings, or export a shorter period.",
        )


def import_calendar(
    engine: Engine,
    data: bytes,
    *,
    file_name: str,
    tz: ZoneInfo,
    settings: Settings,
    now: datetime | None = None,
    source_name: str | None = None,
    category: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Callable[[float, str], None] | None = None,
    isolated: bool = False,
    scope: Callable[[ics.ParsedCalendar], store.ReplaceScope | None] | None = None,
    live: Callable[[ics.ParsedCalendar], Mapping[str, Any]] | None = None,
) -> ImportReport:
    """Import one .ics snapshot as (a new version of) one source, in one transaction.

    `progress(fraction, stage)` is called as the import goes, for a progress bar. `isolated`
    reads the file in a worker process with a time and memory limit (`ingest.worker`): front-ends
    use it for files they did not make, so that no file can stall or exhaust their process. A
    live sync (`workflows.live`) passes `scope`, what of the source's present occurrences the new
    data may remove, and `live`, the sync state written in the same transaction.

    A file imported before is not read again when its bytes are the same (only the run is
    recorded), and only its changed events are read when the rest is the same (see
    `_import_tracked`); the result is what reading the whole file gives.
    """
    check_size(data, file_name=file_name, settings=settings)
    if category is not None:
        store.check_area(category, allow_uncategorized=False)
    read = _Read(
        file_name=file_name, tz=tz, settings=settings, now=(now or datetime.now(UTC)).astimezone(UTC),
        since=since, until=until, progress=progress, isolated=isolated, source_name=source_name, category=category,
    )
    if scope is None and live is None:
        return _import_tracked(engine, data, read)
    parsed = read.parse(data)
    return _store_read(
        engine, data, read, parsed,
        scope=scope(parsed) if scope is not None else None, live=live(parsed) if live is not None else None,
    )


@dataclass(frozen=True)
class _Read:
    """How one import reads its file: everything but the bytes."""

    file_name: str
    tz: ZoneInfo
    settings: Settings
    now: datetime
    since: datetime | None
    until: datetime | None
    progress: Callable[[float, str], None] | None
    isolated: bool
    source_name: str | None
    category: str | None

    def parse(
        self, data: bytes, *, window: tuple[datetime, datetime] | None = None, hash_events: bool = False
    ) -> ics.ParsedCalendar:
        since, until = window if window is not None else (self.since, self.until)
        options: dict[str, Any] = {
            "tz": self.tz, "now": self.now, "since": since, "until": until, "hash_events": hash_events,
            "max_occurrences": self.settings.max_occurrences, "history_years": self.settings.history_years,
            "future_years": self.settings.future_years, "max_event_days": self.settings.max_event_days,
        }
        from balance_dash.ingest import ics, worker

        if self.isolated:
            return worker.read_ics_isolated(
                data, file_name=self.file_name, seconds=self.settings.import_seconds,
                memory_mb=self.settings.import_memory_mb, progress=self.progress, **options,
            )
        return ics.read_ics(
            data, file_name=self.file_name, seconds=self.settings.import_seconds, progress=self.progress, **options
        )

    def options_sha256(self) -> str:
        """Everything besides the bytes that the rows of a read depend on."""
        from balance_dash.ingest import ics

        facts = {
            "reader": ics.READER_VERSION, "libraries": _library_versions(), "zone": self.tz.key,
            "since": None if self.since is None else self.since.astimezone(UTC).isoformat(),
            "until": None if self.until is None else self.until.astimezone(UTC).isoformat(),
            "history_years": self.settings.history_years, "future_years": self.settings.future_years,
            "max_occurrences": self.settings.max_occurrences, "max_event_days": self.settings.max_event_days,
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()

    def window_at(self, earliest: datetime | None, now: datetime) -> tuple[datetime, datetime]:
        from balance_dash.ingest import ics

        return ics.choose_window(
            earliest, now, self.since, self.until, self.settings.history_years, self.settings.future_years
        )

    def source_fields(self, name: str, content_sha256: str) -> dict[str, Any]:
        source: dict[str, Any] = {
            "name": name[:200], "kind": "ics", "file_name": self.file_name, "content_sha256": content_sha256,
            "timezone": self.tz.key,
        }
        if self.category is not None:
            source.update(area=self.category, area_forced=True)
        return source

    def done(self) -> None:
        if self.progress is not None:
            self.progress(1.0, "done")


@functools.cache
def _library_versions() -> tuple[str, ...]:
    return tuple(metadata.version(name) for name in ("icalendar", "recurring-ical-events"))


def _store_read(
    engine: Engine,
    data: bytes,
    read: _Read,
    parsed: ics.ParsedCalendar,
    *,
    scope: store.ReplaceScope | None = None,
    live: Mapping[str, Any] | None = None,
    state: Callable[[ImportReport], Mapping[str, Any]] | None = None,
) -> ImportReport:
    """Store a whole read of the file as the source's occurrences; `state` gives the import state to keep."""
    name = (read.source_name or parsed.name or Path(read.file_name).stem)[:200]
    source = read.source_fields(name, hashlib.sha256(data).hexdigest())
    issues = [_issue_fields(issue) for issue in parsed.issues]
    before = _source_named(engine, name)
    stored = _with_cancelled(parsed)
    count_free = bool(before["count_free"]) if before is not None else False
    first, last = _day_span(parsed.frame, read.tz)
    draft = ImportReport(
        file_name=read.file_name, source_name=name, events=parsed.event_count, occurrences=len(parsed.frame),
        cancelled=parsed.cancelled, added=0, updated=0, removed=0, unchanged=0, issues=parsed.issues,
        window=parsed.window, first_day=first, last_day=last,
        not_counted=_not_counted(stored, count_free=count_free, addresses=read.settings.my_addresses),
        events_before=parsed.events_before, events_after=parsed.events_after, my_addresses=read.settings.my_addresses,
        invitations=int((stored["attendees"].fillna("") != "").sum()),
    )
    counts = store.replace_occurrences(
        engine, source=source, frame=stored, report=issues, skipped=sum(i.kind == "skipped" for i in parsed.issues),
        scope=scope, live=live, state=state(draft) if state is not None else None,
    )
    read.done()
    return dataclasses.replace(
        draft, added=counts.added, updated=counts.updated, removed=counts.removed, unchanged=counts.unchanged,
        area_changed=_area_changed(before, source, counts.unchanged + counts.updated),
    )


def _with_cancelled(parsed: ics.ParsedCalendar) -> pd.DataFrame:
    """The rows to store: the occurrences, and the cancelled ones marked as such."""
    if not len(parsed.cancelled_frame):
        return parsed.frame.assign(cancelled=False)
    return pd.concat(
        [parsed.frame.assign(cancelled=False), parsed.cancelled_frame.assign(cancelled=True)], ignore_index=True
    )


def _cancelled_by_uid(parsed: ics.ParsedCalendar) -> dict[str, int]:
    if not len(parsed.cancelled_frame):
        return {}
    return {str(uid): int(count) for uid, count in parsed.cancelled_frame["uid"].value_counts().items()}


def _issue_fields(issue: ics.IngestIssue) -> dict[str, Any]:
    return {"kind": issue.kind, "message": issue.message, "uid": issue.uid, "title": issue.title, "line": issue.line}


def _area_changed(before: Mapping[str, Any] | None, source: Mapping[str, Any], occurrences: int) -> int:
    """How many occurrences moved with the calendar's area (0 when its area stayed)."""
    if before is None:
        return 0
    was = (before["area"], bool(before["area_forced"]))
    now = (source.get("area", before["area"]), bool(source.get("area_forced", before["area_forced"])))
    return occurrences if was != now else 0


# ---------------------------------------------------------------------------------------------
# Re-imports: the same bytes are not read again, and a changed file has only its changed events read
#
# Each file import keeps an ImportState with its source: the bytes' hash, the hash of everything
# else the read depended on, the window and the "now" it was chosen from, the report, and per
# UID the hash of the event's VEVENT blocks (DTSTAMP left out, ingest.ics.split) with what the
# report needs of it. An import finds the state of the source it would write (the name given,
# else a state made from the same file name with the name taken from the file) and then:
#
# - same bytes, same options, and a window within REREAD_AFTER of the stored one: nothing is
#   read; the run is recorded with every occurrence unchanged (the rule a live address follows);
# - same calendar lines and time zones, a clean last read (no issue), other events changed: only
#   the changed and new UIDs are read, over the stored window, and only their occurrences (and
#   the removed UIDs') replaced. Should the changed events bring an issue or move the window, the
#   whole file is read after all;
# - anything else: the whole file is read.

REREAD_AFTER = timedelta(days=7)


def _import_tracked(engine: Engine, data: bytes, read: _Read) -> ImportReport:
    content = hashlib.sha256(data).hexdigest()
    options = read.options_sha256()
    candidates = [state for state in _states_for(engine, read) if _reusable(state, read, options)]
    for state in candidates:
        if state["content_sha256"] == content:
            unchanged = _unchanged(engine, read, state, content)
            if unchanged is not None:
                return unchanged
    parts = _split(data) if candidates else None
    if parts is not None:
        for state in candidates:
            if state["head_sha256"] == parts.head_sha256 and not state["summary"].get("issues"):
                report = _import_changed_events(engine, data, read, state, parts, content)
                if report is not None:
                    return report
    parsed = read.parse(data, hash_events=True)
    return _store_read(
        engine, data, read, parsed,
        state=lambda report: _state_of_whole_read(read, parsed, report, content=content, options=options),
    )


def _states_for(engine: Engine, read: _Read) -> list[dict[str, Any]]:
    """The import states of the sources this import may write."""
    found = []
    for state in store.load_import_states(engine):
        summary = json.loads(state["summary"] or "{}")
        if read.source_name is not None:
            mine = state["name"] == read.source_name[:200]
        else:
            mine = bool(summary.get("derived_name")) and summary.get("file_name") == read.file_name
        if mine:
            found.append({**state, "summary": summary})
    return found


def _reusable(state: Mapping[str, Any], read: _Read, options: str) -> bool:
    """The stored read was made with the same options and its window is (nearly) today's."""
    if state["options_sha256"] != options:
        return False
    earliest = state["summary"].get("earliest")
    window = read.window_at(None if earliest is None else datetime.fromisoformat(earliest), read.now)
    stored = (_aware(state["window_start"]), _aware(state["window_end"]))
    return all(abs(new - old) <= REREAD_AFTER for new, old in zip(window, stored, strict=True))


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _split(data: bytes) -> feed_split.FeedParts | None:
    from balance_dash.ingest.ics import split as feed_split

    try:
        return feed_split.split_feed(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None


def _state_of_whole_read(
    read: _Read,
    parsed: ics.ParsedCalendar,
    report: ImportReport,
    *,
    content: str,
    options: str,
) -> dict[str, Any]:
    """The import state after reading the whole file; without per-event facts when the split
    does not account for every event (the next change is then read whole)."""
    events: dict[str, list[Any]] = {}
    head = None
    parts = parsed.event_hashes
    if parts is not None and not parsed.issues:
        components = parts.counts
        if set(parsed.starts_by_uid) == set(parts.hashes) and sum(components.values()) == parsed.event_count:
            head = parts.head_sha256
            cancelled = _cancelled_by_uid(parsed)
            events = {
                uid: [
                    digest, parsed.starts_by_uid[uid].isoformat(), components[uid],
                    parsed.outside_by_uid.get(uid, ""), int(cancelled.get(uid, 0)),
                ]
                for uid, digest in parts.hashes.items()
            }
    earliest = min(parsed.starts_by_uid.values(), default=None)
    return {
        "content_sha256": content, "options_sha256": options, "read_at": read.now,
        "window_start": parsed.window[0], "window_end": parsed.window[1], "head_sha256": head,
        "events": json.dumps(events), "summary": json.dumps(_summary(read, report, earliest)),
    }


def _summary(read: _Read, report: ImportReport, earliest: datetime | None) -> dict[str, Any]:
    """What an unchanged re-import reports without reading the file (ImportState.summary)."""
    return {
        "name": report.source_name, "derived_name": read.source_name is None, "file_name": read.file_name,
        "events": report.events, "occurrences": report.occurrences, "cancelled": report.cancelled,
        "issues": [_issue_fields(issue) for issue in report.issues],
        "earliest": None if earliest is None else earliest.isoformat(),
        "first_day": None if report.first_day is None else report.first_day.isoformat(),
        "last_day": None if report.last_day is None else report.last_day.isoformat(),
        "not_counted": {reason: list(value) for reason, value in report.not_counted.items()},
        "addresses": list(report.my_addresses), "invitations": report.invitations,
        "events_before": report.events_before, "events_after": report.events_after,
    }


def _report_of(summary: Mapping[str, Any], read: _Read, window: tuple[datetime, datetime]) -> ImportReport:
    from balance_dash.ingest import ics

    return ImportReport(
        file_name=read.file_name, source_name=str(summary["name"]), events=int(summary["events"]),
        occurrences=int(summary["occurrences"]), cancelled=int(summary["cancelled"]), added=0, updated=0, removed=0,
        unchanged=int(summary["occurrences"]), issues=tuple(ics.IngestIssue(**issue) for issue in summary["issues"]),
        window=window,
        first_day=None if summary["first_day"] is None else date.fromisoformat(summary["first_day"]),
        last_day=None if summary["last_day"] is None else date.fromisoformat(summary["last_day"]),
        not_counted={reason: (int(value[0]), float(value[1])) for reason, value in summary["not_counted"].items()},
        events_before=int(summary["events_before"]), events_after=int(summary["events_after"]),
        my_addresses=read.settings.my_addresses, invitations=int(summary["invitations"]),
    )


def _unchanged(engine: Engine, read: _Read, state: Mapping[str, Any], content: str) -> ImportReport | None:
    """The file is what the source holds already: record the run, read nothing (None: another
    import of the calendar wrote meanwhile, so the file must be read after all)."""
    summary = state["summary"]
    name = str(state["name"])
    before = _source_named(engine, name)
    source = read.source_fields(name, content)
    report = _report_of(summary, read, (_aware(state["window_start"]), _aware(state["window_end"])))
    if before is not None and (
        bool(before["count_free"]) != bool(state["count_free"]) or tuple(summary["addresses"]) != read.settings.my_addresses
    ):
        report = dataclasses.replace(report, not_counted=_stored_not_counted(engine, int(state["source_id"]), read))
    try:
        store.record_unchanged_import(
            engine, source=source, unchanged=report.occurrences, report=summary["issues"],
            skipped=sum(issue["kind"] == "skipped" for issue in summary["issues"]),
            state={"content_sha256": content} if content != state["content_sha256"] else None,
            state_replaces=state["content_sha256"],
        )
    except StaleImportStateError:
        return None
    read.done()
    return dataclasses.replace(report, area_changed=_area_changed(before, source, report.occurrences))


def _stored_rows(engine: Engine, source_id: int) -> pd.DataFrame:
    return store.load_occurrences(engine, source_ids=[source_id], with_description=False, with_cancelled=True)


def _stored_not_counted(engine: Engine, source_id: int, read: _Read) -> dict[str, tuple[int, float]]:
    rows = _stored_rows(engine, source_id)
    count_free = bool(rows["count_free"].iloc[0]) if len(rows) else False
    return _not_counted(rows, count_free=count_free, addresses=read.settings.my_addresses)


def _import_changed_events(
    engine: Engine,
    data: bytes,
    read: _Read,
    state: Mapping[str, Any],
    parts: feed_split.FeedParts,
    content: str,
) -> ImportReport | None:
    """Read and replace only the events whose text changed; None when the whole file must be read."""
    from balance_dash.ingest.ics import split as feed_split

    source_id = int(state["source_id"])
    old: dict[str, list[Any]] = json.loads(store.load_import_events(engine, source_id))
    if not old:
        return None
    changed = [uid for uid, digest in parts.hashes.items() if old.get(uid, [None])[0] != digest]
    gone = frozenset(old) - frozenset(parts.hashes)
    if not changed and not gone:  # only what no occurrence depends on changed (DTSTAMP)
        return _unchanged(engine, read, state, content)
    window = (_aware(state["window_start"]), _aware(state["window_end"]))
    parsed = read.parse(feed_split.partial_calendar(parts, changed), window=window)
    if parsed.issues or set(parsed.starts_by_uid) != set(changed):
        return None  # an issue's line or a skipped event needs the whole file to be reported right
    kept = {uid: facts for uid, facts in old.items() if uid in parts.hashes and uid not in set(changed)}
    starts = [datetime.fromisoformat(facts[1]) for facts in kept.values()] + list(parsed.starts_by_uid.values())
    earliest = min(starts, default=None)
    if read.window_at(earliest, _aware(state["read_at"])) != window:
        return None  # the changed events move the window: every series must be expanded over the new one
    cancelled = _cancelled_by_uid(parsed)
    events = {
        **kept,
        **{
            uid: [
                parts.hashes[uid], parsed.starts_by_uid[uid].isoformat(),
                parts.counts[uid], parsed.outside_by_uid.get(uid, ""),
                int(cancelled.get(uid, 0)),
            ]
            for uid in changed
        },
    }
    if sum(parts.counts[uid] for uid in changed) != parsed.event_count:
        return None
    name = str(state["name"])
    before = _source_named(engine, name)
    source = read.source_fields(name, content)
    stored = _with_cancelled(parsed)
    touched = frozenset(changed) | gone
    others = _stored_rows(engine, source_id)
    whole = pd.concat([others[~others["uid"].isin(touched)], stored], ignore_index=True)
    live_rows = whole[~whole["cancelled"].astype(bool)]
    first, last = _day_span(live_rows, read.tz)
    count_free = bool(before["count_free"]) if before is not None else False
    report = ImportReport(
        file_name=read.file_name, source_name=name, events=sum(int(facts[2]) for facts in events.values()),
        occurrences=len(live_rows), cancelled=sum(int(facts[4]) for facts in events.values()),
        added=0, updated=0, removed=0, unchanged=0, issues=(), window=window, first_day=first, last_day=last,
        not_counted=_not_counted(whole, count_free=count_free, addresses=read.settings.my_addresses),
        events_before=sum(facts[3] == "before" for facts in events.values()),
        events_after=sum(facts[3] == "after" for facts in events.values()),
        my_addresses=read.settings.my_addresses, invitations=int((whole["attendees"].fillna("") != "").sum()),
    )
    new_state = {
        "content_sha256": content, "options_sha256": state["options_sha256"], "read_at": _aware(state["read_at"]),
        "window_start": window[0], "window_end": window[1], "head_sha256": parts.head_sha256,
        "events": json.dumps(events), "summary": json.dumps(_summary(read, report, earliest)),
    }
    try:
        counts = store.replace_occurrences(
            engine, source=source, frame=stored, scope=store.ReplaceScope(uids=touched), state=new_state,
            state_replaces=state["content_sha256"],
        )
    except StaleImportStateError:
        return None
    read.done()
    return dataclasses.replace(
        report, added=counts.added, updated=counts.updated, removed=counts.removed,
        unchanged=max(report.occurrences - counts.added - counts.updated, 0),
        area_changed=_area_changed(before, source, report.occurrences),
    )


def _source_named(engine: Engine, name: str) -> dict[str, Any] | None:
    sources = store.load_sources(engine)
    found = sources[sources["name"] == name]
    return None if found.empty else dict(found.iloc[0])


def _not_counted(frame: pd.DataFrame, *, count_free: bool, addresses: tuple[str, ...]) -> dict[str, tuple[int, float]]:
    """Per reason, how many occurrences of the file count no hours, and their hours (each on its own)."""
    decided = attendance.assign_attendance(frame.assign(count_free=count_free), addresses)
    hours = ((decided["end_utc"] - decided["start_utc"]).dt.total_seconds() / 3600).fillna(0.0)
    result = {}
    for reason in attendance.NOT_COUNTED_REASONS:
        chosen = decided["not_counted"] == reason
        result[reason] = (int(chosen.sum()), round(float(hours[chosen].sum()), 2))
    return result


def _day_span(frame: pd.DataFrame, tz: ZoneInfo) -> tuple[date | None, date | None]:
    if frame.empty:
        return None, None
    starts = pd.concat([frame["start_utc"].dt.tz_convert(tz).dt.tz_localize(None), frame["day_start"]]).dropna()
    ends = pd.concat([frame["end_utc"].dt.tz_convert(tz).dt.tz_localize(None), frame["day_end"] - pd.Timedelta(days=1)]).dropna()
    if starts.empty:
        return None, None
    return starts.min().date(), ends.max().date()


def load_sample(engine: Engine, *, tz: ZoneInfo, settings: Settings, now: datetime | None = None) -> ImportReport:
    """Import the sample calendar shipped in data/ (idempotent)."""
    return import_calendar(
        engine,
        SAMPLE_CALENDAR.read_bytes(),
        file_name=SAMPLE_CALENDAR.name,
        tz=tz,
        settings=settings,
        now=now,
        source_name=SAMPLE_SOURCE_NAME,
    )


def set_source_area(
    engine: Engine, source_id: int, *, area: str | None, forced: bool, count_free: bool | None = None
) -> None:
    """Give a calendar an area: `forced` for every event, else only where no rule places one.

    `count_free` (when given) says whether its timed events shown as free count as hours.
    """
    if area is not None:
        store.check_area(area, allow_uncategorized=False)
    fields: dict[str, Any] = {"area": area, "area_forced": forced and area is not None}
    if count_free is not None:
        fields["count_free"] = count_free
    store.update_source(engine, source_id, **fields)
