"""The one exception tree of balance-dash.

    BalanceDashError                 anything the product reports to the user instead of crashing
     +-- InputError                  something the user gave us is wrong (has `where`)
     |    +-- CalendarError          an .ics file that cannot be read at all
     |    +-- CsvError               a CSV file whose header or encoding is unusable
     |    +-- InvalidValueError      a date, time, zone, area or number out of range
     |    +-- SourceClashError       a name already taken by a source of another kind
     +-- LimitError                  input too large: file size, occurrences per import
     +-- SyncError                   a calendar address or CalDAV server could not be read (has `source`)
     +-- StoreError                  the database cannot be used
          +-- SchemaError            a schema this version does not know (a newer balance-dash wrote it;
                                     older schemas are brought up to date when the database is opened)
          +-- SettingsError          the saved settings cannot be read (front-ends fall back to defaults)
          +-- DatabaseUrlError       --db names no database that can be opened (CLI exit code 2)

Bad rows inside a file that can otherwise be read are not exceptions: ingest returns them as
issues beside the data (house style, practice 7). Each front-end turns these exceptions into a
message in one place (`cli.py` and `ui/feedback.py`).
"""

from __future__ import annotations


class BalanceDashError(Exception):
    """Base class. `str(error)` is a complete message for the user: what, where, what to do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        full_stop = "" if message.endswith((".", "!", "?")) else "."
        super().__init__(message if hint is None else f"{message}{full_stop} {hint}")


class InputError(BalanceDashError):
    """The user's input is wrong. `where` names the file (and line or row, when known)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = path if line is None else f"{path} line {line}"
        self.where = where
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class CalendarError(InputError):
    """An .ics file that cannot be read at all; nothing of it was imported."""


class CsvError(InputError):
    """A CSV file that cannot be read at all; nothing of it was imported."""


class InvalidValueError(InputError):
    """A single value (date, time zone, area, hours) that is malformed or out of range."""


class SourceClashError(InputError):
    """An import would reuse the name of a source of another kind (a calendar against a time log).

    Sources are matched by name only within their kind: an import never replaces or deletes a
    source of another kind, and the database is left as it was.
    """

    def __init__(self, message: str, *, name: str, existing_kind: str, new_kind: str, hint: str | None = None) -> None:
        self.name = name
        self.existing_kind = existing_kind
        self.new_kind = new_kind
        super().__init__(message, hint=hint)


class LimitError(BalanceDashError):
    """The input exceeds a safety limit (upload size, occurrences per import)."""


class SyncError(BalanceDashError):
    """A live source could not be synced: network, server, password, or not a calendar.

    `source` names the calendar; the message never holds the address or password itself.
    Nothing of the source's data was changed.
    """

    def __init__(self, message: str, *, source: str | None = None, hint: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message, hint=hint)


class StoreError(BalanceDashError):
    """The database cannot be opened or written."""


class StaleImportStateError(StoreError):
    """Another import of the same calendar wrote between reading its import state and writing on
    it; nothing was written. Never shown: the import then reads the whole file (workflows.calendars)."""

    def __init__(self, source_id: int) -> None:
        super().__init__(f"the import state of source {source_id} changed during the import; nothing was written")


class SchemaError(StoreError):
    """The database schema is older or newer than this version of balance-dash."""


class DatabaseUrlError(StoreError):
    """The database URL is malformed, names an unknown kind of database, or a file or server that
    cannot be opened as one (not SQLite, unreadable, unreachable)."""


class SettingsError(StoreError):
    """The settings saved in the database cannot be read; the app runs on defaults and offers a reset."""
