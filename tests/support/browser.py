"""Headless Chromium through Playwright, and helpers for pages served by Streamlit.

The browser is the system's Chromium (Debian package `chromium`); the suite never runs
`playwright install`, so nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from playwright.sync_api import Locator, Page, ViewportSize, expect

from tests.support.environment import REPO_ROOT

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
VIEWPORT: ViewportSize = {"width": 1400, "height": 2400}  # tall, so a whole page fits one screenshot
APP_TIMEOUT_MS = 30_000
# Assertions wait this long for what the page shows: a machine busy with other work renders a
# rerun in seconds, and Playwright's 5 s default then fails a correct page.
expect.set_options(timeout=15_000)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Chromium phones home for updates, sync and field trials; on a closed network those connections
# are refused and slow every launch, so switch them all off.
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm, which crashes tabs
)


def find_chromium() -> Path | None:
    """Debian's /usr/bin/chromium, else the first Chromium or Chrome on PATH."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name, path=f"/usr/bin{os.pathsep}{os.environ.get('PATH', '')}")
        if found:
            return Path(found)
    return None


def chromium_args() -> list[str]:
    """Launch arguments; Chromium's sandbox cannot start as root, so root runs without it."""
    return [*CHROMIUM_ARGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as tests/artifacts/<name>.png and return the path."""
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "page"
    path = ARTIFACTS / f"{safe_name}.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected, has finished running the script and shows its main block.

    Streamlit publishes its state on the root element (`data-test-connection-state`,
    `data-test-script-state`); its own end-to-end tests wait on the same attributes
    (streamlit/streamlit, e2e_playwright/conftest.py, `wait_for_app_run`). The short pause first
    lets a rerun triggered by the previous action start, so we do not see the old "notRunning".
    """
    page.wait_for_timeout(200)
    app = page.locator('[data-testid="stApp"]')
    app.and_(page.locator('[data-test-connection-state="CONNECTED"]')).wait_for(
        state="attached", timeout=timeout_ms
    )
    app.and_(page.locator('[data-test-script-state="notRunning"]')).wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator('[data-testid="stStatusWidgetRunningIcon"]').wait_for(state="detached", timeout=timeout_ms)
    page.locator('[data-testid="stMainBlockContainer"]').wait_for(state="visible", timeout=timeout_ms)


def open_app(page: Page, url: str, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Navigate to a Streamlit URL and wait until the app has rendered."""
    page.goto(url, timeout=timeout_ms)
    wait_for_app(page, timeout_ms)


def expect_no_exception(page: Page) -> None:
    """Fail, quoting the message, if the app shows an exception box (an uncaught error or st.exception).

    Checks the page as it is now, so call it after `wait_for_app`.
    """
    boxes = page.locator('[data-testid="stException"]').all_inner_texts()
    if boxes:
        raise AssertionError("the app shows an exception:\n" + "\n---\n".join(boxes))


def metric(page: Page, label: str) -> Locator:
    """The `st.metric` whose label is exactly `label` (has_text would also match "Worked" or "of work")."""
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
