"""The Reflect journey in a real headless Chromium: answer, save, refine a target, download a plan."""

from __future__ import annotations

import icalendar
from playwright.sync_api import Page, expect

from balance_dash import store, workflows
from balance_dash.settings import Settings
from tests.support.browser import expect_no_exception, open_app, screenshot, wait_for_app


def seed_sample(url: str) -> None:
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone="Europe/Berlin"))
    workflows.load_sample(engine, tz=workflows.resolve_zone("Europe/Berlin"), settings=store.load_settings(engine))
    engine.dispose()


def set_date(page: Page, label: str, digits: str) -> None:
    """Type a date into Streamlit's segmented date field (year, month, day segments)."""
    page.get_by_role("group", name=label, exact=True).get_by_role("spinbutton").first.click()
    page.keyboard.type(digits)
    page.keyboard.press("Tab")
    wait_for_app(page)


def test_review_refine_and_plan(page, start_dashboard, sqlite_url, tmp_path):
    seed_sample(sqlite_url)
    open_app(page, start_dashboard() + "/reflect?week=2026-W46")
    expect(page.get_by_role("heading", name="Reflect", exact=True)).to_be_visible()
    expect(page.get_by_text("2026-W46 ·")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Boundaries kept")).to_contain_text("2 of 4")
    expect_no_exception(page)
    screenshot(page, "reflect-01-week")

    page.get_by_label("Where do I feel the most stuck?").fill("Release crunch <b>evenings</b>")
    page.get_by_label("Notes", exact=True).fill("Say no to the next crunch.")
    page.get_by_role("button", name="Save the review").click()
    wait_for_app(page)
    reviews = page.get_by_test_id("stDataFrame").last
    expect(reviews).to_contain_text("2026-W46", timeout=30_000)

    page.get_by_text("Change a target").click()
    page.get_by_role("combobox", name="Area").first.click()
    page.get_by_role("option", name="Family", exact=True).click()
    wait_for_app(page)
    least = page.get_by_label("At least (h)")
    least.fill("10")
    least.press("Tab")
    set_date(page, "From", "20260907")
    page.get_by_role("button", name="Save the target").click()
    wait_for_app(page)
    expect(page.get_by_text("You lowered family time from at least 14 h to at least 10 h on 7 September")).to_be_visible(timeout=30_000)
    expect_no_exception(page)
    screenshot(page, "reflect")  # the review and the refine section (the page scrolls to the form)

    page.get_by_role("heading", name="Plan next week").scroll_into_view_if_needed()
    expect(page.get_by_test_id("stDataFrame").filter(has_text="2026-W46")).to_be_visible()
    screenshot(page, "reflect-03-plan")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the plan").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    calendar = icalendar.Calendar.from_ical(saved.read_bytes())
    assert calendar.events and all(event.uid.startswith("balance-dash-plan-") for event in calendar.events)
