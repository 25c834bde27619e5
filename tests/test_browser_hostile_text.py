"""A calendar name that is a Markdown image of a local address makes the browser fetch nothing."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from playwright.sync_api import Page, expect

from tests.support import hostile
from tests.support.browser import open_app, screenshot, wait_for_app


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # the name http.server calls
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    recorded: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": recorded})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorded
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_markdown_image_in_a_calendar_name_is_never_fetched(page: Page, start_dashboard, tmp_path: Path, listener):
    address, recorded = listener
    name = f"![pixel]({address}/pixel.png) <img src='{address}/html.png'> {address}/auto"
    calendar = tmp_path / "tracking.ics"
    calendar.write_bytes(hostile.calendar(hostile.event("t1", title="Planning"), name=name))
    refused = tmp_path / "refused.ics"
    refused.write_text(f"![first line]({address}/refused.png)\r\n")
    base_url = start_dashboard()
    open_app(page, base_url + "/import")
    page.locator("input[type=file]").set_input_files([str(calendar), str(refused)])
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("1 occurrences of 1 events", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("was not imported", exact=False)).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # time for any image the page would load
    screenshot(page, "hostile-calendar-name")
    main = page.get_by_test_id("stMain")
    assert main.locator(f"img[src^='{address}']").count() == 0
    assert main.locator(f"a[href^='{address}']").count() == 0
    assert recorded == []
