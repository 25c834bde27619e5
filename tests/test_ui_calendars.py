"""The Calendars page's live sections under AppTest: subscribe, the sources' sync state, Sync
now, the sync on open, and a CalDAV address that cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from balance_dash import store
from balance_dash.settings import Settings
from tests.support.apptest import PAGES, make_app, no_exception, shown
from tests.support.calendars import calendar, event, hours_by_week
from tests.support.live_servers import Answer, FeedServer

WEEK = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 2026-W47

pytestmark = pytest.mark.usefixtures("no_system_keyring")  # never the machine's real keyring


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    server = FeedServer(answer=Answer(body=calendar(event("plan", WEEK, 3.0, "Planning"), name="Team"))).start()
    try:
        yield server
    finally:
        server.stop()


def calendars_page(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = no_exception(make_app(url, monkeypatch).run())
    return no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())


def by_label(elements: object, label: str) -> object:
    found = [element for element in elements if element.label == label]  # type: ignore[attr-defined]
    assert found, f"no element labelled {label!r}"
    return found[0]


def test_subscribe_then_sync_now_shows_the_change(sqlite_url: str, feed: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    at = calendars_page(sqlite_url, monkeypatch)
    assert at.title[0].value == "Calendars"
    assert "Live calendars" in [header.value for header in at.subheader]
    by_label(at.text_input, "Calendar address").set_value(feed.url)  # type: ignore[attr-defined]
    no_exception(by_label(at.button, "Subscribe").click().run())  # type: ignore[attr-defined]
    engine = store.open_engine(sqlite_url)
    assert hours_by_week(engine) == {"2026-W47": 3.0}
    table = at.dataframe[0].value
    assert table["name"].tolist() == ["Team"] and table["status"].tolist() == ["synced"]
    assert "5ecret7oken" not in table.to_csv() and table["address"].iloc[0].endswith("/…/basic.ics")
    assert at.dataframe[1].value["kind"].tolist() == ["address"]  # "Your calendars" names the kind too
    feed.answer = Answer(body=calendar(event("plan", WEEK, 5.0, "Planning"), name="Team"))
    no_exception(by_label(at.button, "🔄 Sync now").click().run())  # type: ignore[attr-defined]
    assert hours_by_week(engine) == {"2026-W47": 5.0}
    assert at.dataframe[0].value["last change"].tolist() == ["1 updated"]
    engine.dispose()


def test_the_dashboard_syncs_on_open_when_the_last_sync_is_old(
    sqlite_url: str, feed: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balance_dash.workflows import live

    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone="UTC", sync_every_minutes=30))
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    live.subscribe(engine, feed.url, tz=ZoneInfo("UTC"), settings=store.load_settings(engine), now=long_ago)
    feed.answer = Answer(body=calendar(event("plan", WEEK, 4.0, "Planning"), name="Team"))
    no_exception(make_app(sqlite_url, monkeypatch).run())
    assert hours_by_week(engine) == {"2026-W47": 4.0}
    # Synced just now: opening again asks nothing of the server.
    requests = len(feed.requests)
    no_exception(make_app(sqlite_url, monkeypatch).run())
    assert len(feed.requests) == requests
    engine.dispose()


def test_an_unreachable_caldav_server_is_one_clear_error(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.environment import free_port

    at = calendars_page(sqlite_url, monkeypatch)
    by_label(at.text_input, "Server address").set_value(f"http://127.0.0.1:{free_port()}/dav")  # type: ignore[attr-defined]
    by_label(at.text_input, "User name").set_value("alice")  # type: ignore[attr-defined]
    by_label(at.text_input, "Password or app password").set_value("hunter2")  # type: ignore[attr-defined]
    no_exception(by_label(at.button, "Find calendars").click().run())  # type: ignore[attr-defined]
    (error,) = [shown(e.value) for e in at.error]
    assert error.startswith("Connecting failed: ") and "cannot connect to alice@127.0.0.1:" in error
    assert "hunter2" not in error and store.load_sources(store.open_engine(sqlite_url)).empty
