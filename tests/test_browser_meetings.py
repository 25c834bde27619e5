"""The Meetings view of Trends in a real headless Chromium, on the sample and on ten generated years:
a click on a series' bar lists that series' meetings."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from balance_dash import store, workflows
from balance_dash.settings import Settings
from tests.bench.generate import generate
from tests.support.browser import expect_no_exception, open_app, screenshot, wait_for_app

BERLIN = "Europe/Berlin"
COST_CHART = "What each recurring meeting costs"


@pytest.fixture(scope="module")
def ten_years_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding a generated ten-year export (one calendar, with attendees), Europe/Berlin."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ten-years-meetings') / 'balance.db'}"
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=BERLIN, my_addresses=("me@example.com",)))
    workflows.import_calendar(engine, generate(10, now=datetime.now(UTC)), file_name="ten-years.ics",
                              tz=workflows.resolve_zone(BERLIN), settings=store.load_settings(engine))
    engine.dispose()
    return url


def click_costliest_series(page: Page) -> str:
    """Click the top bar of the series-cost chart and return the panel's heading."""
    chart = page.locator(".js-plotly-plot").filter(has=page.locator(".gtitle", has_text=COST_CHART))
    expect(chart).to_be_visible(timeout=60_000)
    chart.scroll_into_view_if_needed()
    bars = chart.locator(".barlayer .trace").first.locator(".point")
    bars.nth(bars.count() - 1).click(force=True)  # drawn bottom-up: the last bar is the costliest, on top
    wait_for_app(page, 90_000)
    expect_no_exception(page)
    panel = page.locator(".st-key-series-occurrences")
    expect(panel).to_be_visible(timeout=30_000)
    return panel.locator("[data-testid=stMarkdownContainer]").first.inner_text()


def test_the_sample_meetings_view_opens_a_series(page, start_dashboard, seeded_url):
    open_app(page, start_dashboard(db_url=seeded_url) + "/trends")
    expect(page.get_by_role("heading", name="Meetings")).to_be_visible(timeout=30_000)
    expect_no_exception(page)
    heading = click_costliest_series(page)
    # The standup (15 min, five times a week) costs more than the fortnightly 30-minute 1:1.
    match = re.fullmatch(r"Team standup: (\d+) meetings, ([\d.]+) h in the period", heading.strip())
    assert match, heading
    assert float(match.group(2)) == pytest.approx(int(match.group(1)) * 0.25, abs=0.051)  # one decimal shown
    page.locator(".st-key-series-occurrences").scroll_into_view_if_needed()
    screenshot(page, "meetings-sample-series")


def test_ten_years_of_meetings_open_a_series(page, start_dashboard, ten_years_url):
    open_app(page, start_dashboard(db_url=ten_years_url) + "/trends", timeout_ms=90_000)
    page.locator("[data-testid=stButtonGroup] button", has_text="All").first.click()
    wait_for_app(page, 120_000)
    expect_no_exception(page)
    expect(page.get_by_role("heading", name="Meetings")).to_be_visible(timeout=30_000)
    heading = click_costliest_series(page)
    match = re.search(r": (\d+) meetings, ([\d.]+) h in the period$", heading.strip())
    assert match, heading
    assert int(match.group(1)) > 10 and float(match.group(2)) > 0
    screenshot(page, "meetings-ten-years-series")
