"""Calendar addresses: which are accepted, and how they are shown without their secret."""

from __future__ import annotations

import pytest

from balance_dash.errors import InvalidValueError
from balance_dash.live import addresses


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("https://calendar.google.com/calendar/ical/me%40gmail.com/private-0a1b2c/basic.ics",
         "https://calendar.google.com/…/basic.ics"),
        ("https://outlook.office365.com/owa/calendar/1f2e/3d4c5b/reachcalendar.ics",
         "https://outlook.office365.com/…/reachcalendar.ics"),
        ("webcal://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTA", "webcal://p52-caldav.icloud.com/…"),
        ("https://user:pw@example.org/cal.ics?token=abc", "https://example.org/…/cal.ics"),
        ("https://example.org/feeds/" + "a" * 60 + ".ics", "https://example.org/…"),
        ("http://127.0.0.1:8080/work.ics", "http://127.0.0.1:8080/work.ics"),
        ("https://example.org/", "https://example.org"),
    ],
)
def test_mask_keeps_host_and_a_short_file_name_only(address: str, shown: str) -> None:
    assert addresses.mask(address) == shown


def test_webcal_is_read_over_https_and_other_schemes_are_refused() -> None:
    assert addresses.normalise(" webcal://example.org/a.ics ") == "https://example.org/a.ics"
    assert addresses.normalise("HTTPS://example.org") == "https://example.org/"
    for address in ("ftp://example.org/a.ics", "file:///etc/passwd", "example.org/a.ics", "https://"):
        with pytest.raises(InvalidValueError, match="is not a calendar address"):
            addresses.normalise(address)


def test_an_account_is_shown_as_user_at_host() -> None:
    assert addresses.server_label("https://cloud.example.org:8443/remote.php/dav", "me") == "me@cloud.example.org:8443"
