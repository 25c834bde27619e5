"""The weekly review facade: journal, target history, targets then in force, the 0001 -> 0002 migration."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

from balance_dash import history, store, workflows
from balance_dash.errors import InvalidValueError
from balance_dash.settings import Settings
from balance_dash.workflows import reflect
from balance_dash.workflows.scope import Scope

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
CRUNCH_WEEK = date(2026, 11, 9)


@pytest.fixture
def sample(sqlite_url):
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone="Europe/Berlin"))
    workflows.load_sample(engine, tz=BERLIN, settings=store.load_settings(engine), now=NOW)
    return engine


def test_journal_round_trip(db_url):
    engine = store.open_engine(db_url)
    question = reflect.QUESTIONS[0][1]
    reflect.save_review(engine, week_start=date(2026, 11, 16), answers={question: "Mostly — 🌿", "empty": "  "},
                        notes="Tired <i>but</i> fine", energy=2, mood=4)
    entry = store.load_journal(engine, date(2026, 11, 16))
    assert entry is not None and (entry.energy, entry.mood, entry.notes) == (2, 4, "Tired <i>but</i> fine")
    assert json.loads(entry.answers) == {question: "Mostly — 🌿"}
    reflect.save_review(engine, week_start=date(2026, 11, 16), answers={}, notes="", energy=None, mood=5)
    again = store.load_journal(engine, date(2026, 11, 16))
    assert again is not None and (again.energy, again.mood, json.loads(again.answers)) == (None, 5, {})
    assert list(store.load_journals(engine)["week_start"]) == [date(2026, 11, 16)]
    with pytest.raises(InvalidValueError, match="from 1 to 5"):
        reflect.save_review(engine, week_start=date(2026, 11, 16), answers={}, energy=6)
    engine.dispose()


def test_boundary_versions_round_trip(db_url):
    engine = store.open_engine(db_url)
    for start, weekdays, active in ((date(2026, 3, 2), [6], True), (date(2026, 6, 1), [5, 6], True), (date(2026, 9, 7), [6], False)):
        reflect.save_boundary(engine, name="Weekends off", kind="forbid", area="work", weekdays=weekdays,
                              start_local=time(0), end_local=time(0), effective_from=start, active=active)
    versions = store.load_boundaries(engine)
    assert list(versions["weekdays"]) == ["6", "5,6", "6"] and list(versions["active"]) == [True, True, False]
    assert versions["start_local"].iloc[0] == time(0)
    with pytest.raises(InvalidValueError, match="weekday"):
        reflect.save_boundary(engine, name="x", kind="forbid", area="work", weekdays=[], start_local=time(0),
                              end_local=time(0), effective_from=date(2026, 1, 1))
    engine.dispose()


def test_target_history_sentence():
    targets = pd.DataFrame(
        {
            "area": ["family", "family", "work"],
            "min_hours": [10.0, 14.0, 35.0],
            "max_hours": [None, None, 48.0],
            "effective_from": [date(1970, 1, 1), date(2026, 3, 3), date(1970, 1, 1)],
        }
    )
    weeks = pd.date_range("2026-03-02", periods=10, freq="7D", name="week_start")  # the first starts before the change
    family = [20, 15, 14, 13.9, 16, 20, 9, 14, 14.5, 30]
    weekly = pd.DataFrame({"family": family, "work": 40.0}, index=weeks)
    changes = history.target_changes(targets, weekly, today=date(2026, 11, 23))
    assert list(changes["sentence"]) == [
        "You raised family time from at least 10 h to at least 14 h on 3 March; since then you met it 7 of 9 weeks"
    ]
    assert history.target_changes(targets, weekly, today=date(2027, 1, 4))["sentence"][0].startswith(
        "You raised family time from at least 10 h to at least 14 h on 3 March 2026;"
    )


def test_a_past_week_is_judged_by_the_target_then_in_force(sample):
    reflect.change_target(sample, area="family", min_hours=5.0, max_hours=None, effective_from=date(2026, 11, 16))
    past = reflect.weekly_review(Scope.of(sample, tz=BERLIN, now=NOW), week_start=CRUNCH_WEEK)
    later = reflect.weekly_review(Scope.of(sample, tz=BERLIN, now=NOW), week_start=date(2026, 11, 18))
    assert past.targets.set_index("area").loc["family", "min_hours"] == 14.0
    assert later.week_start == date(2026, 11, 16)
    assert later.targets.set_index("area").loc["family", "min_hours"] == 5.0
    assert any(w.code == "below_target" and "family" in w.message for w in past.warnings)
    assert not any(w.code == "below_target" and "family" in w.message for w in later.warnings)
    history_frame = reflect.target_history(Scope.of(sample, tz=BERLIN, now=NOW))
    assert history_frame["sentence"].tolist() == [
        "You lowered family time from at least 14 h to at least 5 h on 16 November; since then you met it 1 of 1 weeks"
    ]


def test_review_of_the_crunch_week_names_broken_boundaries_and_their_events(sample):
    reflect.save_boundary(sample, name="No work on Saturday", kind="forbid", area="work", weekdays=[5],
                          start_local=time(0), end_local=time(0), effective_from=date(2026, 11, 2))
    review = reflect.weekly_review(Scope.of(sample, tz=BERLIN, now=NOW), week_start=CRUNCH_WEEK)
    assert review.iso_week == "2026-W46" and review.hours["work"] >= 55 and not review.scheduled
    kept = review.boundaries.set_index("boundary")["kept"].to_dict()
    assert kept == {"Start time": True, "Disconnect time": False, "Rest days": False, "Sleep window": True,
                    "No work on Saturday": False}
    assert review.score == pytest.approx(2 / 5)
    saturday = review.breaks[review.breaks["boundary"] == "No work on Saturday"].to_dict("records")
    assert saturday == [{"boundary": "No work on Saturday", "day": date(2026, 11, 14), "hours": 6.0, "events": "Release day"}]
    sentences = reflect.boundary_history(Scope.of(sample, tz=BERLIN, now=NOW))["sentence"]
    assert sentences.tolist() == [
        "You added 'No work on Saturday' (no work on Saturday, all day) on 2 November; since then you kept it 1 of 3 weeks"  # the on-call Saturday
    ]


def test_past_reviews_sit_beside_their_weeks_figures(sample):
    reflect.save_review(sample, week_start=CRUNCH_WEEK, answers={reflect.QUESTIONS[3][1]: "The release"}, energy=1, mood=2)
    reviews = reflect.past_reviews(Scope.of(sample, tz=BERLIN, now=NOW))
    [row] = reviews.to_dict("records")
    assert row["iso_week"] == "2026-W46" and row["work"] >= 55 and row["boundaries_kept"] == 0.5
    assert (row["energy"], row["mood"], row["answers"]) == (1, 2, 1) and row["warnings"] > 0


def test_plan_week_and_calendar_from_the_editor(sample):
    plan = reflect.plan_week(Scope.of(sample, tz=BERLIN, now=NOW), week_start=date(2026, 11, 30))
    assert plan.shortfall and not plan.blocks.empty
    edited = reflect.blocks_for_editing(plan.blocks, tz=BERLIN)
    edited.loc[0, "title"] = ""  # an emptied title falls back to the area
    blocks = reflect.blocks_from_editor(edited, tz=BERLIN)
    pd.testing.assert_series_equal(blocks["start_utc"], plan.blocks["start_utc"], check_names=False, check_dtype=False)
    assert blocks["title"].iloc[0] == blocks["area"].iloc[0]
    assert b"BEGIN:VTIMEZONE" in reflect.plan_calendar(blocks, tz=BERLIN, now=NOW)
    edited.loc[0, "end"] = edited.loc[0, "start"]
    with pytest.raises(InvalidValueError, match="ends before it starts"):
        reflect.blocks_from_editor(edited, tz=BERLIN)


def test_plan_against_actual_for_a_week_with_logs(sample):
    settings = store.load_settings(sample)
    workflows.log_time(sample, tz=BERLIN, area="work", start=datetime(2026, 11, 9, 8, tzinfo=BERLIN),
                       end=datetime(2026, 11, 9, 20, tzinfo=BERLIN))
    frame = reflect.plan_against_actual(Scope.of(sample, settings=settings, tz=BERLIN), week_start=CRUNCH_WEEK).set_index("area")
    assert frame.loc["work", "logged"] == 12.0 and frame.loc["work", "planned"] >= 55  # type: ignore[arg-type]  # pandas-stubs: a .loc scalar
    assert reflect.plan_against_actual(Scope.of(sample, settings=settings, tz=BERLIN), week_start=date(2026, 10, 5)).empty


def test_migration_0001_to_0002_keeps_every_row(sqlite_url):
    engine = store.make_engine(sqlite_url)
    with engine.begin() as connection:
        command.upgrade(store._alembic_config(connection), "0001")
    current, head = store.schema_state(engine)
    assert current == "0001" and head != "0001"  # later migrations chain after 0002
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO source (id, name, kind, area_forced, imported_at) "
                                   "VALUES (1, 'Work', 'ics', 0, '2026-01-01 00:00:00')"))
        connection.execute(sa.text("INSERT INTO occurrence (source_id, uid, recurrence_key, title, location, description, "
                                   "all_day, start_utc, end_utc, fingerprint) VALUES (1, 'u1', '', 'Standup', '', '', 0, "
                                   "'2026-11-16 08:00:00', '2026-11-16 09:00:00', 'f')"))
        connection.execute(sa.text("INSERT INTO target (area, min_hours, max_hours, effective_from, created_at) "
                                   "VALUES ('family', 12, NULL, '2026-03-03', '2026-03-03 00:00:00')"))
        connection.execute(sa.text("INSERT INTO journalentry (week_start, answers, notes, energy, mood, updated_at) "
                                   "VALUES ('2026-11-16', '{\"q\": \"a\"}', 'kept', 3, 4, '2026-11-22 00:00:00')"))
    def rows(name: str) -> list[dict[str, object]]:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sa.text(f"SELECT * FROM {name} ORDER BY 1"))]

    before = {name: rows(name) for name in ("source", "occurrence", "target", "journalentry")}
    assert all(before.values())
    store.migrate(engine)
    current, head = store.schema_state(engine)
    assert current == head
    after = {name: rows(name) for name in before}
    # Later revisions add columns; every value that was there is still there.
    assert {name: len(after[name]) for name in before} == {name: len(before[name]) for name in before}
    assert {name: [{key: row[key] for key in old} for row, old in zip(after[name], before[name], strict=True)]
            for name in before} == before
    assert store.load_boundaries(engine).empty
    store.save_boundary(engine, name="No work on Sunday", kind="forbid", area="work", weekdays=[6],
                        start_local=time(0), end_local=time(0), effective_from=date(2026, 11, 23))
    assert len(store.load_boundaries(engine)) == 1
    engine.dispose()


def test_cli_review_prints_targets_boundaries_and_the_journal(sample, sqlite_url, capsys, monkeypatch):
    from tests.support.cli import run_cli

    reflect.save_review(sample, week_start=CRUNCH_WEEK, answers={reflect.QUESTIONS[3][1]: "The release"}, notes="No more", energy=2)
    code, out, err = run_cli(capsys, monkeypatch, "review", "--db", sqlite_url, "--tz", "Europe/Berlin", "--week", "2026-W46")
    assert code == 0, err
    assert "Review of 2026-W46, from 2026-11-09" in out
    assert "family" in out and "target at least 14 h" in out
    assert "Boundaries kept: 2 of 4 (50%)" in out
    assert "broken: Rest days on 2026-11-14: 6 h (Release day)" in out
    assert "The release" in out and "energy 2/5" in out
    code, _out, err = run_cli(capsys, monkeypatch, "review", "--db", sqlite_url, "--week", "nonsense")
    assert code == 1 and "is not an ISO week" in err


def test_boundary_scores_per_week_count_the_crunch_week_as_broken(sqlite_url):
    from balance_dash.workflows import reflect as reflect_workflows
    from tests.support.apptest import seed_sample

    engine = store.open_engine(seed_sample(sqlite_url))
    scores = reflect_workflows.boundary_scores(
        Scope.of(engine, tz=ZoneInfo("Europe/Berlin")), first_day=date(2026, 9, 14), last_day=date(2026, 11, 15)
    ).set_index("week_start")
    assert scores.loc[pd.Timestamp("2026-09-14"), "kept"] == scores.loc[pd.Timestamp("2026-09-14"), "boundaries"]
    crunch = scores.loc[pd.Timestamp("2026-11-09")]
    assert crunch["kept"] < crunch["boundaries"]
    assert 0 <= crunch["score"] < 1
