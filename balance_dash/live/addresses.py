"""Calendar addresses: which ones are accepted, and how they are shown without their secret.

A published calendar's address is its password: Google's "secret address in iCal format"
reads the whole calendar for anyone who has it. So an address is never shown whole: the
dashboard, the CLI and every message show `https://calendar.google.com/…/basic.ics`.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from balance_dash.errors import InvalidValueError

SCHEMES = ("https", "http", "webcal", "webcals")
_SHOWN_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
_SHOWN_NAME_LENGTH = 40  # a longer last segment is more likely a token than a file name


def normalise(address: str) -> str:
    """The address to fetch: webcal(s) becomes https (as calendar apps do); other schemes are refused."""
    text = address.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        raise InvalidValueError(
            f"{mask(text)!r} is not a calendar address",
            hint="Give an https://, http:// or webcal:// address, such as Google's secret address in iCal format.",
        )
    if scheme.startswith("webcal"):
        scheme = "https"
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def mask(address: str) -> str:
    """`https://host/…/name.ics`: scheme and host, and the file name when it looks like one.

    User names, passwords, query strings and every path segment but a short *.ics name are
    left out, because providers put the secret in any of them.
    """
    parts = urlsplit(address.strip())
    host = parts.hostname or "?"
    if parts.port:
        host = f"{host}:{parts.port}"
    scheme = (parts.scheme or "https").lower()
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    shown = last if last.lower().endswith(_SHOWN_SUFFIXES) and len(last) <= _SHOWN_NAME_LENGTH else ""
    hidden = parts.path.strip("/") not in ("", shown) or parts.query or parts.username
    tail = ("/…" if hidden else "") + (f"/{shown}" if shown else "")
    return f"{scheme}://{host}{tail}"


def server_label(server_url: str, username: str) -> str:
    """How a CalDAV account is shown: user@host (no path, no password)."""
    parts = urlsplit(server_url)
    host = parts.hostname or "?"
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{username}@{host}"
