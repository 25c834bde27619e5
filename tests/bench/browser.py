"""The page-switch phase: the real dashboard in headless Chromium, timed from a sidebar click to
the new page's first chart.

Playwright is a development dependency, so it is imported inside the phase only; the shipped
package never needs it. Without Playwright or Chromium the phase returns a note instead of figures.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import balance_dash
from tests.support.environment import free_port

Figures = dict[str, Any]
CHROMIUM = Path("/usr/bin/chromium")
APP_SCRIPT = Path(balance_dash.__file__).resolve().parents[1] / "app.py"
PAGES = ("This week", "Trends")
CHART = ".js-plotly-plot"
STARTUP_TIMEOUT_S, STEP_TIMEOUT_MS = 90.0, 60_000
CHROMIUM_ARGS = ("--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")


def missing() -> str | None:
    """Why the phase cannot run here, or None."""
    chromium = CHROMIUM if CHROMIUM.exists() else None
    if chromium is None and shutil.which("chromium") is None:
        return f"Chromium not found at {CHROMIUM} (install Debian's 'chromium' package)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (it comes with the development dependencies)"
    if not APP_SCRIPT.exists():
        return f"the dashboard script {APP_SCRIPT} is missing (the benchmark runs from a checkout)"
    return None


@contextlib.contextmanager
def dashboard(url: str) -> Iterator[str]:
    """`streamlit run app.py` on a free local port against `url`; stopped by its process id after."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "BALANCE_DASH_DB": url, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=APP_SCRIPT.parent, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_healthy(process, f"http://127.0.0.1:{port}", log)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def wait_healthy(process: subprocess.Popen[bytes], base: str, log: Any) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the dashboard exited with {process.returncode}: {log.read()[-2000:]!r}")
        with (contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
              urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response):
            if response.read().strip() == b"ok":
                return
        time.sleep(0.2)
    raise RuntimeError(f"the dashboard did not answer {base}/_stcore/health within {STARTUP_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (its pid), SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def page_switch(url: str, switches: int = 6) -> Figures:
    """Open This week, then click This week <-> Trends in the sidebar `switches` times per page.

    Each switch is timed from the click to the first chart of the new page being visible. Charts
    of the page being left are tagged before the click, so a chart still on screen from the old
    page never counts. The first visit to a page is its cold figure; the median of the later
    visits its warm figure.
    """
    reason = missing()
    if reason:
        return {"skipped": reason}
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {page: [] for page in PAGES}
    with dashboard(url) as base, sync_playwright() as driver:
        executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
        args = [*CHROMIUM_ARGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]
        browser = driver.chromium.launch(executable_path=executable, args=args)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            started = time.perf_counter()
            page.goto(base, timeout=STEP_TIMEOUT_MS)
            page.locator(CHART).first.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            first_load = time.perf_counter() - started
            times["This week"].append(first_load)  # the first open counts as This week's cold visit
            for _ in range(switches):
                for name in ("Trends", "This week"):
                    times[name].append(switch_to(page, name))
        finally:
            browser.close()
    figures: Figures = {"first_load_s": first_load, "switches": switches}
    for name in PAGES:
        key = name.lower().replace(" ", "_")
        figures[f"{key}_cold_s"] = times[name][0]
        figures[f"{key}_warm_median_s"] = statistics.median(times[name][1:])
        figures[f"{key}_warm_max_s"] = max(times[name][1:])
    return figures


def switch_to(page: Any, name: str) -> float:
    """Click `name` in the sidebar navigation; seconds until the new page's first chart shows."""
    page.evaluate(f"() => document.querySelectorAll('{CHART}').forEach(e => e.setAttribute('data-bench-old', '1'))")
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first
    started = time.perf_counter()
    link.click()
    page.locator(f"{CHART}:not([data-bench-old])").first.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    return time.perf_counter() - started
