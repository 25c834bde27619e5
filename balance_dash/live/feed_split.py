"""Split a calendar feed into its shared part and its events grouped by UID (pure).

A changed feed is usually one changed event: a sync that knows which UID groups changed (a
series is its master and its RECURRENCE-ID overrides, all sharing one UID, RFC 5545 3.8.4.4)
re-reads only those, with the feed's own calendar properties and VTIMEZONEs in front
(`partial_calendar`). The split refuses (returns None) anything it does not follow exactly;
the caller then reads the whole file, as before.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# DTSTAMP is when the file was written: Google's feed stamps every event with the time of the
# request, and no occurrence depends on it, so it is left out of the hashes.
_IGNORED = ("DTSTAMP",)
_NAME = re.compile(r"^([A-Za-z0-9-]+)[;:]")


@dataclass(frozen=True)
class FeedParts:
    """One feed: `head` (calendar properties and every non-event component) and its event groups."""

    head: tuple[str, ...]  # the lines before the events of a partial calendar, BEGIN:VCALENDAR first
    head_sha256: str  # of the head's lines (DTSTAMP left out), as `hashes`
    groups: dict[str, tuple[str, ...]]  # UID -> the lines of its VEVENT blocks, in file order
    hashes: dict[str, str]  # UID -> SHA-256 of its lines (DTSTAMP left out), first 32 hex digits


def _logical(lines: list[str], start: int) -> tuple[str, int]:
    """The unfolded content line starting at `start`, and the index after its continuation lines."""
    text, index = lines[start], start + 1
    while index < len(lines) and lines[index][:1] in (" ", "\t"):
        text += lines[index][1:]
        index += 1
    return text, index


def _digest(lines: Iterable[str]) -> str:
    kept = []
    skipping = False
    for line in lines:
        if line[:1] in (" ", "\t"):
            if not skipping:
                kept.append(line)
            continue
        found = _NAME.match(line)
        skipping = bool(found) and found.group(1).upper() in _IGNORED  # type: ignore[union-attr]
        if not skipping:
            kept.append(line)
    # 128 bits of SHA-256 tell changed events apart and keep the per-event state of a ten-year
    # calendar (about 24,000 UIDs) small.
    return hashlib.sha256("\n".join(kept).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _uid_of(block: list[str]) -> str | None:
    """The event's own UID (not a VALARM's), or None when it has none or several."""
    depth, index, found = 0, 0, []
    while index < len(block):
        text, index = _logical(block, index)
        upper = text.strip().upper()
        if upper.startswith("BEGIN:"):
            depth += 1
        elif upper.startswith("END:"):
            depth -= 1
        elif depth == 1 and _NAME.match(text) and _NAME.match(text).group(1).upper() == "UID":  # type: ignore[union-attr]
            found.append(text.split(":", 1)[1].strip())
    return found[0] if len(found) == 1 and found[0] else None


def split_feed(text: str) -> FeedParts | None:
    """The feed's parts, or None when its nesting is not one plain VCALENDAR or an event has no UID."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR" or lines[-1].strip().upper() != "END:VCALENDAR":
        return None
    head: list[str] = [lines[0]]
    groups: dict[str, list[str]] = {}
    block: list[str] = []
    depth, in_event = 1, False
    for line in lines[1:-1]:
        upper = "" if line[:1] in (" ", "\t") else line.strip().upper()  # a continuation line is text
        if upper.startswith("BEGIN:"):
            if upper == "BEGIN:VCALENDAR":
                return None
            if depth == 1:
                in_event = upper == "BEGIN:VEVENT"
            depth += 1
        elif upper.startswith("END:"):
            depth -= 1
            if depth < 1:
                return None
        (block if in_event else head).append(line)
        if in_event and depth == 1:  # the event's END line
            uid = _uid_of(block)
            if uid is None:
                return None
            groups.setdefault(uid, []).extend(block)
            block, in_event = [], False
    if depth != 1 or block:
        return None
    return FeedParts(
        head=tuple(head),
        head_sha256=_digest(head),
        groups={uid: tuple(group) for uid, group in groups.items()},
        hashes={uid: _digest(group) for uid, group in groups.items()},
    )


def partial_calendar(parts: FeedParts, uids: Iterable[str]) -> bytes:
    """A calendar of the feed's head and only the events of `uids` (those it holds)."""
    lines = list(parts.head)
    for uid in uids:
        lines.extend(parts.groups.get(uid, ()))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8", "surrogatepass")
