"""Read one .ics file in a worker process that can be stopped: a wall-time and a memory limit.

The dashboard serves every tab from one process; an upload that made the libraries spin or
grow would stall or kill all of them. Here the parse and expansion (`ics.read_ics`) run in a
child process with an address-space limit (`resource.setrlimit`, Linux and macOS) and are
killed when they pass the time limit; the server only waits. A single-threaded caller (the CLI)
forks, which is cheap; a threaded one (the Streamlit server) uses a fork server, since forking
a threaded process can copy a lock that another thread holds.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from balance_dash import errors
from balance_dash.errors import BalanceDashError, CalendarError, LimitError
from balance_dash.ingest import ics

try:  # not on Windows: there the time limit still applies, the memory limit does not
    import resource
except ImportError:  # pragma: no cover - Linux CI
    resource = None  # type: ignore[assignment]

_POLL_SECONDS = 0.1


def read_ics_isolated(
    data: bytes,
    *,
    file_name: str,
    seconds: float,
    memory_mb: int,
    progress: Callable[[float, str], None] | None = None,
    **options: Any,
) -> ics.ParsedCalendar:
    """`ics.read_ics(data, file_name=..., **options)` in a worker process, bounded in time and memory."""
    context: multiprocessing.context.ForkContext | multiprocessing.context.ForkServerContext
    if threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["balance_dash.ingest.ics"])
    receiver, sender = context.Pipe(duplex=False)
    options = {**options, "file_name": file_name, "seconds": seconds}
    process = context.Process(target=_work, args=(sender, data, memory_mb, options), daemon=True)
    process.start()
    sender.close()
    deadline = time.monotonic() + seconds + 5  # the worker's own timer fires first where it can
    try:
        while True:
            if time.monotonic() > deadline:
                raise _too_slow(file_name, seconds)
            if not receiver.poll(_POLL_SECONDS):
                if not process.is_alive() and not receiver.poll(0):
                    raise _died(file_name, process.exitcode, memory_mb)
                continue
            try:
                message = receiver.recv()
            except EOFError:
                process.join(1)
                raise _died(file_name, process.exitcode, memory_mb) from None
            if message[0] == "progress":
                if progress is not None:
                    progress(message[1], message[2])
            elif message[0] == "done":
                parsed: ics.ParsedCalendar = message[1]
                return parsed
            else:
                raise _rebuild(message[1], message[2])
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()


def _work(sender: Connection, data: bytes, memory_mb: int, options: dict[str, Any]) -> None:
    """The worker: limit memory, read the file, send back the result or the error's message."""
    _limit_memory(memory_mb)
    try:
        result = ics.read_ics(
            data, progress=lambda fraction, stage: sender.send(("progress", fraction, stage)), **options
        )
        sender.send(("done", result))
    except MemoryError:
        sender.send(("error", "LimitError", str(_too_big(options["file_name"], memory_mb))))
    except BalanceDashError as error:
        if _out_of_memory(error):  # a reader step that words every failure as "not valid"
            sender.send(("error", "LimitError", str(_too_big(options["file_name"], memory_mb))))
        else:
            sender.send(("error", type(error).__name__, str(error)))
    except BaseException as error:  # a failure we did not foresee still reads as one line
        message = f"{options['file_name']}: the calendar could not be read ({type(error).__name__}); nothing was imported."
        sender.send(("error", "CalendarError", message))
    finally:
        sender.close()


def _out_of_memory(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, MemoryError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _limit_memory(memory_mb: int) -> None:
    """Cap the worker's address space at what it holds now plus `memory_mb`."""
    if resource is None:
        return
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        size_kb = 0
    limit = (size_kb * 1024) + memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _rebuild(kind: str, message: str) -> BalanceDashError:
    """The worker's error as the same kind of exception, with its complete message."""
    cls = getattr(errors, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, BalanceDashError)):
        cls = CalendarError
    if issubclass(cls, errors.SourceClashError):  # never raised while reading; keep the tree simple
        cls = CalendarError
    error = cls.__new__(cls)
    BalanceDashError.__init__(error, message)
    if isinstance(error, errors.InputError):
        error.path, error.line, error.where = None, None, ""
    return error


def _too_slow(file_name: str, seconds: float) -> LimitError:
    return LimitError(
        f"{file_name}: reading and expanding the calendar takes longer than {seconds:g} s; it was stopped and nothing was imported.",
        hint="Import a shorter period (since/until), or raise import_seconds in the settings.",
    )


def _too_big(file_name: str, memory_mb: int) -> LimitError:
    return LimitError(
        f"{file_name}: reading the calendar needs more than {memory_mb:,} MB of memory; it was stopped and nothing was imported.",
        hint="Import a shorter period (since/until), or raise import_memory_mb in the settings.",
    )


def _died(file_name: str, exitcode: int | None, memory_mb: int) -> LimitError:
    if exitcode is not None and exitcode < 0:  # killed by a signal: the memory limit, or the system
        return _too_big(file_name, memory_mb)
    return LimitError(f"{file_name}: the reader stopped without an answer (exit code {exitcode}); nothing was imported.")
