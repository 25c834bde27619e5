"""CalDAV calendars against a real Radicale on 127.0.0.1: events put in with the caldav client,
synced, changed and deleted (whole events and single instances), synced again, hours compared;
another user's calendar stays unreadable; only what changed is fetched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from sqlalchemy.engine import Engine

from balance_dash import store
from balance_dash.errors import SyncError
from balance_dash.live import caldav_account
from balance_dash.settings import Settings
from balance_dash.workflows import live
from tests.support.calendars import calendar, event, hours_by_week, snapshot
from tests.support.cli import run_cli
from tests.support.live_servers import USERS, RadicaleServer

UTC_ZONE = ZoneInfo("UTC")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 2026-W48, the suite's frozen week
SETTINGS = Settings(sync_timeout_seconds=10)

pytestmark = pytest.mark.usefixtures("no_system_keyring")  # never the machine's real keyring


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    server = RadicaleServer.start(tmp_path_factory.mktemp("radicale"))
    try:
        yield server
    finally:
        server.stop()


def client(radicale: RadicaleServer, user: str) -> DAVClient:
    return DAVClient(url=radicale.url, username=user, password=USERS[user], timeout=10, enable_rfc6764=False)


def new_calendar(radicale: RadicaleServer, user: str, name: str) -> tuple[DAVClient, Calendar]:
    dav = client(radicale, user)
    made: Any = dav.principal().make_calendar(name=name, cal_id=name.lower().replace(" ", "-"))
    return dav, made


def put(dav: DAVClient, cal: Calendar, uid: str, *components: str) -> None:
    dav.put(f"{str(cal.url).rstrip('/')}/{uid}.ics", calendar(*components, name=None).decode(),
            headers={"Content-Type": "text/calendar; charset=utf-8"})


def delete(dav: DAVClient, cal: Calendar, uid: str) -> None:
    dav.delete(f"{str(cal.url).rstrip('/')}/{uid}.ics")


def override(uid: str, original: datetime, start: datetime, hours: float, title: str) -> str:
    """A RECURRENCE-ID component: one instance of a series moved or resized."""
    return event(uid, start, hours, title).replace(
        "BEGIN:VEVENT\r\n", f"BEGIN:VEVENT\r\nRECURRENCE-ID:{original:%Y%m%dT%H%M%SZ}\r\n", 1
    )


def sync(engine: Engine, now: datetime) -> live.SyncReport:
    (report,) = live.sync(engine, tz=UTC_ZONE, settings=SETTINGS, now=now)
    return report


def test_sync_follows_changed_and_deleted_events_and_instances(
    radicale: RadicaleServer, db_url: str, frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = store.open_engine(db_url)
    dav, cal = new_calendar(radicale, "alice", f"Work {db_url.split(':')[0]}")
    first = MONDAY - timedelta(weeks=3)
    standup = event("standup", first, 1.0, "Standup", rrule="FREQ=WEEKLY;COUNT=6")
    put(dav, cal, "standup", standup)
    put(dav, cal, "review", event("review", MONDAY + timedelta(hours=3), 2.0, "Design review"))
    put(dav, cal, "lunch", event("lunch", MONDAY - timedelta(weeks=1, hours=-4), 1.5, "Team lunch"))
    found, (report,) = live.connect_caldav(
        engine, radicale.url, username="alice", password=USERS["alice"], tz=UTC_ZONE, settings=SETTINGS,
        calendars=[cal.get_display_name()], now=frozen_now,  # type: ignore[list-item]
    )
    assert cal.get_display_name() in [calendar.name for calendar in found]
    assert (report.source_name, report.status, report.added) == (cal.get_display_name(), "synced", 8)
    assert hours_by_week(engine) == {"2026-W45": 1.0, "2026-W46": 1.0, "2026-W47": 2.5, "2026-W48": 3.0,
                                     "2026-W49": 1.0, "2026-W50": 1.0}

    fetched: list[str] = []
    real_multiget = caldav_account._multiget

    def spy(calendar: Calendar, hrefs: list[str]) -> dict[str, tuple[str, str]]:
        fetched.extend(href.rsplit("/", 1)[-1] for href in hrefs)
        return real_multiget(calendar, hrefs)

    monkeypatch.setattr(caldav_account, "_multiget", spy)
    assert sync(engine, frozen_now).status == "unchanged" and fetched == []

    # One instance moved and lengthened, one cancelled by EXDATE, the review deleted, a new event.
    moved = override("standup", first + timedelta(weeks=1), first + timedelta(weeks=1, hours=5), 3.0, "Standup (long)")
    exdated = standup.replace("RRULE:", f"EXDATE:{first + timedelta(weeks=4):%Y%m%dT%H%M%SZ}\r\nRRULE:")
    put(dav, cal, "standup", exdated, moved)
    delete(dav, cal, "review")
    put(dav, cal, "retro", event("retro", MONDAY + timedelta(days=2), 1.5, "Retro"))
    report = sync(engine, frozen_now)
    assert sorted(fetched) == ["retro.ics", "standup.ics"]  # the unchanged lunch was not fetched
    assert (report.status, report.added, report.updated, report.removed) == ("synced", 1, 1, 2)
    assert hours_by_week(engine) == {"2026-W45": 1.0, "2026-W46": 3.0, "2026-W47": 2.5, "2026-W48": 2.5,
                                     "2026-W50": 1.0}
    (row,) = live.sources(engine).to_dict("records")
    assert (row["kind"], row["status"], row["shown"]) == ("caldav", "synced", f"alice@{radicale.url[7:-1]}")
    assert row["changes"] == "1 added, 1 updated, 2 removed, 4 unchanged"

    # Deleting the whole calendar's events empties it; a sync after that is unchanged again.
    for uid in ("standup", "retro", "lunch"):
        delete(dav, cal, uid)
    assert sync(engine, frozen_now).removed == 7  # five standups, the retro, the lunch
    assert hours_by_week(engine) == {}
    assert sync(engine, frozen_now).status == "unchanged"
    engine.dispose()


def test_another_users_calendar_is_not_readable(radicale: RadicaleServer, engine: Engine, frozen_now: datetime) -> None:
    bob, private = new_calendar(radicale, "bob", "Private")
    put(bob, private, "secret", event("secret", MONDAY, 2.0, "Doctor"))
    new_calendar(radicale, "alice", "Alice home")
    found = caldav_account.discover(radicale.url, "alice", USERS["alice"], label="alice")
    assert "Private" not in [calendar.name for calendar in found]
    with pytest.raises(SyncError, match=r"refused the password, or this calendar belongs to someone else \(HTTP 403\)"):
        caldav_account.fetch_changes(
            radicale.url, "alice", USERS["alice"], str(private.url), label="Private",
            sync_token=None, ctag=None, known={}, everything=True,
        )
    with pytest.raises(SyncError, match=r"\(HTTP 401\)") as caught:
        live.connect_caldav(engine, radicale.url, username="bob", password=USERS["alice"], tz=UTC_ZONE,
                            settings=SETTINGS, now=frozen_now)
    assert USERS["alice"] not in str(caught.value)
    assert store.load_sources(engine).empty


def test_a_failed_sync_changes_nothing(radicale: RadicaleServer, engine: Engine, frozen_now: datetime) -> None:
    dav, cal = new_calendar(radicale, "alice", "Gym")
    put(dav, cal, "run", event("run", MONDAY, 1.0, "Run", rrule="FREQ=DAILY;COUNT=5"))
    live.connect_caldav(engine, radicale.url, username="alice", password=USERS["alice"], tz=UTC_ZONE,
                        settings=SETTINGS, calendars=["gym"], category="personal", now=frozen_now)
    before = snapshot(engine)
    put(dav, cal, "run", event("run", MONDAY, 2.0, "Run", rrule="FREQ=DAILY;COUNT=5"))
    radicale_url = radicale.url
    live_row = store.load_live_source(engine, int(store.load_sources(engine)["id"].iloc[0]))
    assert live_row is not None and live_row.secret == USERS["alice"]  # no keyring here: the database keeps it
    store.save_live_state(engine, live_row.source_id, server_url=radicale_url.replace("127.0.0.1", "127.0.0.2"),
                          calendar_url=str(cal.url).replace("127.0.0.1", "127.0.0.2"))
    report = sync(engine, frozen_now)
    assert report.status == "failed" and report.error is not None and "nothing was changed" in report.error
    assert snapshot(engine) == before
    store.save_live_state(engine, live_row.source_id, server_url=radicale_url, calendar_url=str(cal.url))
    assert sync(engine, frozen_now).updated == 5
    assert sum(hours_by_week(engine, "Gym").values()) == 10.0


def test_cli_connects_an_account_with_the_password_on_stdin(
    radicale: RadicaleServer, sqlite_url: str, frozen_now: datetime,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    dav, cal = new_calendar(radicale, "bob", "Family")
    put(dav, cal, "dinner", event("dinner", MONDAY + timedelta(hours=9), 1.5, "Dinner", rrule="FREQ=DAILY;COUNT=3"))
    new_calendar(radicale, "bob", "Chores")
    # A password is never taken from the arguments: there is no such option. (Typer's vendored
    # click raises its own usage error, which cli.main does not turn into a message yet.)
    try:
        code, out, err = run_cli(capsys, monkeypatch, "caldav", "add", radicale.url, "--user", "bob",
                                 "--password", "x", "--db", sqlite_url)
        refused = code == 2 and "No such option" in err
    except Exception as error:
        refused = "No such option: --password" in str(error)
    assert refused
    monkeypatch.setattr("sys.stdin", _Stdin(USERS["bob"] + "\n"))
    code, out, err = run_cli(capsys, monkeypatch, "caldav", "add", radicale.url, "--user", "bob", "--password-stdin",
                             "--calendars", "Family", "--category", "family", "--db", sqlite_url, "--tz", "UTC")
    assert code == 0, err
    assert "Calendars found: " in out and "Family" in out and "Chores" in out
    assert "Added: Family (bob@127.0.0.1:" in out and "3 added" in out
    assert "note: No system keyring" in out and USERS["bob"] not in out + err
    monkeypatch.setenv("BOB_PASSWORD", USERS["bob"])
    code, out, err = run_cli(capsys, monkeypatch, "caldav", "add", radicale.url, "--user", "bob", "--password-env",
                             "BOB_PASSWORD", "--calendars", "Nope", "--db", sqlite_url)
    assert code == 1 and "has no calendar named 'Nope'" in err and "Family" in err
    code, out, err = run_cli(capsys, monkeypatch, "sources", "--db", sqlite_url, "--tz", "UTC")
    assert "Family  [caldav, family, 3 events]  synced" in out and USERS["bob"] not in out
    code, out, err = run_cli(capsys, monkeypatch, "sync", "--db", sqlite_url, "--tz", "UTC")
    assert code == 0 and out.strip().endswith("unchanged")


class _Stdin:
    def __init__(self, text: str) -> None:
        self.lines = iter(text.splitlines(keepends=True))

    def readline(self) -> str:
        return next(self.lines, "")

    def isatty(self) -> bool:
        return False


def test_combine_keeps_each_time_zone_once() -> None:
    zone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE"
    one = calendar(zone, "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:long line\r\n  folded\r\nEND:VEVENT").decode()
    two = calendar(zone, "BEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT").decode()
    combined = caldav_account.combine([one, two]).decode()
    assert combined.count("BEGIN:VTIMEZONE") == 1 and combined.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:long line folded" in combined and combined.count("BEGIN:VCALENDAR") == 1
    assert caldav_account.object_uids(one) == ["a"]
