"""Fetch a calendar address: conditional, bounded in time, size and redirects, one clear error.

A sync sends the last `ETag` as `If-None-Match` and the last `Last-Modified` as
`If-Modified-Since` (RFC 9110 sections 13.1.2 and 13.1.3); a `304 Not Modified` costs one
round trip and no parsing. Every failure a user meets becomes a SyncError naming the calendar
and the masked address, never the address itself.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

import httpx

from balance_dash import __version__
from balance_dash.errors import SyncError
from balance_dash.live.addresses import mask

# httpx logs every request's full URL at INFO: for a calendar address that is its secret.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
MAX_REDIRECTS = 5
_SNIFF_BYTES = 2048  # enough of the body to tell a calendar from a web page


@dataclass(frozen=True)
class FeedResponse:
    """What one fetch gave: `body` None means 304 Not Modified."""

    body: bytes | None
    etag: str | None
    last_modified: str | None


def fetch(
    address: str,
    *,
    label: str,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    read_timeout_s: float = READ_TIMEOUT_S,
) -> FeedResponse:
    """GET `address` (already normalised), streaming at most `max_bytes`; raises SyncError."""
    shown = mask(address)
    headers = {"User-Agent": f"balance-dash/{__version__}", "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(read_timeout_s, connect=min(CONNECT_TIMEOUT_S, read_timeout_s))
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS, headers=headers) as client,
            client.stream("GET", address) as response,
        ):
            if response.status_code == 304:
                return FeedResponse(body=None, etag=etag, last_modified=last_modified)
            _check_status(response.status_code, label, shown)
            body = _read_bounded(response, label=label, shown=shown, max_bytes=max_bytes)
            _check_calendar(body, response.headers.get("content-type", ""), label, shown)
            return FeedResponse(
                body=body, etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
            )
    except httpx.TimeoutException as exc:
        raise SyncError(
            f"{shown} did not answer within {read_timeout_s:g} seconds ({_phase(exc)}); nothing was changed",
            source=label, hint="Try again later, or check the network connection.",
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise SyncError(
            f"{shown} redirected more than {MAX_REDIRECTS} times; nothing was changed",
            source=label, hint="Copy the calendar's address again from its calendar app.",
        ) from exc
    except httpx.UnsupportedProtocol as exc:
        raise SyncError(
            f"{shown} redirected to an address that is not http or https; nothing was changed", source=label
        ) from exc
    except httpx.ConnectError as exc:
        if _is_tls_error(exc):
            raise SyncError(
                f"the secure connection to {shown} failed (its certificate is not trusted, or TLS failed); "
                "nothing was changed",
                source=label, hint="Check the address; a network that intercepts HTTPS causes this too.",
            ) from exc
        raise SyncError(
            f"cannot connect to {shown}; nothing was changed", source=label,
            hint="Check the network connection and the address.",
        ) from exc
    except httpx.HTTPError as exc:
        raise SyncError(f"reading {shown} failed ({type(exc).__name__}); nothing was changed", source=label) from exc


def _phase(exc: httpx.TimeoutException) -> str:
    return "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for the calendar"


def _is_tls_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen) or "SSL" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _check_status(status: int, label: str, shown: str) -> None:
    if status < 400:
        return
    if status in (401, 403):
        raise SyncError(
            f"{shown} refused access (HTTP {status}): the address was reset or the calendar is no longer shared; "
            "nothing was changed",
            source=label, hint="Copy the calendar's secret address again and subscribe to the new one.",
        )
    if status in (404, 410):
        raise SyncError(
            f"{shown} was not found (HTTP {status}); nothing was changed",
            source=label, hint="Check that the calendar is still published, or copy its address again.",
        )
    if status >= 500:
        raise SyncError(
            f"the server of {shown} failed (HTTP {status}); nothing was changed",
            source=label, hint="This is the server's fault; the next sync tries again.",
        )
    raise SyncError(f"{shown} answered HTTP {status}; nothing was changed", source=label)


def _read_bounded(response: httpx.Response, *, label: str, shown: str, max_bytes: int) -> bytes:
    """The body, read in chunks and abandoned as soon as it passes `max_bytes` (never held whole)."""
    too_big = SyncError(
        f"{shown} is larger than the limit of {max_bytes // (1024 * 1024)} MB; nothing was changed",
        source=label, hint="Raise max_upload_mb in the settings if this calendar really is that large.",
    )
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _check_calendar(body: bytes, content_type: str, label: str, shown: str) -> None:
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise SyncError(
            f"{shown} gave a web page, not a calendar: it probably asks for a login; nothing was changed",
            source=label,
            hint="Use the calendar's secret address in iCal format (Google: Settings, your calendar, Integrate calendar).",
        )
    if not head.startswith(b"begin:vcalendar"):
        raise SyncError(
            f"{shown} did not give a calendar (no BEGIN:VCALENDAR at the start); nothing was changed",
            source=label, hint="Check that the address is the calendar's .ics (iCal) address.",
        )
