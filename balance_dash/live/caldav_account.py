"""A CalDAV account: find its calendars, and fetch only what changed in one of them.

The `caldav` library speaks the protocol. A sync first asks the collection for its sync token
(RFC 6578) and `getctag` (one PROPFIND, depth 0): when they are what the last sync saw,
nothing else is sent. Otherwise a sync-collection REPORT lists the objects changed since the
last token, and a calendar-multiget REPORT fetches only those (RFC 4791 section 7.9). Servers
differ in expanding recurring events, so nothing is asked of them: the objects are combined
into one calendar and expanded by the same import path as an uploaded file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import niquests.exceptions
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from caldav.lib.url import URL

from balance_dash.errors import SyncError
from balance_dash.live.addresses import server_label

TIMEOUT_S = 30
_CTAG = "{http://calendarserver.org/ns/}getctag"
_SYNC_TOKEN = "{DAV:}sync-token"
_MULTIGET_BATCH = 200
_UNFOLD = re.compile(r"\r?\n[ \t]")
_UID = re.compile(r"^UID(?:;[^:\r\n]*)?:(.*?)\r?$", re.MULTILINE | re.IGNORECASE)
_TZID = re.compile(r"^TZID(?:;[^:\r\n]*)?:(.*?)\r?$", re.MULTILINE | re.IGNORECASE)

# The library logs each request's URL at DEBUG and odd server answers at WARNING; neither
# carries a password, but the dashboard's console should not fill with them either.
logging.getLogger("caldav").setLevel(logging.ERROR)


@dataclass(frozen=True)
class FoundCalendar:
    name: str
    url: str


@dataclass(frozen=True)
class Changes:
    """What changed in a calendar since the last sync.

    `unchanged`: the sync token or ctag was the same, nothing else was asked. `complete`:
    `fetched` holds every object of the calendar (the first sync, or a refresh), so whatever
    is not in it is gone. Otherwise `fetched` holds the added and changed objects and
    `deleted` the hrefs of the removed ones.
    """

    unchanged: bool
    complete: bool
    sync_token: str | None
    ctag: str | None
    fetched: dict[str, tuple[str, str]] = field(default_factory=dict)  # href -> (etag, iCalendar text)
    deleted: frozenset[str] = frozenset()


@contextmanager
def _client(server: str, username: str, password: str, *, label: str, timeout: float) -> Iterator[DAVClient]:
    """A client; every failure inside the block becomes one SyncError line."""
    account = server_label(server, username)
    try:
        with DAVClient(
            url=server, username=username, password=password, timeout=int(max(timeout, 1)), enable_rfc6764=False
        ) as client:
            yield client
    except SyncError:
        raise
    except dav_error.AuthorizationError as exc:
        raise SyncError(
            f"{account} refused the password, or this calendar belongs to someone else (HTTP {_status(exc)}); "
            "nothing was changed",
            source=label, hint="Check the user name and password; iCloud, Fastmail and Google need an app password.",
        ) from exc
    except dav_error.NotFoundError as exc:
        raise SyncError(
            f"{account}: the calendar was not found (HTTP 404); nothing was changed",
            source=label, hint="It may have been deleted or renamed: connect the account again.",
        ) from exc
    except (niquests.exceptions.ConnectTimeout, niquests.exceptions.ReadTimeout, niquests.exceptions.Timeout) as exc:
        raise SyncError(
            f"{account} did not answer within {timeout:g} seconds; nothing was changed",
            source=label, hint="Try again later, or check the network connection.",
        ) from exc
    except niquests.exceptions.SSLError as exc:
        raise SyncError(
            f"the secure connection to {account} failed (its certificate is not trusted, or TLS failed); "
            "nothing was changed",
            source=label, hint="Check the server address.",
        ) from exc
    except niquests.exceptions.ConnectionError as exc:
        raise SyncError(
            f"cannot connect to {account}; nothing was changed", source=label,
            hint="Check the network connection and the server address.",
        ) from exc
    except (dav_error.DAVError, niquests.exceptions.RequestException) as exc:
        raise SyncError(
            f"{account} answered with an error ({type(exc).__name__}, HTTP {_status(exc)}); nothing was changed",
            source=label, hint="If it lasts, check the server address and that it speaks CalDAV.",
        ) from exc


def _status(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return str(status)
    found = re.search(r"\b([45]\d\d)\b", str(exc))
    return found.group(1) if found else "?"


def discover(server: str, username: str, password: str, *, label: str, timeout: float = TIMEOUT_S) -> list[FoundCalendar]:
    """The account's calendars (those that can hold events), by display name."""
    with _client(server, username, password, label=label, timeout=timeout) as client:
        found = []
        for calendar in client.get_calendars():
            name = calendar.get_display_name() or str(calendar.url).rstrip("/").rsplit("/", 1)[-1]
            found.append(FoundCalendar(name=str(name), url=str(calendar.url)))
    if not found:
        raise SyncError(
            f"{server_label(server, username)} has no calendars", source=label,
            hint="Check the server address: some servers need the full CalDAV path (e.g. /remote.php/dav for Nextcloud).",
        )
    return found


def fetch_changes(
    server: str,
    username: str,
    password: str,
    calendar_url: str,
    *,
    label: str,
    sync_token: str | None,
    ctag: str | None,
    known: dict[str, str],
    everything: bool,
    timeout: float = TIMEOUT_S,
) -> Changes:
    """What changed since `sync_token` / `ctag`; `known` maps href -> ETag of the objects held.

    `everything` fetches every object (the first sync, or a refresh of the expansion window).
    """
    with _client(server, username, password, label=label, timeout=timeout) as client:
        calendar = Calendar(client=client, url=calendar_url)
        token_now, ctag_now = _collection_tags(client, calendar_url)
        same = (token_now is not None and token_now == sync_token) or (ctag_now is not None and ctag_now == ctag)
        if same and not everything and sync_token is not None:
            return Changes(unchanged=True, complete=False, sync_token=sync_token, ctag=ctag)
        incremental = sync_token is not None and not everything and not sync_token.startswith("fake-")
        # A synchronous client gives the collection itself (the async one would give a coroutine).
        listing: Any = calendar.get_objects_by_sync_token(sync_token if incremental else None, load_objects=False)
        new_token = str(listing.sync_token) if listing.sync_token else token_now
        complete_listing = not incremental or (new_token or "").startswith("fake-")
        deleted = {str(url.canonical()) for url in listing.deleted_urls}
        listed: dict[str, str] = {}
        for obj in listing:
            href = str(obj.url.canonical())
            if href in deleted:
                continue
            listed[href] = str((getattr(obj, "props", None) or {}).get("{DAV:}getetag") or "")
        if complete_listing:
            deleted |= set(known) - set(listed)
        wanted = [href for href, etag in listed.items() if everything or not etag or known.get(href) != etag]
        fetched = _multiget(calendar, wanted)
        return Changes(
            unchanged=False, complete=everything, sync_token=new_token, ctag=ctag_now,
            fetched=fetched, deleted=frozenset(deleted),
        )


def _collection_tags(client: DAVClient, calendar_url: str) -> tuple[str | None, str | None]:
    response = client.propfind(calendar_url, props=[_SYNC_TOKEN, _CTAG], depth=0)
    for result in response.results or []:
        props: dict[str, Any] = getattr(result, "properties", {})
        token, ctag = props.get(_SYNC_TOKEN), props.get(_CTAG)
        return (str(token) if token else None), (str(ctag) if ctag else None)
    return None, None


def _multiget(calendar: Calendar, hrefs: list[str]) -> dict[str, tuple[str, str]]:
    fetched: dict[str, tuple[str, str]] = {}
    for start in range(0, len(hrefs), _MULTIGET_BATCH):
        batch = [URL.objectify(href) for href in hrefs[start : start + _MULTIGET_BATCH]]
        objects: Any = calendar.multiget(batch)  # a list with a synchronous client
        for obj in objects:
            data = obj.data
            if not data:
                continue
            etag = str((obj.props or {}).get("{DAV:}getetag") or "")
            fetched[str(obj.url.canonical())] = (etag, data if isinstance(data, str) else data.decode("utf-8"))
    return fetched


def object_uids(text: str) -> list[str]:
    """The UIDs of the components of one calendar object (one, except for odd servers)."""
    return sorted({uid.strip() for uid in _UID.findall(_UNFOLD.sub("", text)) if uid.strip()})


def combine(texts: Iterable[str]) -> bytes:
    """Calendar objects (each a VCALENDAR) as one VCALENDAR: their components, each time zone once.

    CalDAV keeps each event (with its overrides) in its own object (RFC 4791 section 4.1), so
    putting the components side by side loses nothing that the import reads.
    """
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//balance-dash//CalDAV sync//EN"]
    zones: set[str] = set()
    for text in texts:
        depth = 0
        block: list[str] = []
        for line in _UNFOLD.sub("", text).splitlines():
            upper = line.upper()
            if upper.startswith("BEGIN:"):
                depth += 1
                if depth == 1:
                    continue
            if depth >= 2:
                block.append(line)
            if upper.startswith("END:"):
                depth -= 1
                if depth == 1 and block:
                    if block[0].upper() == "BEGIN:VTIMEZONE":
                        tzid = _TZID.search("\n".join(block))
                        key = tzid.group(1).strip() if tzid else ""
                        if key in zones:
                            block = []
                            continue
                        zones.add(key)
                    out.extend(block)
                    block = []
    out.append("END:VCALENDAR")
    return ("\r\n".join(out) + "\r\n").encode("utf-8")
