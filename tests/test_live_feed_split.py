"""Splitting a feed's text into its head and its events by UID (live/feed_split.py)."""

from __future__ import annotations

import pytest

from balance_dash.live.feed_split import partial_calendar, split_feed

ZONE = "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"


def vevent(uid: str, *extra: str, stamp: str = "20261123T120000Z") -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", "DTSTART:20261123T090000Z", *extra, "END:VEVENT"]
    return "\n".join(lines)


def feed(*parts: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "X-WR-TIMEZONE:Europe/Berlin", *parts, "END:VCALENDAR", ""]).replace(
        "\n", "\r\n"
    ).replace("\r\r\n", "\r\n")


def test_events_are_grouped_by_uid_with_their_overrides_and_zones_stay_in_the_head() -> None:
    text = feed(ZONE, vevent("a", "RRULE:FREQ=WEEKLY"), vevent("b"), vevent("a", "RECURRENCE-ID:20261130T090000Z"))
    parts = split_feed(text)
    assert parts is not None
    assert list(parts.groups) == ["a", "b"]
    assert parts.groups["a"].count("BEGIN:VEVENT") == 2
    assert "TZID:Europe/Berlin" in parts.head and "X-WR-TIMEZONE:Europe/Berlin" in parts.head
    partial = partial_calendar(parts, ["a"]).decode()
    assert partial.count("BEGIN:VEVENT") == 2 and "UID:b" not in partial and "TZID:Europe/Berlin" in partial
    assert partial.startswith("BEGIN:VCALENDAR\r\n") and partial.endswith("END:VCALENDAR\r\n")


def test_only_changed_lines_change_a_hash_and_dtstamp_is_not_one() -> None:
    first = split_feed(feed(vevent("a"), vevent("b")))
    restamped = split_feed(feed(vevent("a", stamp="20261201T000000Z"), vevent("b", stamp="20261201T000000Z")))
    retitled = split_feed(feed(vevent("a", "SUMMARY:New"), vevent("b")))
    assert first is not None and restamped is not None and retitled is not None
    assert restamped.hashes == first.hashes and restamped.head_sha256 == first.head_sha256
    assert retitled.hashes["a"] != first.hashes["a"] and retitled.hashes["b"] == first.hashes["b"]


def test_folded_text_that_looks_like_a_component_is_text() -> None:
    parts = split_feed(feed(vevent("a", "DESCRIPTION:see", " BEGIN:VEVENT and", " END:VCALENDAR")))
    assert parts is not None and list(parts.groups) == ["a"]


def test_an_alarm_uid_is_not_the_event_uid() -> None:
    alarm = "BEGIN:VALARM\nUID:alarm-1\nACTION:DISPLAY\nTRIGGER:-PT5M\nEND:VALARM"
    parts = split_feed(feed(vevent("a", alarm)))
    assert parts is not None and list(parts.groups) == ["a"]


@pytest.mark.parametrize(
    "text",
    [
        feed(vevent("a"), "BEGIN:VEVENT\nDTSTART:20261123T090000Z\nEND:VEVENT"),  # an event without UID
        feed(vevent("a"), "BEGIN:VEVENT\nUID:x\nUID:y\nEND:VEVENT"),  # two UIDs
        feed(vevent("a"), "BEGIN:VEVENT\nUID:x"),  # never closed
        feed(vevent("a"), "END:VTODO", "END:VTODO"),  # closes more than it opened
        feed("BEGIN:VCALENDAR", vevent("a"), "END:VCALENDAR"),  # a calendar inside a calendar
        "BEGIN:VEVENT\nUID:a\nEND:VEVENT\n",  # no calendar around it
        feed(vevent("a")) + "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",  # two calendars
    ],
    ids=["no-uid", "two-uids", "unclosed", "overclosed", "nested-calendar", "no-calendar", "two-calendars"],
)
def test_what_it_does_not_follow_is_refused(text: str) -> None:
    assert split_feed(text) is None
