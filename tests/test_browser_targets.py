"""Raising a target in a real headless Chromium: the crunch week's Work figure moves back on target."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from balance_dash import wording
from tests.support.browser import expect_no_exception, metric, open_app, screenshot, wait_for_app

CRUNCH_WEEK = "2026-W46"  # the sample's crunch week: 57.2 h of work against the default 35-48 h


def work_delta(page: Page) -> Locator:
    return metric(page, "Work").get_by_test_id("stMetricDelta")


def warning_card(page: Page, code: str) -> Locator:
    """The heading of one warning group's card, found by the code's title in words."""
    title = wording.warning_title(code)
    return page.locator("[data-testid=stMarkdownContainer] strong").filter(has_text=re.compile(f"^{re.escape(title)}"))


def open_week(page: Page, base_url: str, iso_week: str) -> None:
    open_app(page, f"{base_url}/?week={iso_week}")
    expect(page.get_by_text(f"{iso_week} ·")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Warnings")).to_be_visible()


def set_date(page: Page, label: str, digits: str) -> None:
    """Type a date into Streamlit's segmented date field: click its first segment, type YYYYMMDD."""
    page.get_by_role("group", name=label, exact=True).get_by_role("spinbutton").first.click()
    page.keyboard.type(digits)
    page.keyboard.press("Tab")
    wait_for_app(page)


def test_raising_the_work_ceiling_puts_the_crunch_week_on_target(page, start_dashboard, seeded_url):
    base_url = start_dashboard(db_url=seeded_url)

    open_week(page, base_url, CRUNCH_WEEK)
    expect(
        metric(page, "Work").get_by_test_id("stMetricValue")
    ).to_have_text("57.2 h")
    expect(work_delta(page)).to_have_text("9.2 h over target")  # one sign: the words say which way
    expect(warning_card(page, "above_target")).to_have_count(1)
    expect(warning_card(page, "week_55h")).to_have_count(1)
    expect_no_exception(page)
    screenshot(page, "targets-before")

    page.get_by_test_id("stSidebarNav").get_by_text("Targets and boundaries", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("Target hours per week")).to_be_visible(timeout=30_000)
    ceiling = page.get_by_label("Work: at most (h)")
    expect(ceiling).to_have_value("48.00")
    ceiling.fill("60")
    ceiling.press("Tab")
    set_date(page, "Apply from", "20260101")
    # The field's year, month and day segments: the targets now apply from 1 January, before W46.
    segments = page.get_by_role("group", name="Apply from", exact=True).get_by_role("spinbutton")
    expect(segments).to_have_text(["2026", "01", "01"])
    page.get_by_role("button", name="Save targets").click()
    wait_for_app(page)
    # The history now holds the new rows. (Not the "Targets saved" toast: it is sent just before
    # st.rerun(), and the rerun often clears it before it shows.)
    page.get_by_test_id("stExpander").get_by_text("Target history").click()
    history = (
        page.get_by_test_id("stExpander").filter(has_text="Target history").get_by_test_id("stDataFrame")
    )
    expect(history).to_contain_text("01 Jan 2026", timeout=30_000)  # dates as people write them
    expect_no_exception(page)

    open_week(page, base_url, CRUNCH_WEEK)
    expect(work_delta(page)).to_have_text("on target")
    expect(warning_card(page, "above_target")).to_have_count(0)
    expect(warning_card(page, "week_55h")).to_have_count(1)
    expect_no_exception(page)
    screenshot(page, "targets-after")
