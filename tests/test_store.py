"""The store on SQLite and on a real PostgreSQL server: schema, replace, placements, settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time

import pandas as pd
import pytest
import sqlalchemy as sa

from balance_dash import store
from balance_dash.errors import DatabaseUrlError, InvalidValueError, SchemaError
from balance_dash.settings import Settings

COLUMNS = ("uid", "recurrence_key", "title", "location", "description", "all_day", "start_utc", "end_utc", "day_start", "day_end")


def frame(*rows: Mapping[str, object]) -> pd.DataFrame:
    defaults = {"recurrence_key": "", "title": "", "location": "", "description": "", "all_day": False,
                "start_utc": pd.NaT, "end_utc": pd.NaT, "day_start": pd.NaT, "day_end": pd.NaT}
    data = pd.DataFrame([{**defaults, **row} for row in rows], columns=list(COLUMNS))
    data["start_utc"] = pd.to_datetime(data["start_utc"], utc=True).astype("datetime64[us, UTC]")
    data["end_utc"] = pd.to_datetime(data["end_utc"], utc=True).astype("datetime64[us, UTC]")
    data["day_start"] = pd.to_datetime(data["day_start"]).astype("datetime64[s]")
    data["day_end"] = pd.to_datetime(data["day_end"]).astype("datetime64[s]")
    return data


MEETING = {"uid": "m1", "title": "Planning", "start_utc": "2024-10-07T08:00Z", "end_utc": "2024-10-07T09:30Z"}
HOLIDAY = {"uid": "h1", "title": "Vacation", "all_day": True, "day_start": "2024-10-10", "day_end": "2024-10-12"}


def test_new_database_is_at_head_with_default_rules_and_targets(db_url):
    engine = store.open_engine(db_url)
    current, head = store.schema_state(engine)
    assert current == head
    assert len(store.load_rules(engine)) > 0
    assert set(store.load_targets(engine)["area"]) == {"work", "family", "personal", "rest"}
    store.open_engine(db_url)  # opening again migrates nothing and seeds nothing twice
    assert len(store.load_targets(engine)) == 4


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    engine = store.open_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_occurrences_round_trip_as_aware_utc_and_dates(db_url):
    engine = store.open_engine(db_url)
    counts = store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING, HOLIDAY))
    assert (counts.added, counts.updated, counts.removed, counts.unchanged) == (2, 0, 0, 0)
    loaded = store.load_occurrences(engine).set_index("uid")
    assert loaded.loc["m1", "start_utc"] == pd.Timestamp("2024-10-07T08:00Z")
    assert str(loaded["start_utc"].dtype) == "datetime64[us, UTC]"
    assert loaded.loc["h1", "day_start"] == pd.Timestamp("2024-10-10")
    assert bool(loaded.loc["h1", "all_day"]) is True
    assert pd.isna(loaded.loc["h1", "start_utc"])  # type: ignore[arg-type]  # pandas-stubs: a .loc scalar
    assert loaded.loc["m1", "source_name"] == "Work"


def test_instants_and_days_read_back_exactly_whatever_form_the_driver_hands_over(db_url):
    """Instants and days come back as written, from before 1970, to the microsecond, and missing."""
    rows: list[dict[str, object]] = [
        {"uid": "old", "start_utc": "1969-07-20T20:17:40.500000Z", "end_utc": "1969-07-21T02:56:15.000000Z"},
        {"uid": "micro", "start_utc": "2026-03-29T00:59:59.999999Z", "end_utc": "2026-03-29T01:00:00.000001Z"},
        {"uid": "open", "start_utc": "2026-11-23T08:00:00.000000Z"},
        {"uid": "days", "all_day": True, "day_start": "1965-12-31", "day_end": "2038-01-20"},
    ]
    engine = store.open_engine(db_url)
    store.replace_occurrences(engine, source={"name": "Edges"}, frame=frame(*rows))
    loaded = store.load_occurrences(engine).set_index("uid").loc[[row["uid"] for row in rows]]
    expected = frame(*rows).set_index("uid")
    for column in ("start_utc", "end_utc", "day_start", "day_end"):
        assert str(loaded[column].dtype) == str(expected[column].dtype), column
        pd.testing.assert_series_equal(loaded[column], expected[column], check_names=False)


def test_replace_counts_changes_and_is_idempotent(db_url):
    engine = store.open_engine(db_url)
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING, HOLIDAY))
    again = store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING, HOLIDAY))
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)
    moved = {**MEETING, "end_utc": "2024-10-07T10:00Z"}
    new = {"uid": "n1", "title": "Retro", "start_utc": "2024-10-08T08:00Z", "end_utc": "2024-10-08T09:00Z"}
    changed = store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(moved, new))
    assert (changed.added, changed.updated, changed.removed, changed.unchanged) == (1, 1, 1, 0)
    assert sorted(store.load_occurrences(engine)["uid"]) == ["m1", "n1"]


def test_sources_are_separate_snapshots(db_url):
    engine = store.open_engine(db_url)
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING))
    store.replace_occurrences(engine, source={"name": "Home"}, frame=frame(HOLIDAY))
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame())
    assert store.load_occurrences(engine)["source_name"].tolist() == ["Home"]
    sources = store.load_sources(engine).set_index("name")
    assert sources.loc["Work", "occurrences"] == 0
    assert sources.loc["Home", "occurrences"] == 1


def test_failed_replace_leaves_the_database_as_it_was(db_url):
    engine = store.open_engine(db_url)
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING))
    revision = store.data_revision(engine)
    # Two new rows with one identity: the second insert fails half-way through the transaction.
    clash = {"uid": "n1", "title": "Retro", "start_utc": "2024-10-08T08:00Z", "end_utc": "2024-10-08T09:00Z"}
    duplicate = frame(MEETING, clash, {**clash, "title": "Same identity twice"})
    with pytest.raises(sa.exc.IntegrityError):
        store.replace_occurrences(engine, source={"name": "Work", "file_name": "new.ics"}, frame=duplicate)
    loaded = store.load_occurrences(engine)
    assert loaded["title"].tolist() == ["Planning"]
    assert store.data_revision(engine) == revision
    assert store.load_sources(engine)["file_name"].tolist() == [None]


def test_placements_survive_reimport_and_deleting_a_source_removes_everything(db_url):
    engine = store.open_engine(db_url)
    counts = store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING))
    store.place(engine, source_id=counts.source_id, uid="m1", recurrence_key="*", area="family")
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame({**MEETING, "title": "Planning v2"}))
    placements = store.load_placements(engine)
    assert placements[["uid", "area"]].values.tolist() == [["m1", "family"]]
    store.delete_source(engine, counts.source_id)
    assert store.load_occurrences(engine).empty
    assert store.load_placements(engine).empty
    assert store.load_sources(engine).empty


def test_every_write_bumps_the_data_revision(db_url):
    engine = store.open_engine(db_url)
    seen = [store.data_revision(engine)]
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING))
    seen.append(store.data_revision(engine))
    store.save_target(engine, area="work", min_hours=None, max_hours=40, effective_from=date(2024, 1, 1))
    seen.append(store.data_revision(engine))
    store.save_settings(engine, Settings(sleep_enabled=False))
    seen.append(store.data_revision(engine))
    store.replace_rules(engine, [{"field": "title", "pattern": "x", "is_regex": False, "area": "work", "marks_day_off": False, "enabled": True}])
    seen.append(store.data_revision(engine))
    assert seen == sorted(set(seen)), seen


def test_settings_and_targets_round_trip(db_url):
    engine = store.open_engine(db_url)
    saved = Settings(timezone="America/New_York", week_starts_on="sunday", disconnect_time=time(17, 30), rest_days=(6,))
    store.save_settings(engine, saved)
    assert store.load_settings(engine) == saved
    store.save_target(engine, area="family", min_hours=14, max_hours=None, effective_from=date(2026, 3, 3))
    store.save_target(engine, area="family", min_hours=16, max_hours=None, effective_from=date(2026, 3, 3))
    family = store.load_targets(engine).query("area == 'family'")
    assert family["min_hours"].tolist()[-1] == 16
    assert len(family) == 2  # the seeded default and the one from 3 March


def test_bad_values_are_refused_with_a_message(db_url):
    engine = store.open_engine(db_url)
    with pytest.raises(InvalidValueError, match="unknown area 'hobby'"):
        store.save_target(engine, area="hobby", min_hours=1, max_hours=2, effective_from=date(2026, 1, 1))
    with pytest.raises(DatabaseUrlError, match="not a database URL"):
        store.make_engine("not a url")


def test_a_database_from_a_newer_version_gives_a_fix_it_message(sqlite_url):
    engine = store.open_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with pytest.raises(SchemaError, match="newer balance-dash"):
        store.open_engine(sqlite_url)


def test_naive_instants_are_refused():
    with pytest.raises(InvalidValueError, match="has no time zone"):
        store.utc(datetime(2024, 1, 1, 9, 0))
    assert store.utc(datetime(2024, 1, 1, 9, 0, tzinfo=UTC)).tzinfo is UTC


def test_a_malformed_rule_is_refused_and_the_old_rules_stay(sqlite_url):
    # Rules are checked before the store writes them (workflows.rules.save_rules).
    from balance_dash.workflows import rules as rule_workflows

    engine = store.open_engine(sqlite_url)
    before = store.load_rules(engine)
    bad = {"field": "title", "pattern": "([unclosed", "is_regex": True, "area": "work", "marks_day_off": False, "enabled": True}
    with pytest.raises(InvalidValueError, match=r"rule 1 .* invalid regular expression"):
        rule_workflows.save_rules(engine, [bad])
    pd.testing.assert_frame_equal(store.load_rules(engine), before)


def test_coverage_worked_out_from_the_read_history_equals_the_stored_one(db_url):
    """`coverage_of` (a dashboard that has read every occurrence) and `load_coverage` (one pass in
    the database) give the same spans: per calendar its first to last live occurrence, timed and
    all-day apart, cancelled ones left out; per log entry, itself."""
    engine = store.open_engine(db_url)
    work = frame(
        MEETING, HOLIDAY,
        {"uid": "late", "title": "Review", "start_utc": "2024-11-30T16:00Z", "end_utc": "2024-11-30T17:00Z"},
        {"uid": "gone", "title": "Cancelled offsite", "start_utc": "2025-02-01T08:00Z", "end_utc": "2025-02-01T18:00Z"},
    ).assign(cancelled=[False, False, False, True])
    store.replace_occurrences(engine, source={"name": "Work"}, frame=work)
    store.replace_occurrences(engine, source={"name": "Holidays"}, frame=frame(
        {"uid": "x", "title": "Trip", "all_day": True, "day_start": "2023-05-01", "day_end": "2023-05-08"}
    ))
    store.append_occurrences(engine, source={"name": "Time log", "kind": "manual"}, frame=frame(
        {"uid": "a", "title": "Gym", "start_utc": "2024-10-08T17:00Z", "end_utc": "2024-10-08T18:00Z"},
        {"uid": "b", "title": "Reading", "start_utc": "2026-01-05T19:00Z", "end_utc": "2026-01-05T20:30Z"},
    ))
    sources = store.load_sources(engine, with_counts=False)
    logs = sources.loc[sources["kind"] == "manual", "id"]
    worked_out = store.coverage_of(store.load_occurrences(engine, with_cancelled=True), logs)
    stored = store.load_coverage(engine)
    columns = ["start_utc", "end_utc", "first_day", "last_day"]
    assert len(stored) == 4  # two calendars and two log entries
    pd.testing.assert_frame_equal(
        worked_out.sort_values(columns).reset_index(drop=True), stored.sort_values(columns).reset_index(drop=True)
    )
    work_span = stored.dropna(subset=["first_day"]).sort_values("first_day").iloc[-1]
    assert work_span["end_utc"] == pd.Timestamp("2024-11-30T17:00Z")  # the cancelled offsite is left out


def test_sources_without_counts_are_the_same_rows_without_a_pass_over_the_occurrences(sqlite_url):
    engine = store.open_engine(sqlite_url)
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(MEETING, HOLIDAY))
    counted, plain = store.load_sources(engine), store.load_sources(engine, with_counts=False)
    assert int(counted["occurrences"].iloc[0]) == 2
    pd.testing.assert_frame_equal(counted.drop(columns=["occurrences", "first", "last"]), plain)


def test_a_period_reads_its_occurrences_in_the_order_they_were_stored(db_url):
    """A period's read goes through the end indexes, which hand rows over by end time; the frame
    still comes in storage order, as a read of the whole history does."""
    engine = store.open_engine(db_url)
    rows = [  # stored first, ending last: the index order is the reverse of the storage order
        {"uid": f"e{n}", "title": f"Event {n}", "start_utc": f"2024-10-{20 - n:02d}T08:00Z", "end_utc": f"2024-10-{20 - n:02d}T09:00Z"}
        for n in range(6)
    ]
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame(*rows, HOLIDAY))
    whole = store.load_occurrences(engine)
    period = store.load_occurrences(
        engine, start_utc=datetime(2024, 10, 1, tzinfo=UTC), end_utc=datetime(2024, 10, 31, tzinfo=UTC)
    )
    assert period["id"].is_monotonic_increasing
    pd.testing.assert_frame_equal(period, whole)
