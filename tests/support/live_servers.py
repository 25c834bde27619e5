"""Real servers for live-calendar tests, on 127.0.0.1 only.

- `FeedServer`: the standard library's HTTP server in a thread, serving one calendar address
  whose answer a test sets (body, ETag, status, delay, content type, an endless body).
- `RadicaleServer`: a real CalDAV server (Radicale, from the dev lock) in a child process, on
  a free port, with a throwaway folder and a plain-text user file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring

from tests.support.environment import free_port, tail

__all__ = ["Answer", "FailKeyring", "FeedServer", "RadicaleServer", "keyring_replaced"]


@contextlib.contextmanager
def keyring_replaced(backend: KeyringBackend) -> Iterator[None]:
    """Use `backend` as the keyring for a block, then put the previous one back."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@dataclass
class Answer:
    """What the feed server answers next."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    etag: bool = True  # send an ETag (the body's hash) and honour If-None-Match
    delay_s: float = 0.0
    endless_mb: int = 0  # stream this many MB of calendar-looking bytes without a Content-Length
    redirect_to_self: bool = False  # answer 302 to the same address, for ever


@dataclass
class FeedServer:
    """One calendar address on 127.0.0.1; `requests` records each request's headers."""

    answer: Answer = field(default_factory=Answer)
    requests: list[dict[str, str]] = field(default_factory=list)
    sent_bytes: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/calendar/private-5ecret7oken/basic.ics"

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.answer.body).hexdigest()[:16] + '"'

    def start(self) -> FeedServer:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feed.requests.append({key.lower(): value for key, value in self.headers.items()})
                answer = feed.answer
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                # The client may give up (a time-out or the size cap): that is the point.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(answer)

            def _answer(self, answer: Answer) -> None:
                if answer.redirect_to_self:
                    self.send_response(302)
                    self.send_header("Location", self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if answer.endless_mb:
                    self.send_response(200)
                    self.send_header("Content-Type", answer.content_type)
                    self.end_headers()
                    chunk = b"BEGIN:VCALENDAR\r\n" + b"X-FILLER:" + b"x" * 65_000 + b"\r\n"
                    for _ in range(answer.endless_mb * 16):
                        self.wfile.write(chunk)
                        feed.sent_bytes += len(chunk)
                    return
                tag = feed.etag()
                if answer.etag and answer.status == 200 and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.end_headers()
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                if answer.etag and answer.status == 200:
                    self.send_header("ETag", tag)
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def radicale_config(*, port: int, users: Path, folder: Path, mtime_item_cache: bool = False) -> str:
    """A Radicale config on 127.0.0.1:`port`: plain htpasswd users, a file-system store, owner-only rights.

    `mtime_item_cache` keys Radicale's item cache by mtime and size instead of a hash, its own speed
    option: without it, indexing thousands of objects laid down as files takes minutes.
    """
    speed = "use_mtime_and_size_for_item_cache = True\n" if mtime_item_cache else ""
    return (
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = plain\n"
        f"[storage]\nfilesystem_folder = {folder}\n{speed}"
        "[rights]\ntype = owner_only\n[logging]\nlevel = warning\n"
    )


USERS = {"alice": "alice-app-password", "bob": "bob-app-password"}


@dataclass
class RadicaleServer:
    """A running Radicale; `stop()` ends its process group."""

    process: subprocess.Popen[bytes]
    url: str
    folder: Path
    log_path: Path

    @classmethod
    def start(cls, root: Path, timeout_s: float = 30.0) -> RadicaleServer:
        root.mkdir(parents=True, exist_ok=True)
        users = root / "users"
        users.write_text("".join(f"{name}:{password}\n" for name, password in USERS.items()), encoding="utf-8")
        port = free_port()
        config = root / "config"
        folder = root / "collections"
        config.write_text(radicale_config(port=port, users=users, folder=folder), encoding="utf-8")
        log_path = root / "radicale.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(config)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        server = cls(process=process, url=f"http://127.0.0.1:{port}/", folder=folder, log_path=log_path)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"Radicale exited with {process.returncode}:\n{tail(log_path)}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
            time.sleep(0.1)
        server.stop()
        raise RuntimeError(f"Radicale did not listen on port {port} within {timeout_s} s:\n{tail(log_path)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
