"""One issue record for calendars and time logs, printed as each front-end printed it before."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from balance_dash.ingest import ics, manual
from balance_dash.ingest.issues import IngestIssue
from balance_dash.models import AREAS


def test_a_calendar_issue_names_its_line_beside_the_file():
    issue = IngestIssue("skipped", "DTSTART 'x' is not a date; the event was skipped", "u1", "Standup", 212)
    assert issue.where("work.ics") == "work.ics line 212"
    assert IngestIssue("warning", "no line known").where("work.ics") == "work.ics"
    assert issue.table_row() == {"kind": "skipped", "message": issue.message, "uid": "u1", "title": "Standup", "line": 212}


def test_a_csv_issue_is_named_by_its_row_in_the_message():
    data = b"start,end,category\n2026-11-23 10:00,2026-11-23 09:00,work\n"
    parsed = manual.read_csv_log(data, file_name="log.csv", tz=ZoneInfo("Europe/Berlin"), areas=AREAS)
    [issue] = parsed.issues
    assert isinstance(issue, IngestIssue) and ics.IngestIssue is IngestIssue
    assert (issue.kind, issue.line, issue.unit) == ("skipped", 2, "row")
    assert issue.message.startswith("row 2: ") and issue.where("log.csv") == "log.csv"
    assert issue.table_row() == {"row": 2, "message": issue.message, "kind": "skipped"}
