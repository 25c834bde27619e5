"""Lived hours in a real browser: declined and free time reported, a vacation week not judged."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import metric, open_app, screenshot, wait_for_app
from tests.test_browser_journeys import seed_zone

FIXTURES = Path(__file__).parent / "data" / "ics"

def upload(page: Page, name: str) -> None:
    page.locator("input[type=file]").set_input_files(str(FIXTURES / name))
    page.get_by_role("combobox", name="Put every event in").click()
    page.get_by_role("option", name="work", exact=True).click()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)

def test_declined_free_and_away_time_in_the_browser(page, start_dashboard, sqlite_url):
    seed_zone(sqlite_url)
    base_url = start_dashboard()
    open_app(page, base_url + "/import")
    page.get_by_role("textbox", name="My addresses").fill("me@example.com")
    page.get_by_role("button", name="Save my addresses").click()
    wait_for_app(page)
    expect(page.get_by_text("Saved your addresses")).to_be_visible(timeout=30_000)
    upload(page, "attendance_google_meetings.ics")
    expect(page.get_by_text("2 meetings you declined (9.0 h) are not counted.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("1 event shown as free (10.0 h) is not counted.")).to_be_visible()
    upload(page, "outlook_out_of_office.ics")
    expect(page.get_by_text("1 out-of-office event (8.0 h) is not counted.")).to_be_visible(timeout=30_000)
    screenshot(page, "attendance-01-import-notes")

    open_app(page, base_url + "/?week=2026-W45")
    expect(page.get_by_text("2026-W45 ·")).to_be_visible(timeout=30_000)
    work = metric(page, "Work").get_by_test_id("stMetricValue")
    expect(work).to_have_text("6.0 h")
    expect(page.get_by_text("Not counted: 8.0 h declined, 10.0 h shown as free, 2.0 h cancelled.")).to_be_visible()
    screenshot(page, "attendance-02-first-week-with-data")

    open_app(page, base_url + "/?week=2026-W47")
    expect(page.get_by_text("2026-W47 ·")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("· vacation")).to_be_visible()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("of work, below your target")).to_have_count(0)
    screenshot(page, "attendance-03-vacation-week")

    open_app(page, base_url + "/?week=2026-W41")
    expect(page.get_by_text("No calendar or log covers this week")).to_be_visible(timeout=30_000)
    expect(main.get_by_text("below your target")).to_have_count(0)
    screenshot(page, "attendance-04-week-before-data")
