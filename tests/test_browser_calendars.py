"""The live-calendar journey in a real headless Chromium: add a calendar address on the
Calendars page, see its weeks in the chart, change the file, press Sync now, see the change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from balance_dash import store
from balance_dash.settings import Settings
from tests.support.browser import metric, open_app, screenshot, wait_for_app
from tests.support.calendars import calendar
from tests.support.live_servers import Answer, FeedServer

# The dashboard runs in its own process: the fail backend keeps it off any real keyring.
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def workdays(hours_per_day: int) -> bytes:
    """Five working days of `hours_per_day` from Monday 16 November 2026 (2026-W47), Berlin time."""
    start = datetime(2026, 11, 16, 9, 0)
    end = start.replace(hour=9 + hours_per_day)
    return calendar(
        "BEGIN:VEVENT\r\nUID:days\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Client project\r\n"
        f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}\r\nDTEND;TZID=Europe/Berlin:{end:%Y%m%dT%H%M%S}\r\n"
        "RRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT",
        name="Client work",
    )


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    server = FeedServer(answer=Answer(body=workdays(8))).start()
    try:
        yield server
    finally:
        server.stop()


def work_hours(page: Page, base_url: str) -> None:
    open_app(page, base_url + "/?week=2026-W47")
    expect(page.get_by_text("2026-W47 ·")).to_be_visible(timeout=30_000)


def test_add_an_address_see_its_weeks_then_sync_now_after_a_change(
    page: Page, start_dashboard, sqlite_url: str, feed: FeedServer  # type: ignore[no-untyped-def]
) -> None:
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone="Europe/Berlin"))
    engine.dispose()
    base_url = start_dashboard(env=NO_KEYRING)
    open_app(page, base_url + "/import")
    expect(page.get_by_role("heading", name="Calendars", exact=True)).to_be_visible()
    page.get_by_role("textbox", name="Calendar address").fill(feed.url)
    page.get_by_role("combobox", name="Area of its events").click()
    page.get_by_role("option", name="work", exact=True).click()
    page.get_by_role("button", name="Subscribe").click()
    wait_for_app(page)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_contain_text("Client work", timeout=30_000)
    expect(page.get_by_text("5ecret7oken")).to_have_count(0)
    screenshot(page, "calendars-01-subscribed")

    work_hours(page, base_url)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible()
    ticks = chart.locator(".xtick text").evaluate_all("nodes => nodes.map(n => n.textContent)")
    assert "W47" in ticks, ticks  # short week ticks; the year is on the first one
    work = metric(page, "Work").get_by_test_id("stMetricValue")
    expect(work).to_have_text("40.0 h")

    feed.answer = Answer(body=workdays(6))
    open_app(page, base_url + "/import")
    page.get_by_role("button", name="🔄 Sync now").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("5 updated", timeout=30_000)
    screenshot(page, "calendars-02-synced")
    work_hours(page, base_url)
    expect(work).to_have_text("30.0 h")
