"""Calendar addresses against a real HTTP server on 127.0.0.1: conditional requests, every
failure a user meets (each a clear line, the database unchanged), the window rule, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties
from sqlalchemy.engine import Engine

from balance_dash import store
from balance_dash.errors import InvalidValueError, SyncError
from balance_dash.live import secrets
from balance_dash.settings import Settings
from balance_dash.workflows import data as data_workflows
from balance_dash.workflows import live
from tests.support.calendars import calendar, event, hours_by_week, snapshot
from tests.support.cli import run_cli
from tests.support.live_servers import Answer, FeedServer, keyring_replaced

UTC_ZONE = ZoneInfo("UTC")
SECRET = "5ecret7oken"  # the part of the feed's address that must never be shown
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the suite's frozen week (2026-W48)

pytestmark = pytest.mark.usefixtures("no_system_keyring")  # never the machine's real keyring


SETTINGS = Settings(sync_timeout_seconds=1, max_upload_mb=5)


def team_calendar(shift_hours: float = 0.0) -> bytes:
    return calendar(
        event("standup", MONDAY - timedelta(weeks=4), 0.5, "Standup", rrule="FREQ=WEEKLY;COUNT=8"),
        event("review", MONDAY + timedelta(hours=shift_hours), 2.0, "Design review"),
        event("offsite", MONDAY - timedelta(weeks=2), 6.0, "Offsite"),
    )


def subscribe(engine: Engine, feed: FeedServer, frozen_now: datetime, **options: object) -> live.SyncReport:
    return live.subscribe(engine, feed.url, tz=UTC_ZONE, settings=SETTINGS, now=frozen_now, **options)  # type: ignore[arg-type]


def sync(engine: Engine, frozen_now: datetime, settings: Settings = SETTINGS) -> live.SyncReport:
    (report,) = live.sync(engine, tz=UTC_ZONE, settings=settings, now=frozen_now)
    return report


def test_subscribe_imports_the_feed_under_its_own_name(engine: Engine, feed: FeedServer, frozen_now: datetime) -> None:
    feed.answer = Answer(body=team_calendar())
    report = subscribe(engine, feed, frozen_now)
    assert (report.source_name, report.status, report.added) == ("Team", "synced", 10)
    assert hours_by_week(engine)["2026-W48"] == 2.5
    (row,) = live.sources(engine).to_dict("records")
    assert (row["kind"], row["status"], row["shown"]) == ("address", "synced", f"{feed.url.split('/calendar/')[0]}/…/basic.ics")
    assert SECRET not in json.dumps(row, default=str)


def test_unchanged_feed_is_a_304_and_nothing_is_parsed(
    engine: Engine, feed: FeedServer, frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed.answer = Answer(body=team_calendar())
    subscribe(engine, feed, frozen_now)
    before = snapshot(engine)
    revision = store.data_revision(engine)
    monkeypatch.setattr("balance_dash.ingest.ics.read_ics", _must_not_parse)
    report = sync(engine, frozen_now + timedelta(hours=1))
    assert report.status == "unchanged"
    assert feed.requests[-1]["if-none-match"] == feed.etag()
    assert snapshot(engine) == before and store.data_revision(engine) == revision


def test_byte_identical_body_without_etag_is_not_parsed(
    engine: Engine, feed: FeedServer, frozen_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed.answer = Answer(body=team_calendar(), etag=False)
    subscribe(engine, feed, frozen_now)
    monkeypatch.setattr("balance_dash.ingest.ics.read_ics", _must_not_parse)
    assert sync(engine, frozen_now).status == "unchanged"
    assert "if-none-match" not in feed.requests[-1]


def _must_not_parse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("an unchanged feed was parsed")


def test_changed_feed_updates_the_changed_event_only(engine: Engine, feed: FeedServer, frozen_now: datetime) -> None:
    feed.answer = Answer(body=team_calendar())
    subscribe(engine, feed, frozen_now)
    feed.answer = Answer(body=team_calendar().replace(b"Design review", b"Design review (long)").replace(
        b"DTEND:20261123T110000Z", b"DTEND:20261123T130000Z"))
    report = sync(engine, frozen_now)
    assert (report.status, report.added, report.updated, report.removed, report.unchanged) == ("synced", 0, 1, 0, 9)
    assert hours_by_week(engine)["2026-W48"] == 4.5
    (row,) = live.sources(engine).to_dict("records")
    assert row["changes"] == "1 updated, 9 unchanged"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(status=401, body=b"no"), "refused access (HTTP 401)"),
        (Answer(status=404, body=b"gone"), "was not found (HTTP 404)"),
        (Answer(status=500, body=b"oops"), "failed (HTTP 500)"),
        (Answer(body=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", delay_s=3), "did not answer within 1 seconds"),
        (Answer(body=b"<!DOCTYPE html><html><form>Sign in</form></html>", content_type="text/html"), "gave a web page"),
        (Answer(endless_mb=300), "larger than the limit of 5 MB"),
        (Answer(redirect_to_self=True), "redirected more than 5 times"),
        (Answer(body=b"Hello, this is not a calendar"), "did not give a calendar"),
    ],
    ids=["401", "404", "500", "timeout", "html-login", "300MB", "redirect-loop", "not-a-calendar"],
)
def test_each_failure_is_one_clear_line_and_changes_nothing(
    engine: Engine, feed: FeedServer, frozen_now: datetime, answer: Answer, expected: str
) -> None:
    feed.answer = Answer(body=team_calendar())
    subscribe(engine, feed, frozen_now)
    before = snapshot(engine)
    feed.answer = answer
    report = sync(engine, frozen_now + timedelta(days=1))
    assert report.status == "failed"
    assert report.error is not None and expected in report.error
    assert report.error.startswith("Team: ") and "nothing was changed" in report.error
    assert "\n" not in report.error and SECRET not in report.error
    assert snapshot(engine) == before
    (row,) = live.sources(engine).to_dict("records")
    assert row["status"] == "failed" and row["error"] == report.error
    if answer.endless_mb:
        assert feed.sent_bytes < 100 * 1024 * 1024  # the body was abandoned, not read whole


def test_tls_error_is_named(engine: Engine, feed: FeedServer, frozen_now: datetime) -> None:
    feed.answer = Answer(body=team_calendar())
    with pytest.raises(SyncError, match=r"the secure connection to https://127\.0\.0\.1:[0-9]+/…/basic\.ics failed") as caught:
        live.subscribe(engine, feed.url.replace("http://", "https://"), tz=UTC_ZONE, settings=SETTINGS, now=frozen_now)
    assert SECRET not in str(caught.value)
    assert store.load_sources(engine).empty


def test_a_failed_first_subscribe_keeps_nothing(engine: Engine, feed: FeedServer, frozen_now: datetime) -> None:
    feed.answer = Answer(status=404, body=b"")
    with pytest.raises(SyncError, match="not found"):
        subscribe(engine, feed, frozen_now)
    assert store.load_sources(engine).empty and store.load_live_sources(engine).empty


def test_other_schemes_are_refused(engine: Engine, frozen_now: datetime) -> None:
    for address in ("ftp://example.org/cal.ics", "file:///etc/passwd", "javascript:alert(1)"):
        with pytest.raises(InvalidValueError, match="is not a calendar address"):
            live.subscribe(engine, address, tz=UTC_ZONE, settings=SETTINGS, now=frozen_now)


def test_a_feed_that_drops_old_events_keeps_past_weeks(db_url: str, feed: FeedServer, frozen_now: datetime) -> None:
    """Outlook's feed keeps about a month: the weeks before what the new snapshot covers keep their hours."""
    engine = store.open_engine(db_url)
    weekly = event("weekly", MONDAY - timedelta(weeks=10), 1.0, "Weekly sync", rrule="FREQ=WEEKLY;COUNT=14")
    old = [event(f"old-{n}", MONDAY - timedelta(weeks=n, hours=-2), 3.0, "Workshop") for n in range(4, 10)]
    recent = [event(f"new-{n}", MONDAY - timedelta(weeks=n, hours=-2), 2.0, "Planning") for n in range(0, 3)]
    feed.answer = Answer(body=calendar(weekly, *old, *recent))
    subscribe(engine, feed, frozen_now)
    before = hours_by_week(engine)
    assert before["2026-W40"] == 4.0 and before["2026-W48"] == 3.0
    # The feed now holds only the last three weeks' one-off events (one moved, one deleted),
    # and the weekly series whole.
    moved = event("new-0", MONDAY + timedelta(hours=2), 4.0, "Planning")
    feed.answer = Answer(body=calendar(weekly, moved, recent[2]))
    report = sync(engine, frozen_now + timedelta(days=1))
    assert (report.updated, report.removed) == (1, 1)  # new-0 moved; new-1 deleted inside the covered span
    after = hours_by_week(engine)
    assert {week: after[week] for week in after if week < "2026-W47"} == {w: h for w, h in before.items() if w < "2026-W47"}
    assert before["2026-W47"] == 3.0 and after["2026-W47"] == 1.0  # the deleted Planning is gone; the weekly hour stays
    assert after["2026-W48"] == 5.0  # the weekly hour and the moved, longer Planning
    engine.dispose()


def test_cli_sync_reports_each_failure_on_its_own_line_and_syncs_the_rest(
    sqlite_url: str, frozen_now: datetime, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = FeedServer(answer=Answer(body=team_calendar())).start(), FeedServer(
        answer=Answer(body=calendar(event("x", MONDAY, 1.0), name="Side"))
    ).start()
    try:
        code, out, err = run_cli(capsys, monkeypatch, "subscribe", good.url, "--db", sqlite_url, "--tz", "UTC")
        assert code == 0 and "Subscribed: Team (" in out and SECRET not in out + err
        monkeypatch.setattr("sys.stdin", _Stdin(bad.url + "\n"))
        code, out, err = run_cli(capsys, monkeypatch, "subscribe", "-", "--db", sqlite_url, "--calendar", "Side project",
                                 "--category", "personal")
        assert code == 0 and "Side project" in out
        good.answer = Answer(body=team_calendar(shift_hours=1))
        bad.answer = Answer(status=404)
        code, out, err = run_cli(capsys, monkeypatch, "sync", "--db", sqlite_url, "--tz", "UTC")
        assert code == 1
        (line,) = out.strip().splitlines()
        assert line.startswith("Team (http://127.0.0.1:") and line.endswith("0 added, 1 updated, 0 removed, 9 unchanged")
        (line,) = err.strip().splitlines()
        assert line.startswith("error: Side project: ") and "not found (HTTP 404)" in line
        code, out, err = run_cli(capsys, monkeypatch, "sources", "--db", sqlite_url, "--tz", "UTC")
        assert code == 0 and SECRET not in out
        assert "Side project  [address, personal, 1 events]  failed" in out and "last error: Side project:" in out
        code, out, err = run_cli(capsys, monkeypatch, "sync", "Team", "--db", sqlite_url)
        assert code == 0 and "unchanged" in out
        code, out, err = run_cli(capsys, monkeypatch, "sources", "remove", "Side project", "--db", sqlite_url)
        assert code == 0
        code, out, err = run_cli(capsys, monkeypatch, "sync", "Side project", "--db", sqlite_url)
        assert code == 1 and "no calendar address or CalDAV calendar named 'Side project'" in err
    finally:
        good.stop()
        bad.stop()


class _Stdin:
    def __init__(self, text: str) -> None:
        self.lines = iter(text.splitlines(keepends=True))

    def readline(self) -> str:
        return next(self.lines, "")

    def isatty(self) -> bool:
        return False


def test_backups_leave_the_address_out_unless_asked(engine: Engine, feed: FeedServer, frozen_now: datetime) -> None:
    feed.answer = Answer(body=team_calendar())
    report = subscribe(engine, feed, frozen_now)
    assert report.notes == (live.KEYRING_NOTE,)  # the tests run without a system keyring
    assert SECRET.encode() not in data_workflows.backup(engine).data
    assert SECRET.encode() in data_workflows.backup(engine, with_secrets=True).data
    assert all(row["secret"] is None for row in store.dump_tables(engine)["live_source"])


def test_a_restored_backup_without_the_address_says_so(
    engine: Engine, feed: FeedServer, frozen_now: datetime, tmp_path: Path
) -> None:
    feed.answer = Answer(body=team_calendar())
    subscribe(engine, feed, frozen_now)
    copy = store.open_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    store.restore_sqlite(copy, data_workflows.backup(engine).data)
    report = sync(copy, frozen_now)
    copy.dispose()
    assert report.status == "failed" and "its address is not on this machine" in (report.error or "")


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in a dict: stands in for the desktop's store.

    Backends register themselves with keyring; this one is viable only while a test uses it,
    so keyring never chooses it on its own for a later test.
    """

    active = False

    @properties.classproperty
    def priority(cls) -> float:
        if not cls.active:
            raise RuntimeError("only for the test that sets it")
        return 1.0

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def test_with_a_keyring_the_address_stays_out_of_the_database(
    engine: Engine, feed: FeedServer, frozen_now: datetime
) -> None:
    memory = MemoryKeyring()
    MemoryKeyring.active = True
    with keyring_replaced(memory):
        assert secrets.keyring_available()
        feed.answer = Answer(body=team_calendar())
        report = subscribe(engine, feed, frozen_now)
        assert report.notes == ()
        assert SECRET.encode() not in data_workflows.backup(engine, with_secrets=True).data
        assert list(memory.entries.values()) == [feed.url]
        feed.answer = Answer(body=team_calendar(shift_hours=2))
        assert sync(engine, frozen_now).updated == 1
        live.remove_source(engine, "Team")
        assert memory.entries == {} and store.load_sources(engine).empty
    MemoryKeyring.active = False


def test_migration_0004_adds_live_sources_and_goes_back(sqlite_url: str) -> None:
    import sqlalchemy as sa
    from alembic import command

    engine = store.open_engine(sqlite_url)
    assert "live_source" in sa.inspect(engine).get_table_names()
    with engine.begin() as connection:
        command.downgrade(store._alembic_config(connection), "0002")
    assert "live_source" not in sa.inspect(engine).get_table_names()
    store.migrate(engine)
    assert "live_source" in sa.inspect(engine).get_table_names()
    engine.dispose()
