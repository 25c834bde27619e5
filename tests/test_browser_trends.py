"""The Trends page and the week's day-by-day timeline in a real headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from balance_dash import store, workflows
from balance_dash.settings import Settings
from tests.support.browser import expect_no_exception, open_app, screenshot, wait_for_app

BERLIN = "Europe/Berlin"


@pytest.fixture
def sample_dashboard(start_dashboard, sqlite_url) -> str:
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone=BERLIN))
    workflows.load_sample(engine, tz=workflows.resolve_zone(BERLIN), settings=store.load_settings(engine))
    engine.dispose()
    return start_dashboard()


def charts(page: Page):
    return page.locator(".js-plotly-plot")


def day_rows(timeline) -> list[str]:
    """The timeline's row labels from top to bottom (the DOM lists a reversed axis bottom-up)."""
    return timeline.locator(".ytick text").all_text_contents()[::-1]


def titles(page: Page) -> list[str]:
    return charts(page).locator(".gtitle").all_text_contents()


def test_trends_show_lines_heatmap_after_hours_and_comparisons(page, sample_dashboard):
    open_app(page, sample_dashboard + "/trends")
    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    expect(charts(page)).to_have_count(8, timeout=30_000)
    expect_no_exception(page)
    assert titles(page)[:4] == [
        "Weekly hours per area", "When you work", "Work outside your boundaries", "Boundaries kept",
    ]
    weekly = charts(page).nth(0)
    # One thick line per area (the rolling mean) and one dotted line per area (the weeks).
    assert weekly.locator(".scatterlayer .trace").count() >= 8
    legend = weekly.locator(".legendtext").all_text_contents()
    assert {"work", "family", "personal", "rest"} <= set(legend), legend
    heatmap = charts(page).nth(1)
    expect(heatmap.locator(".hm image, .heatmaplayer image").first).to_be_attached()
    assert set(heatmap.locator(".ytick text").all_text_contents()) == {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
    }
    screenshot(page, "trends")

    page.get_by_text("All", exact=True).click()
    wait_for_app(page)
    expect_no_exception(page)
    expect(page.get_by_text("07 Sep 2026 –")).to_be_visible()
    screenshot(page, "trends-all")


def test_the_crunch_week_day_by_day(page, sample_dashboard):
    open_app(page, sample_dashboard + "/?week=2026-W46")
    expect(page.get_by_text("2026-W46 ·")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Day by day")).to_be_visible()
    timeline = charts(page).filter(has=page.locator(".gtitle", has_text="Events by time of day"))
    expect(timeline).to_be_visible()
    expect_no_exception(page)
    rows = day_rows(timeline)
    assert rows == [
        "Mon 09 Nov", "Tue 10 Nov", "Wed 11 Nov", "Thu 12 Nov", "Fri 13 Nov",
        "Sat 14 Nov · rest day", "Sun 15 Nov · rest day",
    ], rows
    shapes = timeline.locator(".annotation-text").all_text_contents()
    assert sorted(shapes) == ["disconnect 18:00", "sleep window", "start 08:00"], shapes
    timeline.scroll_into_view_if_needed()
    screenshot(page, "week-timeline")


def test_the_vacation_week_shows_its_days_off(page, sample_dashboard):
    open_app(page, sample_dashboard + "/?week=2026-W43")
    timeline = charts(page).filter(has=page.locator(".gtitle", has_text="Events by time of day"))
    expect(timeline).to_be_visible(timeout=30_000)
    rows = day_rows(timeline)
    assert rows[:5] == [f"{day} Oct · day off" for day in ("Mon 19", "Tue 20", "Wed 21", "Thu 22", "Fri 23")], rows
    timeline.scroll_into_view_if_needed()
    expect(timeline.locator(".bartext", has_text="Vacation - Lake Garda").first).to_be_visible()
    screenshot(page, "week-timeline-vacation")
