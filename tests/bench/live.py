"""Benchmark phases for live sources: the generated export served as a calendar address (a
local HTTP server) and laid down as a CalDAV calendar (a local Radicale, one object per UID).

Each phase subscribes once, then times what a user's cron job pays: a sync when nothing
changed (the issue's target: well under a second for ten years), and a sync after one event
changed. A changed address re-reads only the events whose lines changed (`feed_split`); when
the calendar's own lines change, it reads the whole file, which the phase times too. A CalDAV
sync fetches and expands only the changed object.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.environment import free_port
from tests.support.live_servers import radicale_config

Figures = dict[str, Any]
_EVENT = re.compile(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.DOTALL)
_ZONE = re.compile(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", re.DOTALL)
_UID = re.compile(r"^UID:(.*?)\r$", re.MULTILINE)


@contextlib.contextmanager
def _serve(state: dict[str, Any]) -> Iterator[str]:
    """One calendar address on 127.0.0.1 answering `state["body"]`, with an ETag when `state["etag"]`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body: bytes = state["body"]
            tag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            if state["etag"] and self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            if state["etag"]:
                self.send_header("ETag", tag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/private-token/basic.ics"
    finally:
        server.shutdown()
        server.server_close()


def _timed(function: Any, cpu: dict[str, float] | None = None, key: str = "") -> tuple[Any, float]:
    """(result, wall seconds); with `cpu`, this process's CPU seconds go to cpu[key]: balance-dash's
    own share, as against waiting for the server."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = function()
    if cpu is not None:
        cpu[key] = time.process_time() - cpu_started
    return result, time.perf_counter() - started


def _one_event_changed(data: bytes) -> tuple[bytes, str]:
    """The export with one single (non-recurring) event retitled: (new bytes, its UID)."""
    text = data.decode("utf-8")
    for found in _EVENT.finditer(text):
        block = found.group(0)
        if "RRULE" not in block and "RECURRENCE-ID" not in block and "SUMMARY:" in block:
            changed = block.replace("SUMMARY:", "SUMMARY:Moved: ", 1)
            uid = _UID.search(block)
            return (text[: found.start()] + changed + text[found.end() :]).encode("utf-8"), uid.group(1) if uid else ""
    raise RuntimeError("the export holds no single event to change")


def sync_address(path: str, zone: str, now: datetime) -> Figures:
    """Subscribe to the export as an address; time an unchanged sync (304, then a byte-identical
    body without ETag) and a sync after one event changed."""
    from balance_dash import store
    from balance_dash.settings import Settings
    from balance_dash.workflows import live

    data = Path(path).read_bytes()
    state: dict[str, Any] = {"body": data, "etag": True}
    tz, settings = ZoneInfo(zone), Settings(timezone=zone)
    with tempfile.TemporaryDirectory(prefix="balance-dash-bench-live-") as folder, _serve(state) as url:
        engine = store.open_engine(f"sqlite:///{Path(folder) / 'live.db'}")
        first, subscribe_s = _timed(lambda: live.subscribe(engine, url, tz=tz, settings=settings, now=now))
        sync = lambda: live.sync(engine, tz=tz, settings=settings, now=now)  # noqa: E731 - three uses below
        (not_modified,), not_modified_s = _timed(sync)
        state["etag"] = False
        (identical,), identical_s = _timed(sync)
        state["body"], _uid = _one_event_changed(data)
        (changed,), changed_s = _timed(sync)
        # The calendar's own lines changed (here its name): every event is read again, as every
        # change was before the per-event sync; the same figure for the same file.
        state["body"] = state["body"].replace(b"X-WR-CALNAME:", b"X-WR-CALNAME:Renamed ", 1)
        (whole,), whole_s = _timed(sync)
        engine.dispose()
    assert not_modified.status == identical.status == "unchanged", (not_modified, identical)
    return {
        "subscribe_s": subscribe_s, "occurrences": first.added,
        "unchanged_304_s": not_modified_s, "unchanged_identical_s": identical_s,
        "one_change_s": changed_s, "one_change_updated": changed.updated,
        "whole_file_s": whole_s, "whole_file_unchanged": whole.unchanged,
    }


# Radicale indexes objects laid down as files at about ten a second on first use (it parses and
# caches each one); the CalDAV phase therefore takes the export's first objects, which hold
# every recurring series and the oldest single events.
CALDAV_OBJECTS = 600


def _lay_down(data: bytes, collection: Path, limit: int = CALDAV_OBJECTS) -> dict[str, str]:
    """The export as a Radicale calendar on disk: one object per UID (CalDAV's rule), each with the zones."""
    text = data.decode("utf-8")
    zones = "".join(_ZONE.findall(text))
    by_uid: dict[str, list[str]] = {}
    for block in _EVENT.findall(text):
        uid = _UID.search(block)
        key = uid.group(1) if uid else block
        if key in by_uid or len(by_uid) < limit:
            by_uid.setdefault(key, []).append(block)
    collection.mkdir(parents=True)
    (collection / ".Radicale.props").write_text(json.dumps({"tag": "VCALENDAR", "D:displayname": "Bench"}))
    names = {}
    for index, (key, blocks) in enumerate(by_uid.items()):
        name = f"event-{index}.ics"
        body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + zones + "".join(blocks) + "END:VCALENDAR\r\n"
        (collection / name).write_text(body, encoding="utf-8", newline="")
        names[key] = name
    return names


@contextlib.contextmanager
def _radicale(folder: Path) -> Iterator[str]:
    port = free_port()
    (folder / "users").write_text("bench:bench\n")
    (folder / "config").write_text(
        radicale_config(port=port, users=folder / "users", folder=folder / "collections", mtime_item_cache=True)
    )
    with (folder / "radicale.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(folder / "config")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def sync_caldav(path: str, zone: str, now: datetime, limit: int = CALDAV_OBJECTS) -> Figures:
    """The export as a CalDAV calendar in a local Radicale: the first sync, an unchanged sync, and
    a sync after one event changed (only that object is fetched and expanded)."""
    from caldav.davclient import DAVClient

    from balance_dash import store
    from balance_dash.settings import Settings
    from balance_dash.workflows import live

    data = Path(path).read_bytes()
    tz, settings = ZoneInfo(zone), Settings(timezone=zone, sync_timeout_seconds=300)
    # Radicale syncs every cache file it writes; on a memory file system that costs nothing,
    # so the figures measure the protocol rather than the disk's fsync.
    memory = Path("/dev/shm")
    with tempfile.TemporaryDirectory(prefix="balance-dash-bench-caldav-", dir=memory if memory.is_dir() else None) as name:
        folder = Path(name)
        objects = _lay_down(data, folder / "collections" / "collection-root" / "bench" / "calendar", limit)
        with _radicale(folder) as server:
            engine = store.open_engine(f"sqlite:///{folder / 'live.db'}")
            (_found, (first,)), first_s = _timed(lambda: live.connect_caldav(
                engine, server, username="bench", password="bench", tz=tz, settings=settings, now=now
            ))
            cpu: dict[str, float] = {}
            (unchanged,), unchanged_s = _timed(lambda: live.sync(engine, tz=tz, settings=settings, now=now), cpu, "unchanged")
            text = data.decode("utf-8")
            series = next(b for b in _EVENT.findall(text) if "RRULE" in b and _uid_of(b) in objects)
            uid = _uid_of(series)
            blocks = [b for b in _EVENT.findall(text) if _uid_of(b) == uid]
            blocks[0] = blocks[0].replace("SUMMARY:", "SUMMARY:Renamed: ", 1)
            body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + "".join(
                _ZONE.findall(text)) + "".join(blocks) + "END:VCALENDAR\r\n"
            client = DAVClient(url=server, username="bench", password="bench", enable_rfc6764=False)
            client.put(f"{server}bench/calendar/{objects[uid]}", body, headers={"Content-Type": "text/calendar"})
            (changed,), changed_s = _timed(lambda: live.sync(engine, tz=tz, settings=settings, now=now), cpu, "changed")
            engine.dispose()
    assert unchanged.status == "unchanged", unchanged
    return {
        "objects": len(objects), "first_sync_s": first_s, "occurrences": first.added,
        "unchanged_s": unchanged_s, "unchanged_cpu_s": cpu["unchanged"],
        "one_change_s": changed_s, "one_change_cpu_s": cpu["changed"], "one_change_updated": changed.updated,
        "one_change_series_occurrences": changed.updated + changed.unchanged,
    }


def _uid_of(block: str) -> str:
    found = _UID.search(block)
    return found.group(1) if found else block
