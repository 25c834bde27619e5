"""The main journeys in a real headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from balance_dash import store
from balance_dash.settings import Settings
from tests.support.browser import metric, open_app, screenshot, wait_for_app

REPO = Path(__file__).resolve().parents[1]


def seed_zone(url: str, zone: str = "Europe/Berlin") -> None:
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=zone))
    engine.dispose()


def go_to(page: Page, label: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
    wait_for_app(page)


def test_empty_state_then_sample_then_every_page(page, start_dashboard, sqlite_url):
    seed_zone(sqlite_url)
    open_app(page, start_dashboard())
    expect(page.get_by_text("Welcome to balance-dash")).to_be_visible()
    screenshot(page, "01-empty-welcome")
    page.get_by_role("button", name="Load the sample calendar").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Your week")).to_be_visible(timeout=30_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    for area in ("Work", "Family", "Personal", "Rest"):
        expect(page.get_by_test_id("stMetricLabel").get_by_text(area, exact=True)).to_be_visible()
    screenshot(page, "02-this-week-sample")
    go_to(page, "Calendars")
    expect(page.get_by_role("heading", name="Your calendars")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_role("combobox", name="Delete a calendar with all its events")).to_have_value("Sample calendar")
    screenshot(page, "03-import-sample")
    go_to(page, "Targets and boundaries")
    expect(page.get_by_text("Target hours per week")).to_be_visible()
    screenshot(page, "04-targets")


def test_upload_an_ics_and_see_its_weeks_in_the_chart(page, start_dashboard, sqlite_url, tmp_path):
    seed_zone(sqlite_url)
    calendar = tmp_path / "my-work.ics"
    calendar.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:My work\r\n"
        "BEGIN:VEVENT\r\nUID:w1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Quarterly review\r\n"
        "DTSTART;TZID=Europe/Berlin:20261116T090000\r\nDTEND;TZID=Europe/Berlin:20261116T170000\r\n"
        "RRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    base_url = start_dashboard()
    open_app(page, base_url + "/import")
    page.locator("input[type=file]").set_input_files(str(calendar))
    page.get_by_role("combobox", name="Put every event in").click()
    page.get_by_role("option", name="work", exact=True).click()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    # File text is shown escaped, with a word joiner after ':' so nothing reads as a link.
    expect(page.get_by_text(re.compile("'My work':\u2060? 5 occurrences of 1 events"))).to_be_visible(timeout=30_000)
    screenshot(page, "05-import-done")
    open_app(page, base_url + "/?week=2026-W47")
    expect(page.get_by_text("2026-W47 ·")).to_be_visible(timeout=30_000)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible()
    # The chart's x axis holds the week labels: the selected week and the eleven before it.
    ticks = chart.locator(".xtick text").evaluate_all("nodes => nodes.map(n => n.textContent)")
    assert "W47" in ticks, ticks  # short week ticks: W47, with the year where it starts
    work = metric(page, "Work").get_by_test_id("stMetricValue")
    expect(work).to_have_text("40.0 h")
    screenshot(page, "06-this-week-uploaded")
