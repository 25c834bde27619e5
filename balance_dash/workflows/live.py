"""Live calendars: subscribe to an address, connect a CalDAV account, sync, list and remove.

Each live source is an ordinary calendar source whose snapshot a sync replaces through the
same import path as an uploaded file (`calendars.import_calendar`), so expansion and
categorisation are identical. What differs is what a sync may remove (docs/live-sources.md):

- a calendar address is a whole-file snapshot that may cover only a window: occurrences of
  events it still holds, and every occurrence from its earliest one-off event on, are replaced;
  older weeks keep their hours;
- a CalDAV calendar is the calendar itself: a changed object replaces that event's
  occurrences, a deleted object removes them, and nothing else is read or written.

A failed sync writes only the source's status (time and error), never its occurrences.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import store
from balance_dash.errors import BalanceDashError, InvalidValueError, SyncError
from balance_dash.ingest import ics
from balance_dash.ingest.ics.common import shift_years
from balance_dash.live import addresses, caldav_account, feed, feed_split, secrets
from balance_dash.models import LiveSource
from balance_dash.settings import Settings
from balance_dash.workflows.calendars import import_calendar

# Recurring events are expanded up to `future_years` ahead; a sync that finds the expansion
# more than this far behind re-expands everything, so endless series keep reaching ahead.
HORIZON_SLACK = timedelta(days=7)
_CALNAME = re.compile(rb"^X-WR-CALNAME(?:;[^:\r\n]*)?:(.*?)\r?$", re.MULTILINE | re.IGNORECASE)
KEYRING_NOTE = (
    "No system keyring is available here, so the address or password is kept in the database "
    "(backups leave it out unless you ask)."
)


@dataclass(frozen=True)
class SyncReport:
    """What one sync of one live source did, for both front-ends."""

    source_name: str
    kind: str  # address | caldav
    shown: str  # the masked address or user@host
    status: str  # synced | unchanged | failed
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def headline(self) -> str:
        if self.status == "failed":
            return f"{self.error}"
        if self.status == "unchanged":
            return f"{self.source_name} ({self.shown}): unchanged"
        return (
            f"{self.source_name} ({self.shown}): {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _max_bytes(settings: Settings) -> int:
    return settings.max_upload_mb * 1024 * 1024


def _horizon_fresh(live: LiveSource, now: datetime, settings: Settings) -> bool:
    if live.expanded_until is None:
        return False
    until = live.expanded_until if live.expanded_until.tzinfo else live.expanded_until.replace(tzinfo=UTC)
    return until >= shift_years(now, settings.future_years) - HORIZON_SLACK


def _changes(counts: Mapping[str, int]) -> str:
    return json.dumps({key: int(counts.get(key, 0)) for key in ("added", "updated", "removed", "unchanged")})


def _check_new_name(engine: Engine, name: str) -> None:
    if name in set(store.load_sources(engine)["name"].astype(str)):
        raise InvalidValueError(
            f"there is already a calendar named {name!r}",
            hint="Choose another name (--calendar NAME), or remove the other one first.",
        )


# ---------------------------------------------------------------------------------------------
# Calendar addresses


def feed_scope(parsed: ics.ParsedCalendar) -> store.ReplaceScope:
    """What a feed's new snapshot may remove: its events' occurrences, and every day from its first one-off.

    Published feeds drop old events (Outlook's keeps about a month), but keep recurring series
    whole: so the earliest *one-off* event (an identity with a single occurrence) marks where the
    feed's coverage starts. Before it, only the occurrences of events still in the feed change.
    """
    frame = parsed.frame
    window_start, window_end = parsed.window
    if frame.empty:
        return store.ReplaceScope(uids=frozenset(), since_utc=window_end, window_start_utc=window_start)
    per_uid = frame.groupby("uid", sort=False)["uid"].transform("size")
    single = frame[per_uid == 1]
    starts = pd.concat(
        [single["start_utc"].dropna(), pd.to_datetime(single["day_start"].dropna()).dt.tz_localize(UTC)]
    )
    since = starts.min().to_pydatetime() if not starts.empty else window_end
    return store.ReplaceScope(uids=frozenset(frame["uid"].astype(str)), since_utc=since, window_start_utc=window_start)


def subscribe(
    engine: Engine,
    address: str,
    *,
    tz: ZoneInfo,
    settings: Settings,
    calendar: str | None = None,
    category: str | None = None,
    now: datetime | None = None,
) -> SyncReport:
    """Add a calendar address as a source and sync it once; nothing is kept when that first sync fails."""
    url = addresses.normalise(address)
    shown = addresses.mask(url)
    if category is not None:
        store.check_area(category, allow_uncategorized=False)
    label = calendar or shown
    started = time.perf_counter()
    response = feed.fetch(
        url, label=label, etag=None, last_modified=None, max_bytes=_max_bytes(settings),
        read_timeout_s=settings.sync_timeout_seconds,
    )
    assert response.body is not None  # no conditional headers were sent
    name = (calendar or _calendar_name(response.body) or shown)[:200]
    _check_new_name(engine, name)
    kept = secrets.keep(url)
    moment = _now(now)
    try:
        report = import_calendar(
            engine, response.body, file_name=shown, tz=tz, settings=settings, now=moment,
            source_name=name, category=category,
            live=lambda parsed: {
                "kind": "address", "masked": shown, "secret_ref": kept.ref, "secret_in_keyring": kept.in_keyring,
                "secret": kept.in_database, "etag": response.etag, "last_modified": response.last_modified,
                "content_sha256": hashlib.sha256(response.body or b"").hexdigest(),
                "expanded_until": parsed.window[1], "last_sync_at": moment, "last_attempt_at": moment,
                "last_error": None, "last_change": _changes(_added_only(parsed)),
                "objects": json.dumps(_feed_events_state(_split(response.body or b""), parsed)),
            },
        )
    except BaseException:
        secrets.forget(kept.ref, in_keyring=kept.in_keyring)
        raise
    return SyncReport(
        source_name=name, kind="address", shown=shown, status="synced", added=report.added, updated=report.updated,
        removed=report.removed, unchanged=report.unchanged, seconds=time.perf_counter() - started,
        notes=() if kept.in_keyring else (KEYRING_NOTE,),
    )


def _added_only(parsed: ics.ParsedCalendar) -> dict[str, int]:
    return {"added": len(parsed.frame)}


def _calendar_name(body: bytes) -> str | None:
    found = _CALNAME.search(body[:65_536])
    if not found:
        return None
    try:
        return found.group(1).decode("utf-8").strip().replace("\\,", ",") or None
    except UnicodeDecodeError:
        return None


def _sync_address(
    engine: Engine, live: LiveSource, name: str, *, tz: ZoneInfo, settings: Settings, now: datetime
) -> SyncReport:
    url = _secret(live, name)
    shown = live.masked
    fresh = _horizon_fresh(live, now, settings)
    fetch = functools.partial(
        feed.fetch, url, label=name, max_bytes=_max_bytes(settings), read_timeout_s=settings.sync_timeout_seconds
    )
    response = fetch(etag=live.etag, last_modified=live.last_modified)
    if response.body is None and not fresh:  # 304, but the series must reach further ahead: read it again
        response = fetch(etag=None, last_modified=None)
    digest = hashlib.sha256(response.body).hexdigest() if response.body is not None else live.content_sha256
    state = {"etag": response.etag, "last_modified": response.last_modified, "content_sha256": digest}
    if fresh and (response.body is None or digest == live.content_sha256):
        _record_unchanged(engine, live, now, state)
        return SyncReport(source_name=name, kind="address", shown=shown, status="unchanged")
    assert response.body is not None
    parts = _split(response.body)
    if fresh and parts is not None:
        try:
            changed = _sync_address_events(engine, live, name, parts, tz=tz, settings=settings, now=now, state=state)
        except _FullReadNeeded:
            changed = None
        if changed is not None:
            return changed
    report = import_calendar(
        engine, response.body, file_name=shown, tz=tz, settings=settings, now=now, source_name=name,
        scope=feed_scope,
        live=lambda parsed: {
            **state, "expanded_until": parsed.window[1], "last_sync_at": now, "last_attempt_at": now, "last_error": None,
            "objects": json.dumps(_feed_events_state(parts, parsed)),
        },
    )
    return _synced(engine, live, name, "address", shown, report)


# A feed's per-event state, kept in LiveSource.objects as JSON:
# {"head": sha256 of its calendar properties and VTIMEZONEs,
#  "events": {uid: [sha256 of the event's lines, start of its one occurrence or null, earliest start or null]}}


class _FullReadNeeded(Exception):
    """The changed events cannot be read apart from the others: read the whole file."""


def _split(body: bytes) -> feed_split.FeedParts | None:
    try:
        return feed_split.split_feed(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None


def _iso(moment: Any) -> str | None:
    """An instant as UTC ISO text (texts of one form sort as their instants do)."""
    if moment is None or pd.isna(moment):
        return None
    stamp = pd.Timestamp(moment)
    return (stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)).isoformat()


def _event_facts(parsed: ics.ParsedCalendar) -> dict[str, tuple[str | None, str | None]]:
    """Per UID of the parsed file: the start of its single occurrence (if it has one) and its earliest start."""
    frame = parsed.frame
    starts = frame["start_utc"].fillna(pd.to_datetime(frame["day_start"]).dt.tz_localize(UTC))
    counts = frame.groupby("uid", sort=False)["uid"].size()
    single = starts[frame["uid"].map(counts).eq(1)].groupby(frame["uid"]).min()
    return {
        str(uid): (_iso(single.get(uid)), _iso(earliest)) for uid, earliest in parsed.starts_by_uid.items()
    }


def _feed_events_state(parts: feed_split.FeedParts | None, parsed: ics.ParsedCalendar) -> dict[str, Any]:
    """The per-event state after reading the whole feed; empty (read it whole next time) when the split failed."""
    if parts is None or not set(parsed.starts_by_uid) <= set(parts.groups):
        return {}
    facts = _event_facts(parsed)
    events = {uid: [digest, *facts.get(uid, (None, None))] for uid, digest in parts.hashes.items()}
    return {"head": parts.head_sha256, "events": events}


def _sync_address_events(
    engine: Engine,
    live: LiveSource,
    name: str,
    parts: feed_split.FeedParts,
    *,
    tz: ZoneInfo,
    settings: Settings,
    now: datetime,
    state: Mapping[str, Any],
) -> SyncReport | None:
    """Re-read only the feed's changed, new and removed events; None when the whole file must be read.

    The result is the whole-file sync's (`feed_scope`): the window starts at the feed's earliest
    event, and the one-off boundary is the earliest single occurrence, both over every event,
    with the unchanged events' facts taken from the last sync.
    """
    previous = json.loads(live.objects or "{}")
    if previous.get("head") != parts.head_sha256 or not isinstance(previous.get("events"), dict):
        return None
    old: dict[str, list[str | None]] = previous["events"]
    changed = [uid for uid, digest in parts.hashes.items() if old.get(uid, [None])[0] != digest]
    gone = frozenset(old) - frozenset(parts.hashes)
    if not changed and not gone:  # only what no occurrence depends on changed (DTSTAMP)
        _record_unchanged(engine, live, now, state)
        return SyncReport(source_name=name, kind="address", shown=live.masked, status="unchanged")
    kept = {uid: facts for uid, facts in old.items() if uid in parts.hashes and uid not in set(changed)}

    def earliest(values: Any) -> pd.Timestamp | None:
        # All are UTC ISO texts (`_iso`), which sort as the instants do.
        found = min((value for value in values if value is not None), default=None)
        return None if found is None else pd.Timestamp(found)

    # Where the last sync's one-off span began (its window's end when it had no one-off event).
    previous_since = earliest(facts[1] for facts in old.values())
    if previous_since is None and live.expanded_until is not None:
        until = live.expanded_until
        previous_since = pd.Timestamp(until if until.tzinfo else until.replace(tzinfo=UTC))
    floor = shift_years(now, -settings.history_years)
    result: dict[str, Any] = {}

    def scope(parsed: ics.ParsedCalendar) -> store.ReplaceScope:
        if not set(parsed.starts_by_uid) <= set(changed):
            raise _FullReadNeeded
        facts = _event_facts(parsed)
        start = earliest([*(entry[2] for entry in kept.values()), *(entry[1] for entry in facts.values())])
        window_start = max(start, pd.Timestamp(floor)) if start is not None else pd.Timestamp(floor)
        since = earliest([*(entry[1] for entry in kept.values()), *(entry[0] for entry in facts.values())])
        since = since if since is not None else pd.Timestamp(parsed.window[1])
        frame_starts = parsed.frame["start_utc"].fillna(pd.to_datetime(parsed.frame["day_start"]).dt.tz_localize(UTC))
        if previous_since is None or since < previous_since or bool((frame_starts < window_start).any()):
            raise _FullReadNeeded  # older events may now be in the feed's span, or the window moved
        in_frame = frozenset(parsed.frame["uid"].astype(str))
        result["events"] = {
            **kept, **{uid: [parts.hashes[uid], *facts.get(uid, (None, None))] for uid in changed}
        }
        return store.ReplaceScope(
            uids=in_frame, since_utc=since.to_pydatetime(), window_start_utc=window_start.to_pydatetime(),
            gone_uids=(frozenset(changed) - in_frame) | gone,
        )

    report = import_calendar(
        engine, feed_split.partial_calendar(parts, changed), file_name=live.masked, tz=tz, settings=settings,
        now=now, source_name=name, since=floor, scope=scope,
        live=lambda _parsed: {
            **state, "last_sync_at": now, "last_attempt_at": now, "last_error": None,
            "objects": json.dumps({"head": parts.head_sha256, "events": result["events"]}),
        },
    )
    # Every occurrence the sync did not add or change stayed as it was (the unchanged events' too).
    sources = store.load_sources(engine)
    total = int(sources.loc[sources["id"] == live.source_id, "occurrences"].sum())
    counts = {"added": report.added, "updated": report.updated, "removed": report.removed,
              "unchanged": max(total - report.added - report.updated, 0)}
    return _synced(engine, live, name, "address", live.masked, SimpleNamespace(**counts))


def _synced(engine: Engine, live: LiveSource, name: str, kind: str, shown: str, report: Any) -> SyncReport:
    counts = {"added": report.added, "updated": report.updated, "removed": report.removed, "unchanged": report.unchanged}
    store.save_live_state(engine, live.source_id, last_change=_changes(counts))
    return SyncReport(source_name=name, kind=kind, shown=shown, status="synced", **counts)


def _record_unchanged(engine: Engine, live: LiveSource, now: datetime, state: Mapping[str, Any]) -> None:
    store.save_live_state(
        engine, live.source_id, **state, last_sync_at=now, last_attempt_at=now, last_error=None,
        last_change=_changes({}),
    )


def _secret(live: LiveSource, name: str) -> str:
    value = secrets.read(live.secret_ref, in_keyring=live.secret_in_keyring, in_database=live.secret)
    if not value:
        what = "address" if live.kind == "address" else "password"
        again = (
            "Subscribe to the address again under the same name after removing this one."
            if live.kind == "address"
            else "Connect the account again (balance-dash caldav add) after removing this one."
        )
        raise SyncError(
            f"its {what} is not on this machine (a restored backup leaves it out, or the keyring entry was removed); "
            "nothing was changed",
            source=name, hint=again,
        )
    return value


# ---------------------------------------------------------------------------------------------
# CalDAV accounts


def discover_calendars(
    server: str, *, username: str, password: str, settings: Settings
) -> list[caldav_account.FoundCalendar]:
    """The calendars of a CalDAV account, to choose from."""
    _check_server(server)
    label = addresses.server_label(server, username)
    return caldav_account.discover(server, username, password, label=label, timeout=settings.sync_timeout_seconds)


def _check_server(server: str) -> None:
    addresses.normalise(server)  # the same schemes as an address; raises a clear message


def connect_caldav(
    engine: Engine,
    server: str,
    *,
    username: str,
    password: str,
    tz: ZoneInfo,
    settings: Settings,
    calendars: Sequence[str] | None = None,
    category: str | None = None,
    now: datetime | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[list[caldav_account.FoundCalendar], list[SyncReport]]:
    """Find the account's calendars, add the chosen ones (default: all) as sources and sync each once.

    Returns every calendar found and a report per calendar added. A calendar whose first sync
    fails is not kept.
    """
    if not password:
        raise InvalidValueError("the CalDAV password is empty", hint="Give it with --password-env VAR or --password-stdin.")
    if category is not None:
        store.check_area(category, allow_uncategorized=False)
    found = discover_calendars(server, username=username, password=password, settings=settings)
    chosen = found
    if calendars:
        by_name = {calendar.name.casefold(): calendar for calendar in found}
        missing = [name for name in calendars if name.casefold() not in by_name]
        if missing:
            raise InvalidValueError(
                f"{addresses.server_label(server, username)} has no calendar named {', '.join(map(repr, missing))}",
                hint=f"Its calendars: {', '.join(calendar.name for calendar in found)}.",
            )
        chosen = [by_name[name.casefold()] for name in calendars]
    for calendar in chosen:
        _check_new_name(engine, calendar.name[:200])
    shown = addresses.server_label(server, username)
    reports = []
    for index, calendar in enumerate(chosen):
        if progress is not None:
            progress(index / len(chosen), calendar.name)
        kept = secrets.keep(password)
        name = calendar.name[:200]
        live = LiveSource(
            source_id=0, kind="caldav", masked=shown, secret_ref=kept.ref, secret_in_keyring=kept.in_keyring,
            secret=kept.in_database, server_url=server, username=username, calendar_url=calendar.url,
        )
        try:
            report = _sync_caldav(
                engine, live, name, tz=tz, settings=settings, now=_now(now), password=password, category=category
            )
        except BaseException:
            secrets.forget(kept.ref, in_keyring=kept.in_keyring)
            raise
        reports.append(
            SyncReport(**{**report.__dict__, "notes": () if kept.in_keyring else (KEYRING_NOTE,)})
        )
    if progress is not None:
        progress(1.0, "done")
    return found, reports


def _sync_caldav(
    engine: Engine,
    live: LiveSource,
    name: str,
    *,
    tz: ZoneInfo,
    settings: Settings,
    now: datetime,
    password: str | None = None,
    category: str | None = None,
) -> SyncReport:
    """One CalDAV calendar: only the changed objects are fetched, expanded and replaced."""
    secret = password or _secret(live, name)
    known: dict[str, list[Any]] = json.loads(live.objects or "{}")
    first = live.id is None
    everything = first or live.sync_token is None or not _horizon_fresh(live, now, settings)
    changes = caldav_account.fetch_changes(
        str(live.server_url), str(live.username), secret, str(live.calendar_url), label=name,
        sync_token=live.sync_token, ctag=live.ctag, known={href: str(entry[0]) for href, entry in known.items()},
        everything=everything, timeout=settings.sync_timeout_seconds,
    )
    state = {"sync_token": changes.sync_token, "ctag": changes.ctag}
    if changes.unchanged or (not first and not changes.fetched and not changes.deleted and not changes.complete):
        _record_unchanged(engine, live, now, state)
        return SyncReport(source_name=name, kind="caldav", shown=live.masked, status="unchanged")
    objects = {} if changes.complete else {href: entry for href, entry in known.items() if href not in changes.deleted}
    touched: set[str] = set()
    for href in (*changes.fetched, *changes.deleted):
        touched.update(known.get(href, ("", []))[1])
    for href, (etag, text) in changes.fetched.items():
        uids = caldav_account.object_uids(text)
        objects[href] = [etag, uids]
        touched.update(uids)
    data = caldav_account.combine(text for _etag, text in changes.fetched.values())
    scope = None if changes.complete else store.ReplaceScope(uids=frozenset(touched))
    live_fields = {
        "kind": "caldav", "masked": live.masked, "secret_ref": live.secret_ref,
        "secret_in_keyring": live.secret_in_keyring, "secret": live.secret, "server_url": live.server_url,
        "username": live.username, "calendar_url": live.calendar_url, **state, "objects": json.dumps(objects),
        "last_sync_at": now, "last_attempt_at": now, "last_error": None,
    }
    report = import_calendar(
        engine, data, file_name=live.masked, tz=tz, settings=settings, now=now, source_name=name, category=category,
        scope=lambda _parsed: scope,
        live=lambda parsed: {
            **live_fields, "expanded_until": parsed.window[1] if changes.complete else live.expanded_until,
        },
    )
    saved = store.load_live_source(engine, report_source_id(engine, name))
    assert saved is not None
    return _synced(engine, saved, name, "caldav", live.masked, report)


def report_source_id(engine: Engine, name: str) -> int:
    sources = store.load_sources(engine)
    match = sources.loc[sources["name"] == name, "id"]
    if match.empty:
        raise InvalidValueError(f"there is no calendar named {name!r}", hint="See them with: balance-dash sources.")
    return int(match.iloc[0])


# ---------------------------------------------------------------------------------------------
# Syncing, listing, removing


def sync(
    engine: Engine,
    *,
    tz: ZoneInfo,
    settings: Settings,
    names: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> list[SyncReport]:
    """Sync every live source (or those named); a failure is reported and recorded, the others go on."""
    listed = store.load_live_sources(engine)
    if names:
        unknown = [name for name in names if name not in set(listed["name"].astype(str))]
        if unknown:
            raise InvalidValueError(
                f"no calendar address or CalDAV calendar named {', '.join(map(repr, unknown))}",
                hint="See them with: balance-dash sources.",
            )
        listed = listed[listed["name"].isin(list(names))]
    reports = []
    rows = listed.to_dict("records")
    for index, row in enumerate(rows):
        name = str(row["name"])
        if progress is not None:
            progress(index / max(len(rows), 1), name)
        reports.append(sync_one(engine, int(row["source_id"]), name=name, tz=tz, settings=settings, now=now))
    if progress is not None:
        progress(1.0, "done")
    return reports


def sync_one(
    engine: Engine, source_id: int, *, name: str, tz: ZoneInfo, settings: Settings, now: datetime | None = None
) -> SyncReport:
    """Sync one live source; a BalanceDashError becomes a failed report and the source's last error."""
    live = store.load_live_source(engine, source_id)
    if live is None:
        raise InvalidValueError(f"{name!r} is not a calendar address or CalDAV calendar")
    moment = _now(now)
    started = time.perf_counter()
    try:
        if live.kind == "caldav":
            report = _sync_caldav(engine, live, name, tz=tz, settings=settings, now=moment)
        else:
            report = _sync_address(engine, live, name, tz=tz, settings=settings, now=moment)
    except BalanceDashError as error:
        message = str(error) if str(error).startswith(f"{name}:") else f"{name}: {error}"
        store.save_live_state(engine, source_id, last_attempt_at=moment, last_error=message[:1000])
        return SyncReport(
            source_name=name, kind=live.kind, shown=live.masked, status="failed", error=message,
            seconds=time.perf_counter() - started,
        )
    return SyncReport(**{**report.__dict__, "seconds": time.perf_counter() - started})


def sync_due(engine: Engine, *, settings: Settings, now: datetime | None = None) -> bool:
    """True when some live source's last sync attempt is older than `sync_every_minutes`."""
    if settings.sync_every_minutes <= 0:
        return False
    listed = store.load_live_sources(engine)
    if listed.empty:
        return False
    attempts = pd.to_datetime(listed["last_attempt_at"], utc=True, format="mixed")
    limit = pd.Timestamp(_now(now) - timedelta(minutes=settings.sync_every_minutes))
    return bool((attempts.isna() | (attempts < limit)).any())


def sources(engine: Engine) -> pd.DataFrame:
    """Every source with its kind, area, last sync, status and masked address, for both front-ends.

    Columns: name, kind (file, address, caldav, manual, csv), area, occurrences, last_sync (aware
    UTC), status, shown (masked address, user@host or file name), changes (last sync's counts).
    """
    all_sources = store.load_sources(engine)
    live = store.load_live_sources(engine).set_index("source_id") if not all_sources.empty else pd.DataFrame()
    rows = []
    for source in all_sources.to_dict("records"):
        entry = live.loc[source["id"]] if source["id"] in live.index else None
        area = source["area"] or "(rules)"
        base = {"id": int(source["id"]), "name": source["name"], "area": area, "occurrences": int(source["occurrences"])}
        if entry is None:
            kind = "file" if source["kind"] == "ics" else str(source["kind"])
            rows.append({**base, "kind": kind, "last_sync": _aware(source["imported_at"]),
                         "status": "imported", "shown": source["file_name"] or "", "changes": ""})
            continue
        status = "failed" if entry["last_error"] else ("synced" if entry["last_sync_at"] is not None else "never synced")
        counts = json.loads(entry["last_change"] or "{}")
        changes = ", ".join(f"{value} {key}" for key, value in counts.items() if value) if counts else ""
        rows.append({**base, "kind": str(entry["kind"]), "last_sync": _aware(entry["last_sync_at"]), "status": status,
                     "shown": entry["masked"], "changes": changes or ("no change" if counts else ""),
                     "error": entry["last_error"]})
    columns = ["id", "name", "kind", "area", "occurrences", "last_sync", "status", "shown", "changes", "error"]
    return pd.DataFrame(rows, columns=columns)


def _aware(value: Any) -> datetime | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)).to_pydatetime()


def remove_source(engine: Engine, name: str) -> None:
    """Remove a calendar (any kind) with its events, and its address or password from the keyring."""
    source_id = report_source_id(engine, name)
    live = store.load_live_source(engine, source_id)
    store.delete_source(engine, source_id)
    if live is not None:
        secrets.forget(live.secret_ref, in_keyring=live.secret_in_keyring)
