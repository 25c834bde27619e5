"""The Rules and Data pages in a real headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

import pandas as pd
from playwright.sync_api import expect

from balance_dash import store, workflows
from balance_dash.settings import Settings
from tests.support.browser import expect_no_exception, open_app, screenshot, wait_for_app

BERLIN = "Europe/Berlin"


def seed_sample(url: str) -> None:
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=BERLIN))
    workflows.load_sample(engine, tz=workflows.resolve_zone(BERLIN), settings=store.load_settings(engine))
    engine.dispose()


def test_place_the_uncategorized_event_with_one_click(page, start_dashboard, sqlite_url):
    seed_sample(sqlite_url)
    open_app(page, start_dashboard() + "/rules")
    expect(page.get_by_role("heading", name="Uncategorized events")).to_be_visible()
    row = page.get_by_test_id("stVerticalBlock").filter(has_text="Catch-up with Sam").filter(
        has=page.get_by_role("button", name="Family", exact=True)
    ).last
    expect(row.get_by_text("Sample calendar · 1× · 0.5 h")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()  # the rule editor
    expect(page.get_by_text("Distinct events it catches")).to_be_visible()
    screenshot(page, "rules")
    row.get_by_role("button", name="Family", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("Every event has an area.")).to_be_visible(timeout=30_000)
    # the row stays where it was, marked placed, so nothing moves under the pointer
    placed = page.locator("[class*='st-key-uncategorized-']").filter(has_text="Catch-up with Sam")
    expect(placed.get_by_role("button", name="✅ Family", exact=True)).to_be_disabled()
    expect(placed.get_by_role("button", name="Rest", exact=True)).to_be_disabled()
    expect_no_exception(page)
    screenshot(page, "rules-placed")
    open_app(page, page.url.split("/rules")[0] + "/trends")
    page.get_by_role("link", name="Rules").click()  # the next visit lists afresh
    wait_for_app(page)
    expect(page.get_by_text("Every event has an area.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Catch-up with Sam")).to_have_count(0)
    engine = store.open_engine(sqlite_url)
    assert store.load_placements(engine)["area"].tolist() == ["family"]
    engine.dispose()


def test_export_entries_as_csv_and_read_them_back(page, start_dashboard, sqlite_url, tmp_path):
    seed_sample(sqlite_url)
    open_app(page, start_dashboard() + "/data")
    expect(page.get_by_role("heading", name="Export")).to_be_visible()
    expect(page.get_by_role("button", name="Download backup")).to_be_visible()
    expect_no_exception(page)
    screenshot(page, "data")
    with page.expect_download(timeout=30_000) as started:
        page.get_by_role("button", name="Entries as CSV").click()
    download = started.value
    assert download.suggested_filename.startswith("balance-dash-entries-") and download.suggested_filename.endswith(".csv")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    entries = pd.read_csv(path, keep_default_na=False)
    engine = store.open_engine(sqlite_url)
    assert len(entries) == store.count_occurrences(engine)
    engine.dispose()
    sam = entries[entries["title"] == "Catch-up with Sam"].iloc[0]
    assert (sam["start"], sam["duration_hours"], sam["area"]) == ("2026-11-19T12:45+01:00", 0.5, "uncategorized")
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name="Download backup").click()
    assert started.value.suggested_filename.endswith(".db")
    backup = tmp_path / "backup.db"
    started.value.save_as(backup)
    assert backup.read_bytes().startswith(store.SQLITE_HEADER)
