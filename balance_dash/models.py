"""SQLModel tables. The schema itself is created and changed by the alembic migrations only.

Timed occurrences are absolute instants (aware UTC, `start_utc`/`end_utc`); all-day occurrences
are calendar days (`day_start` inclusive, `day_end` exclusive) and add no hours. The area of a
calendar occurrence is not stored: it is derived from rules, placements and the source at read
time, so changing a rule re-categorises all history at once. Manual log entries carry their
area in `area`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

AREAS: tuple[str, ...] = ("work", "family", "personal", "rest")
UNCATEGORIZED = "uncategorized"
RULE_FIELDS: tuple[str, ...] = ("title", "location", "description", "calendar")
SERIES = "*"  # Placement.recurrence_key for "the whole series"
LOG_KINDS: tuple[str, ...] = ("manual", "csv")  # Source.kind of time logs, as against calendars ("ics")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Source(SQLModel, table=True):
    """One calendar (an .ics snapshot) or one stream of manual entries."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    kind: str = Field(default="ics", max_length=16)  # ics | manual | csv
    area: str | None = Field(default=None, max_length=32)
    # True: `area` applies to every event of the source (`import --category`); False: only to
    # events no rule places (a default area).
    area_forced: bool = False
    file_name: str | None = Field(default=None, max_length=400)
    content_sha256: str | None = Field(default=None, max_length=64)
    timezone: str | None = Field(default=None, max_length=64)  # the zone floating times were read in
    # Timed events shown as free (TRANSP:TRANSPARENT, Outlook's FREE) count as hours only when
    # this is True: personal calendars often mark the gym or lunch "free".
    count_free: bool = False
    imported_at: datetime = Field(default_factory=utc_now)


class Occurrence(SQLModel, table=True):
    """One expanded instance of a calendar event, or one manual entry."""

    __table_args__ = (
        UniqueConstraint("source_id", "uid", "recurrence_key", name="uq_occurrence_identity"),
        Index("ix_occurrence_start", "start_utc"),
        Index("ix_occurrence_day_start", "day_start"),
        # A period's read asks for what ends after its start (migration 0007).
        Index("ix_occurrence_end", "end_utc"),
        Index("ix_occurrence_day_end", "day_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True, ondelete="CASCADE")
    uid: str = Field(max_length=400)
    # Identity of the instance within its series: the UTC ISO instant (or date) of its
    # RECURRENCE-ID, or "" for a single event.
    recurrence_key: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=500)
    location: str = Field(default="", max_length=500)
    description: str = Field(default="", max_length=2000)
    all_day: bool = False
    start_utc: datetime | None = None
    end_utc: datetime | None = None
    day_start: date | None = None
    day_end: date | None = None
    area: str | None = Field(default=None, max_length=32)  # manual entries only
    # Availability and attendance, as the calendar says them (see `attendance`): the event is
    # shown as free (TRANSP:TRANSPARENT); Outlook's busy status (free, tentative, busy, oof,
    # elsewhere; "" when absent); the organizer's address; the attendees as "PARTSTAT:address"
    # tokens separated by spaces. Who the user is is a setting, decided at read time.
    transparent: bool = False
    busy_status: str = Field(default="", max_length=16)
    organizer: str = Field(default="", max_length=320)
    attendees: str = Field(default="")
    # STATUS:CANCELLED: kept so a week can say what it left out, never counted as hours.
    cancelled: bool = False
    # A hash of the fields above, so that re-import can tell "unchanged" from "updated".
    fingerprint: str = Field(default="", max_length=32)


class Placement(SQLModel, table=True):
    """A user's own choice of area for one occurrence or a whole series; beats the rules."""

    __table_args__ = (UniqueConstraint("source_id", "uid", "recurrence_key", name="uq_placement"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True, ondelete="CASCADE")
    uid: str = Field(max_length=400)
    recurrence_key: str = Field(default=SERIES, max_length=64)
    area: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utc_now)


class Rule(SQLModel, table=True):
    """Pattern on a field giving an area; lower `position` is tried first."""

    id: int | None = Field(default=None, primary_key=True)
    position: int = 0
    field: str = Field(default="title", max_length=16)
    pattern: str = Field(max_length=400)
    is_regex: bool = False
    area: str = Field(max_length=32)
    marks_day_off: bool = False
    enabled: bool = True
    # The priority matrix (Eisenhower): None = the rule does not say.
    important: bool | None = None
    urgent: bool | None = None


class Target(SQLModel, table=True):
    """Hours per week for one area, in force from `effective_from` until a later row replaces it."""

    __table_args__ = (UniqueConstraint("area", "effective_from", name="uq_target_area_date"),)

    id: int | None = Field(default=None, primary_key=True)
    area: str = Field(max_length=32)
    min_hours: float | None = None
    max_hours: float | None = None
    effective_from: date
    created_at: datetime = Field(default_factory=utc_now)


class Contract(SQLModel, table=True):
    """Contract hours per weekday, in force from `effective_from` until a later row replaces it.

    `weekday_hours` holds seven numbers, Monday first, separated by commas ("8,8,8,8,8,0,0").
    """

    id: int | None = Field(default=None, primary_key=True)
    effective_from: date = Field(unique=True)
    weekday_hours: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utc_now)


class SettingsRecord(SQLModel, table=True):
    """The user's settings as JSON (see `settings.Settings`), one row."""

    __tablename__ = "settings"

    id: int = Field(default=1, primary_key=True)
    payload: str = "{}"
    updated_at: datetime = Field(default_factory=utc_now)


class ImportRun(SQLModel, table=True):
    """What one import did, for the import history and the sources page."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utc_now)
    file_name: str = Field(default="", max_length=400)
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    report: str = "[]"  # JSON list of issues


class JournalEntry(SQLModel, table=True):
    """The weekly reflection: answers to the method's questions, notes, energy and mood."""

    week_start: date = Field(primary_key=True)
    answers: str = "{}"  # JSON: question -> answer
    notes: str = ""
    energy: int | None = None
    mood: int | None = None
    updated_at: datetime = Field(default_factory=utc_now)


class DataRevision(SQLModel, table=True):
    """One row counting writes; caches key on it (see `store.data_revision`)."""

    __tablename__ = "data_revision"

    id: int = Field(default=1, primary_key=True)
    value: int = 0


BOUNDARY_KINDS: tuple[str, ...] = ("forbid", "protect")


class Boundary(SQLModel, table=True):
    """A user-named boundary, in force from `effective_from` until a later row of that name replaces it.

    kind "forbid": `area` must not happen on `weekdays` between `start_local` and `end_local`
    ("no work on Sunday"). kind "protect": that span belongs to `area` and stays free of every
    other area ("family dinner at 19:00 on weekdays"). An end at or before the start runs into
    the next day; equal times cover a whole day. A row with `active` False retires the name.
    """

    __table_args__ = (UniqueConstraint("name", "effective_from", name="uq_boundary_name_date"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(default="forbid", max_length=16)
    area: str = Field(default="work", max_length=32)
    weekdays: str = Field(default="0,1,2,3,4,5,6", max_length=20)  # Monday = 0, comma-separated
    start_local: time = time(0, 0)
    end_local: time = time(0, 0)
    effective_from: date
    active: bool = True
    created_at: datetime = Field(default_factory=utc_now)


LIVE_KINDS: tuple[str, ...] = ("address", "caldav")


class LiveSource(SQLModel, table=True):
    """How a calendar source keeps itself current: a calendar address or one CalDAV calendar.

    The source's occurrences stay in `Occurrence` under `source_id`; this row holds where they
    come from and the state of the last sync. The address or password itself lives in the
    system keyring (`secret_ref` names the entry) or, where there is none, in `secret` (see
    docs/live-sources.md); backups leave `secret` out unless asked.
    """

    __tablename__ = "live_source"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", unique=True, ondelete="CASCADE")
    kind: str = Field(default="address", max_length=16)  # address | caldav
    masked: str = Field(default="", max_length=400)  # shown instead of the address
    secret_ref: str = Field(default="", max_length=64)  # the keyring entry's name
    secret_in_keyring: bool = False
    secret: str | None = Field(default=None, max_length=4000)  # only when there is no keyring
    server_url: str | None = Field(default=None, max_length=1000)  # CalDAV: the account's server
    username: str | None = Field(default=None, max_length=200)  # CalDAV
    calendar_url: str | None = Field(default=None, max_length=1000)  # CalDAV: the collection
    etag: str | None = Field(default=None, max_length=400)  # address: the last ETag
    last_modified: str | None = Field(default=None, max_length=100)  # address: the last Last-Modified
    content_sha256: str | None = Field(default=None, max_length=64)  # address: the last body's hash
    ctag: str | None = Field(default=None, max_length=400)  # CalDAV: getctag of the collection
    sync_token: str | None = Field(default=None, max_length=1000)  # CalDAV: RFC 6578 token
    # CalDAV: JSON href -> [etag, [uid, ...]]; address: its events' hashes (workflows.live, _feed_events_state)
    objects: str = "{}"
    expanded_until: datetime | None = None  # the end of the window recurring events were expanded to
    last_sync_at: datetime | None = None  # the last successful sync
    last_attempt_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    last_change: str = "{}"  # JSON: added, updated, removed, unchanged of the last sync


class ImportState(SQLModel, table=True):
    """What the last read of a calendar file (.ics snapshot) saw, so that re-importing it reads only what changed.

    `content_sha256` is the file's bytes, `options_sha256` everything else the read depended on
    (zone, window settings, limits, the reader's version); `read_at` is the "now" the window was
    chosen from. `events` holds, per UID, the hash of its VEVENT blocks and what the report needs
    without reading them again (workflows.calendars); `summary` the report of that read.
    """

    __tablename__ = "import_state"

    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")
    content_sha256: str = Field(max_length=64)
    options_sha256: str = Field(max_length=64)
    read_at: datetime
    window_start: datetime
    window_end: datetime
    head_sha256: str | None = Field(default=None, max_length=64)
    events: str = "{}"  # JSON: uid -> [hash, earliest start (UTC ISO), components, "before" | "after" | "", cancelled]
    summary: str = "{}"  # JSON: the ImportReport fields of that read (workflows.calendars)
