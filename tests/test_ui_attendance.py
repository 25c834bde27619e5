"""The dashboard on calendars with declined, free and out-of-office time (AppTest)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from balance_dash import store
from balance_dash.settings import Settings
from tests.support.apptest import BERLIN, PAGES, make_app, no_exception

FIXTURES = Path(__file__).parent / "data" / "ics"


def upload(at, name: str) -> None:  # type: ignore[no-untyped-def]
    at.get("file_uploader")[0].set_value((name, (FIXTURES / name).read_bytes(), "text/calendar"))
    [area] = [box for box in at.selectbox if box.label == "Put every event in"]
    area.set_value("work")
    [button] = [b for b in at.button if b.label == "Import"]
    no_exception(button.click().run())


def test_declined_free_and_away_time_is_reported_and_not_judged(sqlite_url, monkeypatch):
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone=BERLIN))
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    [addresses] = [box for box in at.text_input if box.label == "My addresses"]
    addresses.set_value("Me@Example.com")
    [save] = [b for b in at.button if b.label == "Save my addresses"]
    no_exception(save.click().run())
    assert store.load_settings(engine).my_addresses == ("me@example.com",)

    upload(at, "attendance_google_meetings.ics")
    notes = [info.value for info in at.info]
    assert "2 meetings you declined (9.0 h) are not counted." in notes
    assert "1 event shown as free (10.0 h) is not counted." in notes
    upload(at, "outlook_out_of_office.ics")
    notes = [info.value for info in at.info]
    assert "1 out-of-office event (8.0 h) is not counted." in notes
    assert not any("Imported" in s.value and "not imported" in s.value for s in at.success)

    # The week of the declined offsite: 6 h of work, and the page says what it left out.
    at.session_state["week_start"] = date(2026, 11, 2)
    no_exception(at.switch_page(f"{PAGES}/this_week.py").run())
    [work] = [m for m in at.metric if m.label == "Work"]
    assert work.value == "6.0 h"
    captions = " ".join(c.value for c in at.caption)
    assert "Not counted: 8.0 h declined, 10.0 h shown as free, 2.0 h cancelled." in captions

    # The week away: called a vacation week, and no "below target" for work.
    at.session_state["week_start"] = date(2026, 11, 16)
    no_exception(at.run())
    assert any("vacation" in header.value for header in at.subheader)
    texts = " ".join(t.value for t in at.text)
    assert "of work, below your target" not in texts
    assert "of work, above your target" not in texts
    assert "day off" in texts  # the work on days off is the warning instead
    [work] = [m for m in at.metric if m.label == "Work"]
    assert work.value == "1.5 h"  # the 30-minute standup and the weekly sync of the other calendar

    # A week before any data: said so, not judged.
    at.session_state["week_start"] = date(2026, 10, 5)
    no_exception(at.run())
    assert any("No calendar or log covers this week, so it is not judged." in info.value for info in at.info)


def test_my_addresses_are_editable_with_the_settings(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    [addresses] = [box for box in at.text_input if box.label == "My addresses"]
    addresses.set_value("not an address")
    [save] = [b for b in at.button if b.label == "Save settings"]
    no_exception(save.click().run())
    assert any("'not an address' is not an e-mail address" in e.value for e in at.error)
    engine = store.open_engine(seeded_url)
    assert store.load_settings(engine).my_addresses == ()
    [addresses] = [box for box in at.text_input if box.label == "My addresses"]
    addresses.set_value("me@example.com, Me@Work.example")
    [save] = [b for b in at.button if b.label == "Save settings"]
    no_exception(save.click().run())
    assert store.load_settings(engine).my_addresses == ("me@example.com", "me@work.example")
