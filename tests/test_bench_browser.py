"""The page-switch phase: never a Playwright import at import time, a clear skip without a browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench import browser, runner


def test_the_benchmark_imports_without_playwright() -> None:
    code = "import sys, tests.bench.runner, tests.bench.browser; print('playwright' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"


def test_without_chromium_the_phase_is_skipped_with_a_note(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr("shutil.which", lambda _name: None)
    figures = browser.page_switch("sqlite:///unused.db")
    assert figures == {"skipped": f"Chromium not found at {tmp_path / 'no-chromium'} (install Debian's 'chromium' package)"}
    lines = runner.browser_lines({"years": 1, "page_switch": figures})
    assert lines == [f"  1y page switches in the browser: skipped, {figures['skipped']}"]


def test_the_report_gives_cold_and_warm_per_page_against_one_second() -> None:
    switch = {"switches": 4, "this_week_cold_s": 3.2, "this_week_warm_median_s": 0.8, "this_week_warm_max_s": 0.9,
              "trends_cold_s": 1.4, "trends_warm_median_s": 1.2, "trends_warm_max_s": 1.5}
    lines = runner.browser_lines({"years": 10, "page_switch": switch})
    assert lines[1] == "    This week: cold 3.20 s, warm median 0.80 s (slowest 0.90 s) ok (target <= 1 s warm)"
    assert lines[2] == "    Trends: cold 1.40 s, warm median 1.20 s (slowest 1.50 s) MISSED (target <= 1 s warm)"
