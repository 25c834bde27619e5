"""The one record of a problem found while reading a file: calendars (.ics) and time logs (CSV).

Bad events and rows are data, not exceptions (house style, practice 7): the readers return them
beside what they could read, and the front-ends list them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ISSUE_SKIPPED = "skipped"
ISSUE_WARNING = "warning"


@dataclass(frozen=True)
class IngestIssue:
    """Something the user should know about one file: an event or row left out ("skipped"), or
    imported with a caveat ("warning")."""

    kind: str  # ISSUE_SKIPPED | ISSUE_WARNING
    message: str  # a complete sentence: what, and what was done
    uid: str | None = None  # the event's UID (calendars)
    title: str | None = None  # the event's title (calendars)
    line: int | None = None  # 1-based line of the file where the event or row starts, when known
    # How the place is said: "line" (a calendar: "work.ics line 212") or "row" (a CSV row: the
    # message starts with "row 7: ...", so nothing is added to the file name).
    unit: Literal["line", "row"] = "line"

    def where(self, file_name: str) -> str:
        """The file and place as the front-ends print it before the message."""
        return f"{file_name} line {self.line}" if self.line and self.unit == "line" else file_name

    def table_row(self) -> dict[str, object]:
        """The issue as a row of the pages' notes table: a calendar's with its event, a CSV's by row."""
        if self.unit == "row":
            return {"row": self.line, "message": self.message, "kind": self.kind}
        return {"kind": self.kind, "message": self.message, "uid": self.uid, "title": self.title, "line": self.line}
