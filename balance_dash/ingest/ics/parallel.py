"""Read a large calendar file in parts, one process per core: its events split by UID.

A series is its master and its overrides, all under one UID (RFC 5545 3.8.4.4), and nothing a
read computes crosses UIDs but the window (it starts at the earliest event). So the file's
events are split by UID into as many parts as there are cores (`split`), each part with the
calendar's own lines and time zones in front; each part is parsed in its own process (this one
takes the first), the window is chosen from the parts' earliest starts, and each part is
expanded over it. The rows are then ordered as a whole read orders them (`frame.ordered_frame`),
so the result is the same frame.

A part that has anything to report (a skipped event, a time-zone note, an unreadable file)
stops the parts, and the whole file is read in one process instead: the report's line
numbers and counts are those of the whole file. Only the occurrence limit is final, since a
part that passes it means the file does.

A process with a memory limit (the dashboard's reader, `ingest.worker`) reads in one process:
a limit on each part's address space does not bound what the parts hold together (each forked
part may reuse its own copy of the parent's free memory), and the limit must hold.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import multiprocessing.context
import os
import threading
from collections.abc import Callable
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any
from zoneinfo import ZoneInfo

from balance_dash.errors import LimitError
from balance_dash.ingest import limits
from balance_dash.ingest.ics.common import gc_paused
from balance_dash.ingest.ics.expand import expand_events
from balance_dash.ingest.ics.frame import Expanded, outside_window, rows_frame, singles, starts_by_uid
from balance_dash.ingest.ics.parse import ParsedFile, collect_events
from balance_dash.ingest.ics.split import FeedParts, partial_text

try:  # not on Windows: there no memory limit is set
    import resource
except ImportError:  # pragma: no cover - Linux CI
    resource = None  # type: ignore[assignment]

# Below this size a file reads in a few seconds, and starting processes would not pay.
MIN_CHARS = 4_000_000
MAX_PARTS = 4
# This process's part, against another's: it also combines and orders every part's rows
# (measured at ten years: about a third of a part's time).
MAIN_SHARE = 0.6
# How long a part waits for the window before giving up (its parent is gone).
_WAIT_S = 600.0

WindowOf = Callable[[datetime | None], tuple[datetime, datetime]]


class _Fallback(Exception):
    """A part cannot be read apart from the others: read the whole file."""


def cores() -> int:
    """The cores this process may run on (at most MAX_PARTS)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_PARTS))


def worth_it(text: str) -> bool:
    """Large enough, more than one core, and no memory limit on this process (see the module's text)."""
    return len(text) >= MIN_CHARS and cores() > 1 and not multiprocessing.current_process().daemon and not _memory_limited()


def part_texts(split: FeedParts, parts: int) -> list[str] | None:
    """The file as `parts` calendars of consecutive UIDs; None when there are too few UIDs.

    The first part is this process's, which also orders and combines the rows of all of them:
    it takes MAIN_SHARE of a part's text, so that the parts finish at about the same time.
    """
    if len(split.groups) < parts:
        return None
    weights = [MAIN_SHARE, *([1.0] * (parts - 1))]
    total = sum(len(group) for group in split.groups.values()) / sum(weights)
    bounds = list(itertools.accumulate(weight * total for weight in weights))
    chunks: list[list[str]] = [[]]
    size = 0
    for uid, group in split.groups.items():
        if size >= bounds[len(chunks) - 1] and len(chunks) < parts:
            chunks.append([])
        chunks[-1].append(uid)
        size += len(group)
    return [partial_text(split, uids) for uids in chunks]


def read_in_parts(
    split: FeedParts,
    *,
    file_name: str,
    tz: ZoneInfo,
    window_of: WindowOf,
    max_occurrences: int,
    report: Callable[[float, str], None],
    parts: int | None = None,
) -> Expanded | None:
    """The whole file's rows (`split`: the file split by UID), read in parts in parallel; None when it
    must be read whole instead."""
    texts = part_texts(split, parts or cores())
    if texts is None:
        return None
    context = _context()
    workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    try:
        for part in texts[1:]:
            mine, theirs = context.Pipe()
            process = context.Process(
                target=_part, args=(theirs, part, file_name, tz.key, max_occurrences), daemon=True
            )
            process.start()
            theirs.close()
            workers.append((process, mine))
        try:
            own, own_start = _parse(texts[0], file_name, tz)
        except _Fallback:
            return None
        firsts: list[tuple[datetime | None, str | None] | None] = [_receive(connection) for _, connection in workers]
        if any(first is None for first in firsts):
            return None
        starts = [own_start, *(first[0] for first in firsts if first is not None)]
        window = window_of(min((start for start in starts if start is not None), default=None))
        for _, connection in workers:
            connection.send(window)
        report(0.3, "expanding recurring events")
        try:
            mine_expanded = _expand(own, window, tz, max_occurrences, file_name)
        except _Fallback:
            return None
        theirs_expanded: list[Expanded | None] = [_receive(connection) for _, connection in workers]
        report(0.85, "expanding recurring events")
    finally:
        for worker, connection in workers:
            connection.close()
            if worker.is_alive():
                worker.join(1)
            if worker.is_alive():
                worker.kill()
            worker.join()
    results = [mine_expanded, *(result for result in theirs_expanded if result is not None)]
    if len(results) != len(texts):
        return None
    return _combine(results, window, max_occurrences, file_name)


def _memory_limited() -> bool:
    if resource is None:
        return False
    return resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY


def _context() -> multiprocessing.context.ForkContext | multiprocessing.context.ForkServerContext:
    # As ingest.worker: a single-threaded caller forks (cheap, nothing to import or copy), a
    # threaded one (a server) uses a fork server, since a fork can copy a lock another thread holds.
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["balance_dash.ingest.ics"])
    return context


def _parse(text: str, file_name: str, tz: ZoneInfo) -> tuple[ParsedFile, datetime | None]:
    try:
        parsed = collect_events(text, file_name, tz)
    except LimitError:
        raise
    except Exception as exc:  # an unreadable file is refused by the whole read, with its line
        raise _Fallback from exc
    notes = limits.duplicate_uid_notes(
        [record.uid for record in parsed.events],
        [record.component.get("RECURRENCE-ID") is not None for record in parsed.events],
    )
    if parsed.issues or notes:
        raise _Fallback
    return parsed, min((record.start_utc for record in parsed.events), default=None)


def _expand(
    parsed: ParsedFile, window: tuple[datetime, datetime], tz: ZoneInfo, max_occurrences: int, file_name: str
) -> Expanded:
    issues = list(limits.outside_window_note(singles(parsed.events), window))
    rows = expand_events(
        parsed.events, window=window, tz=tz, max_occurrences=max_occurrences, file_name=file_name, issues=issues
    )
    if issues:
        raise _Fallback
    return Expanded(
        name=parsed.name, event_count=parsed.event_count, frame=rows_frame(rows), cancelled=rows.cancelled,
        window=window, outside=outside_window(parsed.events, set(rows.uid), window),
        starts_by_uid=starts_by_uid(parsed.events), issues=[],
    )


def _receive(connection: Connection) -> Any:
    """A part's next message; raises what the part raised (a LimitError), None when it fell back."""
    if not connection.poll(_WAIT_S):
        return None
    try:
        message = connection.recv()
    except EOFError:  # the part died (the system's memory): read the whole file, which says why
        return None
    if message[0] == "limit":
        raise LimitError(message[1], hint=message[2])
    if message[0] == "memory":
        raise MemoryError
    return None if message[0] == "fallback" else message[1]


def _part(connection: Connection, text: str, file_name: str, zone: str, max_occurrences: int) -> None:
    """A part in its own process: parse, say the earliest start, wait for the window, expand."""
    tz = ZoneInfo(zone)
    limits.rearm()  # the parent's time limit, when it was forked inside one
    try:
        with gc_paused():
            parsed, earliest = _parse(text, file_name, tz)
            connection.send(("parsed", (earliest, parsed.name)))
            if not connection.poll(_WAIT_S):
                return
            window = connection.recv()
            connection.send(("expanded", _expand(parsed, window, tz, max_occurrences, file_name)))
    except LimitError as error:
        _send(connection, ("limit", error.message, error.hint))
    except MemoryError:
        _send(connection, ("memory",))
    except BaseException:  # anything else: the whole read says it in its own words
        _send(connection, ("fallback",))
    finally:
        connection.close()


def _send(connection: Connection, message: tuple[Any, ...]) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):  # the reader is gone
        connection.send(message)


def _combine(
    results: list[Expanded],
    window: tuple[datetime, datetime],
    max_occurrences: int,
    file_name: str,
) -> Expanded:
    import pandas as pd

    from balance_dash.ingest.ics.expand import limit_error

    if sum(len(result.frame) for result in results) > max_occurrences:
        raise limit_error(file_name, max_occurrences, window)
    outside: dict[str, str] = {}
    starts: dict[str, datetime] = {}
    for result in results:
        outside.update(result.outside)
        starts.update(result.starts_by_uid)
    return Expanded(
        name=results[0].name,
        event_count=sum(result.event_count for result in results),
        frame=pd.concat([result.frame for result in results], ignore_index=True),
        cancelled=sum(result.cancelled for result in results),
        window=window,
        outside=dict(sorted(outside.items())),
        starts_by_uid=starts,
        issues=[],
    )
