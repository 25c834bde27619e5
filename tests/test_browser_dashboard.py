"""The weekly balance chart on ten generated years in a real headless Chromium: at most 26 weeks by
default, target boxes that never meet with "All", a clicked bar listing the events behind it,
both themes on the figure itself, and no sideways scrolling at phone width on any page."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from balance_dash import store, workflows
from balance_dash.chart_theme import PALETTES
from balance_dash.settings import Settings
from tests.bench.generate import generate
from tests.support.browser import VIEWPORT, expect_no_exception, open_app, screenshot, wait_for_app

BERLIN = "Europe/Berlin"
PAGE_PATHS = ["", "trends", "reflect", "import", "log", "rules", "targets", "data"]

# The figure as plotly.js drew it: traces with their decoded arrays, the computed layout.
FIGURE_JS = """(index) => {
  const plot = document.querySelectorAll('.js-plotly-plot')[index];
  const list = (v) => (v === undefined || v === null) ? null : Array.from(v);
  const full = plot._fullLayout;
  const axes = Object.keys(full).filter((k) => /^yaxis\\d*$/.test(k));
  return {
    data: plot._fullData.map((t) => ({type: t.type, name: t.name, x: list(t.x), y: list(t.y), base: list(t.base),
                                       yaxis: t.yaxis, offsetgroup: t.offsetgroup})),
    layout: {paper: full.paper_bgcolor, plot: full.plot_bgcolor, grid: full.yaxis.gridcolor, font: full.font.color,
             domains: Object.fromEntries(axes.map((k) => [k, full[k].domain]))},
  };
}"""


@pytest.fixture(scope="module")
def ten_years_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding a generated ten-year export (one calendar), Europe/Berlin."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ten-years') / 'balance.db'}"
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=BERLIN))
    settings = store.load_settings(engine)
    workflows.import_calendar(engine, generate(10, now=datetime.now(UTC)), file_name="ten-years.ics",
                              tz=workflows.resolve_zone(BERLIN), settings=settings)
    engine.dispose()
    return url


@pytest.fixture
def ten_years(start_dashboard, ten_years_url) -> str:
    return start_dashboard(db_url=ten_years_url)


def figure(page: Page, index: int = 0) -> dict[str, Any]:
    page.locator(".js-plotly-plot").nth(index).wait_for(state="attached", timeout=30_000)
    result: dict[str, Any] = page.evaluate(FIGURE_JS, index)
    return result


def area_bars(fig: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in fig["data"] if t["type"] == "bar" and not t["name"].endswith(" target")]


def test_default_range_shows_at_most_26_weeks_and_all_keeps_targets_apart(page, ten_years):
    open_app(page, ten_years)
    expect_no_exception(page)
    fig = figure(page)
    weeks = {x for bar in area_bars(fig) for x in bar["x"]}
    assert 12 <= len(weeks) <= 26, len(weeks)
    # every target box shares the slot of its own area's bar, never another's
    targets = [t for t in fig["data"] if t["name"].endswith(" target")]
    assert targets and all(t["offsetgroup"] == t["name"].split()[0].lower() for t in targets)
    assert len({t["offsetgroup"] for t in targets}) == len(targets)

    page.locator("[data-testid=stButtonGroup] button", has_text="All").first.click()
    wait_for_app(page, 90_000)
    expect_no_exception(page)
    fig = figure(page)
    assert not area_bars(fig)  # ten years are drawn as rows of lines, not 500 bars
    bands = [t for t in fig["data"] if t["name"].endswith(" target")]
    assert len(bands) == 4
    rows = sorted(fig["layout"]["domains"][t["yaxis"].replace("y", "yaxis")] for t in bands)
    assert len({t["yaxis"] for t in bands}) == 4
    for lower, upper in itertools.pairwise(rows):
        assert lower[1] < upper[0], rows  # no two bands overlap
    screenshot(page, "balance-all-ten-years")


def test_clicking_a_bar_lists_the_events_that_make_its_hours(page, ten_years):
    open_app(page, ten_years)
    fig = figure(page)
    [work] = [bar for bar in area_bars(fig) if bar["name"] == "Work"]
    position = len(work["x"]) - 4  # a week that is over
    hours = work["y"][position]
    chart = page.locator(".js-plotly-plot").first
    chart.locator(".barlayer .trace").first.locator(".point").nth(position).click(force=True)
    wait_for_app(page, 60_000)
    expect_no_exception(page)
    panel = page.locator(".st-key-drilldown")
    expect(panel).to_be_visible(timeout=30_000)
    heading = panel.locator("[data-testid=stMarkdownContainer]").first.inner_text()
    assert heading.startswith("Work in week"), heading
    match = re.search(r"(\d+) events?, ([\d.]+) h", heading)
    assert match, heading
    assert int(match.group(1)) > 0
    assert float(match.group(2)) == pytest.approx(hours, abs=0.05), (heading, hours)
    panel.scroll_into_view_if_needed()
    screenshot(page, "balance-drilldown")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_charts_follow_the_theme(browser: Browser, ten_years, theme):
    context = browser.new_context(viewport=VIEWPORT, color_scheme=theme)
    tab = context.new_page()
    try:
        open_app(tab, ten_years)
        expect(tab.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)  # the balance and the day by day
        colours = PALETTES[theme]
        for index in (0, 1):
            layout = figure(tab, index)["layout"]
            assert (layout["paper"], layout["plot"], layout["grid"], layout["font"]) == (
                colours.paper, colours.plot, colours.grid, colours.text,
            ), layout
        screenshot(tab, f"this-week-{theme}")
    finally:
        context.close()


def test_no_page_scrolls_sideways_at_phone_width(browser: Browser, ten_years):
    context = browser.new_context(viewport={"width": 390, "height": 1600}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    wide: dict[str, list[int]] = {}
    try:
        for path in PAGE_PATHS:
            open_app(tab, f"{ten_years}/{path}", timeout_ms=90_000)
            tab.wait_for_timeout(500)
            expect_no_exception(tab)
            widths = tab.evaluate(
                """() => ['html', 'body', '[data-testid=stMain]', '[data-testid=stAppViewContainer]']
                    .map((s) => document.querySelector(s)).filter(Boolean)
                    .map((el) => el.scrollWidth - el.clientWidth)"""
            )
            if max(widths) > 1:
                wide[path or "this week"] = widths
                screenshot(tab, f"phone-too-wide-{path or 'week'}")
    finally:
        context.close()
    assert wide == {}


def test_ten_years_seed_once(ten_years_url):
    """The module's database holds the generated decade (a guard for the tests above)."""
    engine = store.open_engine(ten_years_url)
    try:
        assert store.count_occurrences(engine) > 50_000
    finally:
        engine.dispose()
    assert Path(ten_years_url.removeprefix("sqlite:///")).exists()


def test_clicking_a_heatmap_cell_lists_the_work_in_that_hour(page, ten_years):
    open_app(page, ten_years + "/trends")
    heat = page.locator(".js-plotly-plot").nth(1)
    heat.scroll_into_view_if_needed()
    box = heat.locator(".nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * (10.5 / 24), box["y"] + box["height"] * (0.5 / 7))  # Monday, 10:00
    wait_for_app(page, 60_000)
    expect_no_exception(page)
    panel = page.locator(".st-key-heatmap-drilldown")
    expect(panel).to_be_visible(timeout=30_000)
    heading = panel.locator("[data-testid=stMarkdownContainer]").first.inner_text()
    match = re.search(r"^Work on Mondays, 10:00–11:00: (\d+) events?, ([\d.]+) h", heading)
    assert match and int(match.group(1)) > 0, heading
