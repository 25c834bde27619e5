"""Every row of a backup through the checks the app applies when the row is first written.

A backup is untrusted input: restoring it must not bring in settings the app cannot read, a
time zone that does not exist, a rule that cannot be compiled or that backtracks for minutes,
or an area the app does not know. `check_rows` raises InvalidValueError naming the table, the
row and the problem; nothing is written before it passes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from balance_dash import categorize, pattern_safety
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, BOUNDARY_KINDS, RULE_FIELDS, UNCATEGORIZED
from balance_dash.settings import settings_problem

_HINT = "Choose another backup, or a backup downloaded from the Data page of this app."
Rows = Mapping[str, list[dict[str, Any]]]


def _refuse(file_name: str, table: str, number: int, problem: str) -> InvalidValueError:
    return InvalidValueError(
        f"the backup cannot be restored: table {table!r} row {number}: {problem}; nothing was changed",
        path=file_name, hint=_HINT,
    )


def check_rows(rows: Rows, *, file_name: str) -> None:
    """Refuse a backup any of whose rows the app would not have written itself."""
    for number, row in enumerate(rows.get("settings", []), start=1):
        problem = settings_problem(str(row.get("payload", "")))
        if problem:
            raise _refuse(file_name, "settings", number, f"the settings cannot be read ({problem})")
    _check_areas(rows, file_name)
    _check_boundaries(rows, file_name)
    _check_journal(rows, file_name)
    _check_rules(rows, file_name)


def _check_areas(rows: Rows, file_name: str) -> None:
    allowed = {
        "occurrence": (*AREAS, None),
        "source": (*AREAS, None),
        "placement": (*AREAS, UNCATEGORIZED),
        "target": AREAS,
        "boundary": AREAS,
        "rule": AREAS,
    }
    for table, areas in allowed.items():
        for number, row in enumerate(rows.get(table, []), start=1):
            if row.get("area") not in areas:
                raise _refuse(file_name, table, number, f"area {str(row.get('area'))[:40]!r} is not one of {', '.join(AREAS)}")


def _check_boundaries(rows: Rows, file_name: str) -> None:
    for number, row in enumerate(rows.get("boundary", []), start=1):
        if row.get("kind") not in BOUNDARY_KINDS:
            raise _refuse(file_name, "boundary", number, f"kind {str(row.get('kind'))[:40]!r} is not one of {', '.join(BOUNDARY_KINDS)}")
        days = str(row.get("weekdays", ""))
        if not all(part.strip() in {"0", "1", "2", "3", "4", "5", "6"} for part in days.split(",")):
            raise _refuse(file_name, "boundary", number, f"weekdays {days[:40]!r} are not days 0 to 6")


def _check_journal(rows: Rows, file_name: str) -> None:
    for number, row in enumerate(rows.get("journalentry", []), start=1):
        try:
            answers = json.loads(str(row.get("answers", "")))
        except ValueError:
            answers = None
        if not isinstance(answers, dict):
            raise _refuse(file_name, "journalentry", number, "the answers are not a JSON object")


def _check_rules(rows: Rows, file_name: str) -> None:
    regexes: dict[str, int] = {}
    for number, row in enumerate(rows.get("rule", []), start=1):
        if row.get("field") not in RULE_FIELDS:
            raise _refuse(file_name, "rule", number, f"field {str(row.get('field'))[:40]!r} is not one of {', '.join(RULE_FIELDS)}")
        try:
            categorize.compile_rule({**row, "position": number})
        except InvalidValueError as error:
            raise _refuse(file_name, "rule", number, error.message) from error
        if row.get("is_regex"):
            regexes.setdefault(str(row["pattern"]), number)
    for pattern in pattern_safety.slow_patterns(list(regexes)):
        raise _refuse(
            file_name, "rule", regexes[pattern],
            f"the regular expression {pattern[:60]!r} takes more than {pattern_safety.PROBE_SECONDS:g} s on a 2,000-character text",
        )
