"""Rule patterns that cannot hang the app: a static check and a probe that is stopped in time.

Python's `re` backtracks: a pattern such as `(a+)+$` takes time exponential in the length of
the text it fails on, and the match runs in C where no timer can stop it. So a regular
expression is checked before it is saved (rules editor, restore) and before it is used:

- `backtracking_risk` walks the parsed pattern and refuses the shapes that backtrack
  catastrophically (OWASP, "Regular expression Denial of Service - ReDoS"): a repetition inside
  an open-ended repetition (`(a+)+`, `(\\w*\\s?)*`), an open-ended repetition of alternatives that
  can start alike (`(a|ab)*`), back-references, bounds above 1,000, and more than four
  open-ended repetitions in one pattern (`.*a.*b.*c.*d.*e`, polynomial time).
- `slow_patterns` runs the patterns on adversarial texts of the longest length the app stores
  (2,000 characters) in a separate process that is killed after a time limit.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.context
import re
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

_parser: Any = importlib.import_module("re._parser")  # the parser `re` itself uses; no type stubs

MAX_BOUND = 1000
MAX_OPEN_REPEATS = 4
PROBE_SECONDS = 2.0
_START_SECONDS = 60.0
_TEXT_LENGTH = 2000  # the longest text a rule is matched on (an event's description)
_PROBES = tuple(
    body * (_TEXT_LENGTH // len(body)) + "!"
    for body in ("a", "ab", " ", "a ", "0", "aA1 -_.", "\t\n", "x@x.", "Aa")
)


def _name(op: Any) -> str:
    return str(op)


def _is_repeat(op: Any) -> bool:
    return _name(op) in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns directly inside one node of the parse tree."""
    name = _name(op)
    if _is_repeat(op):
        return [av[2]]
    if name == "SUBPATTERN":
        return [av[3]]
    if name == "BRANCH":
        return list(av[1])
    if name in ("ASSERT", "ASSERT_NOT"):
        return [av[1]]
    if name == "ATOMIC_GROUP":
        return [av]
    if name == "GROUPREF_EXISTS":
        return [branch for branch in av[1:] if branch is not None]
    return []


def _has_repeat(pattern: Any) -> bool:
    for op, av in pattern:
        if _is_repeat(op) and av[1] > 1:
            return True
        if any(_has_repeat(child) for child in _children(op, av)):
            return True
    return False


def _first_literal(pattern: Any) -> int | None:
    for op, av in pattern:
        if _name(op) == "LITERAL":
            return int(av)
        if _name(op) == "SUBPATTERN":
            return _first_literal(av[3])
        return None
    return None


def _overlapping_branches(pattern: Any) -> bool:
    """True when a BRANCH in `pattern` has alternatives that may start with the same character."""
    for op, av in pattern:
        if _name(op) == "BRANCH":
            firsts = [_first_literal(branch) for branch in av[1]]
            folded = [chr(first).casefold() if first is not None else None for first in firsts]
            if None in folded or len(set(folded)) < len(folded):
                return True
        if any(_overlapping_branches(child) for child in _children(op, av)):
            return True
    return False


def _risk(pattern: Any, counts: list[int]) -> str:
    for op, av in pattern:
        name = _name(op)
        if name in ("GROUPREF", "GROUPREF_EXISTS"):
            return "it uses a back-reference"
        if _is_repeat(op):
            low, high, body = av
            if (high != _parser.MAXREPEAT and high > MAX_BOUND) or low > MAX_BOUND:
                return f"it repeats something more than {MAX_BOUND:,} times"
            if high == _parser.MAXREPEAT or high > 1:
                if _has_repeat(body):
                    return "it repeats a repetition, like (a+)+, which can take exponential time"
                if high == _parser.MAXREPEAT and _overlapping_branches(body):
                    return "it repeats alternatives that can match alike, like (a|ab)*, which can take exponential time"
            if high == _parser.MAXREPEAT:
                counts[0] += 1
        for child in _children(op, av):
            reason = _risk(child, counts)
            if reason:
                return reason
    return ""


def backtracking_risk(pattern: str) -> str:
    """Why `pattern` may backtrack catastrophically ("" when it is in the safe subset).

    An invalid pattern returns "" too: compiling it reports that, with `re`'s own message.
    """
    try:
        tree = _parser.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return ""
    counts = [0]
    try:
        reason = _risk(tree, counts)
    except RecursionError:
        return "it nests groups too deeply"
    if reason:
        return reason
    if counts[0] > MAX_OPEN_REPEATS:
        return f"it has {counts[0]} open-ended repetitions (at most {MAX_OPEN_REPEATS}), which can take polynomial time"
    return ""


def slow_patterns(patterns: Sequence[str], *, seconds: float = PROBE_SECONDS) -> list[str]:
    """The patterns (usually none) that do not finish on the adversarial texts within `seconds`.

    They run in a child process, killed at the limit: `re` cannot be interrupted in-process.
    Patterns that do not compile are left to `re.compile` to report.
    """
    pending = [p for p in dict.fromkeys(patterns) if _compiles(p)]
    slow: list[str] = []
    while pending:
        finished = _probe(pending, seconds)
        if finished >= len(pending):
            break
        slow.append(pending[finished])
        pending = pending[finished + 1 :]
    return slow


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _probe(patterns: list[str], seconds: float) -> int:
    """How many of `patterns` (in order) finished within `seconds` in a child process."""
    context: multiprocessing.context.ForkContext | multiprocessing.context.ForkServerContext
    if threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run_probes, args=(sender, patterns), daemon=True)
    process.start()
    sender.close()
    done = 0
    try:
        # The clock starts once the child runs: starting a fork server may take a while.
        try:
            if not receiver.poll(_START_SECONDS):
                return len(patterns)  # no verdict without a child; the static check still applies
            receiver.recv()
        except EOFError:
            return len(patterns)
        deadline = time.monotonic() + seconds
        while done < len(patterns):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not receiver.poll(remaining):
                break
            try:
                receiver.recv()
            except EOFError:
                break
            done += 1
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    return done


def _run_probes(sender: Connection, patterns: list[str]) -> None:
    sender.send(False)  # started
    for pattern in patterns:
        regex = re.compile(pattern, re.IGNORECASE)
        for text in _PROBES:
            regex.search(text)
        sender.send(True)
    sender.close()
