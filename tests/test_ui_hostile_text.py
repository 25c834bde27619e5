"""No text from a file or a user is rendered as Markdown or HTML on any page (issue 11).

A database holds a calendar, events, a CSV log, a boundary and a rule named with Markdown
images and links, HTML, a Streamlit directive and terminal escapes; every page is walked under
AppTest and no Markdown-rendered element may carry those markers unescaped.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from streamlit.testing.v1 import AppTest

from balance_dash import store, workflows
from balance_dash.settings import Settings
from balance_dash.ui.text import plain
from balance_dash.workflows import reflect
from tests.support import hostile
from tests.support.apptest import BERLIN, PAGES, make_app, no_exception, shown

HOSTILE = "![x](http://127.0.0.1:9/pixel.png) <img src=x onerror=alert(1)> www.example.org :red[boom] $x$ \x1b]0;owned\x07"
MARKERS = ("](http://127.0.0.1:9", "<img src=x", "www.example.org", ":red[boom]", "\x1b", "\x07", "$x$")
PAGE_FILES = [
    "this_week.py", "trends.py", "import_calendars.py", "log_time.py", "rules.py", "targets.py", "reflect.py", "data.py",
]


def rendered_markdown(at: AppTest) -> list[str]:
    """The text of every element Streamlit renders as Markdown."""
    texts = [e.value for kind in ("markdown", "caption", "success", "error", "info", "warning", "toast", "title",
                                  "subheader", "header") for e in getattr(at, kind)]
    texts += [e.label for e in at.expander]
    return [str(t) for t in texts]


def assert_nothing_live(at: AppTest) -> None:
    for text in rendered_markdown(at):
        for marker in MARKERS:
            assert marker not in text, (marker, text)


def test_the_helper_escapes_and_keeps_the_words():
    escaped = plain(HOSTILE + "\nsecond line")
    for marker in MARKERS:
        assert marker not in escaped
    assert "\n" not in escaped
    assert shown(escaped) == "![x](http://127.0.0.1:9/pixel.png) <img src=x onerror=alert(1)> www.example.org :red[boom] $x$ ]0;owned second line"


@pytest.fixture
def hostile_url(sqlite_url: str, frozen_now) -> str:
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone="Europe/Berlin"))
    settings = store.load_settings(engine)
    events = "".join(
        hostile.event(f"h{i}", title=HOSTILE.replace("\x1b", "").replace("\x07", ""), start=f"202611{16 + i}T090000Z", end=f"202611{16 + i}T190000Z")
        for i in range(3)
    )
    workflows.import_calendar(engine, hostile.calendar(events), file_name="h.ics", tz=BERLIN_ZONE, settings=settings,
                              now=frozen_now, source_name=HOSTILE[:120])
    csv = f"start,end,area,note\n2026-11-17 20:00,2026-11-17 22:00,family,{HOSTILE.replace(',', ' ')}\n"
    workflows.import_log_csv(engine, csv.encode(), file_name="log.csv", tz=BERLIN_ZONE, settings=settings,
                             source_name=HOSTILE[:100] + " log")
    reflect.save_boundary(engine, name=HOSTILE[:150], kind="forbid", area="work", weekdays=[0, 1, 2, 3, 4],
                          start_local=time(18), end_local=time(8), effective_from=date(2026, 1, 5))
    engine.dispose()
    return sqlite_url


BERLIN_ZONE = workflows.resolve_zone(BERLIN)


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_shows_hostile_names_as_text(hostile_url, monkeypatch, page):
    at = make_app(hostile_url, monkeypatch)
    at.session_state["week_start"] = date(2026, 11, 16)
    no_exception(at.run())
    no_exception(at.switch_page(f"{PAGES}/{page}").run())
    assert_nothing_live(at)


def test_import_messages_quote_file_text_as_text(sqlite_url, monkeypatch):
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    named = hostile.calendar(hostile.event("a"), name=HOSTILE)
    refused = (HOSTILE + "\r\nBEGIN:VCALENDAR\r\n").encode()
    at.get("file_uploader")[0].set_value([("named.ics", named, "text/calendar"), ("refused.ics", refused, "text/calendar")])
    no_exception(at.button[0].click().run())
    # The words read the same once the escapes are rendered.
    assert any("named.ics -> " in shown(s.value) for s in at.success)
    assert any("refused.ics was not imported" in shown(e.value) for e in at.error)
    assert_nothing_live(at)
