"""Text from files and users, made safe to show: no control characters, bounded length.

Pure and shared by both front-ends: the CLI prints `printable(...)` so that escape sequences in
a calendar title (ESC, OSC, BEL) never reach the terminal, and the dashboard escapes the same
text for Markdown in `ui/text.py`.
"""

from __future__ import annotations

import re

# C0 and C1 controls, and the invisible bidirectional overrides that can reorder what a line
# appears to say (Unicode TR 36, section 2.4 / "Trojan Source", CVE-2021-42574).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\u2028\u2029\x85]")
LINE_LIMIT = 200


def printable(text: object, *, one_line: bool = False) -> str:
    """`text` without control characters; with `one_line`, line breaks and tabs become spaces."""
    value = str(text)
    if one_line:
        value = _BREAKS.sub(" ", value)
    return _CONTROL.sub("", value)


def capped(text: object, limit: int = LINE_LIMIT) -> str:
    """`printable(text, one_line=True)` cut to its first `limit` characters, saying so."""
    value = printable(text, one_line=True)
    if len(value) <= limit:
        return value
    return f"{value[:limit]}... ({len(value) - limit:,} more characters)"
