"""The rules workflows: save (ordered, checked, one transaction), preview, placement, defaults."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from balance_dash import categorize, store, workflows
from balance_dash.errors import InvalidValueError
from balance_dash.settings import Settings
from balance_dash.workflows import rules as rule_workflows

BERLIN = "Europe/Berlin"
SAM_WEEK = date(2026, 11, 16)  # "Catch-up with Sam" is on Thursday 19 November 2026, 12:45-13:15


def seeded(url: str, frozen_now):
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=BERLIN))
    workflows.load_sample(engine, tz=workflows.resolve_zone(BERLIN), settings=store.load_settings(engine), now=frozen_now)
    return engine


def week_hours(engine, frozen_now, week: date = SAM_WEEK) -> pd.Series:
    result = workflows.balance(workflows.Scope.of(engine, tz=BERLIN, now=frozen_now), first_day=week, last_day=week)
    return result.week(week)


def rule(pattern: str, area: str, **extra: object) -> dict[str, object]:
    return {"field": "title", "pattern": pattern, "is_regex": False, "area": area, **extra}


def test_save_rules_keeps_the_order_and_fills_defaults(sqlite_url):
    engine = store.open_engine(sqlite_url)
    saved = rule_workflows.save_rules(engine, [rule("standup", "work"), {"pattern": " gym ", "area": "personal"}])
    assert saved == 2
    rules = store.load_rules(engine)
    assert rules[["position", "field", "pattern", "area", "enabled", "is_regex", "marks_day_off"]].values.tolist() == [
        [0, "title", "standup", "work", True, False, False],
        [1, "title", "gym", "personal", True, False, False],
    ]


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ([1, 2, 3], ["a", "b", "c"]),
        ([3, 2, 1], ["c", "b", "a"]),
        ([1, 2, 1], ["c", "a", "b"]),  # "c" moved onto number 1: it goes before the rule that had it
        ([1, None, 2], ["a", "c", "b"]),  # a row without a number (just added) goes last
        ([2.5, 2, 3], ["b", "a", "c"]),
    ],
)
def test_the_editor_numbers_reorder_the_rules(positions, expected):
    edited = pd.DataFrame(
        {"position": positions, "was": [1, 2, 3], "pattern": ["a", "b", "c"], "area": "work", "field": "title"}
    )
    assert [r["pattern"] for r in rule_workflows.ordered_rules(edited)] == expected


def test_rules_for_editing_round_trips_through_save(sqlite_url):
    engine = store.open_engine(sqlite_url)
    before = store.load_rules(engine).drop(columns="id")
    rule_workflows.save_rules(engine, rule_workflows.rules_for_editing(engine))
    assert store.load_rules(engine).drop(columns="id").equals(before)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (rule("(unclosed", "work", is_regex=True), "rule 2 (title '(unclosed'): invalid regular expression"),
        (rule("   ", "work"), "rule 2 (title ''): the pattern is empty"),
        (rule("lunch", "uncategorized"), "rule 2 (title 'lunch'): choose an area"),
        (rule("lunch", None), "rule 2 (title 'lunch'): choose an area"),  # type: ignore[arg-type]  # no area, on purpose
        ({**rule("lunch", "work"), "field": "subject"}, "rule 2 (subject 'lunch'): unknown field"),
    ],
)
def test_a_bad_rule_is_named_and_nothing_is_saved(db_url, bad, message):
    engine = store.open_engine(db_url)
    before = store.load_rules(engine)
    with pytest.raises(InvalidValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rule_workflows.save_rules(engine, [rule("standup", "work"), bad, rule("gym", "personal")])
    assert store.load_rules(engine).equals(before)
    engine.dispose()


def test_preview_shows_distinct_events_with_occurrence_counts(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    caught = rule_workflows.preview(workflows.Scope.of(engine), rule("standup", "work"))
    assert caught["title"].tolist() == ["Team standup", "Team standup (moved)"]
    assert caught["occurrences"].iloc[0] > caught["occurrences"].iloc[1] == 1
    assert rule_workflows.preview(workflows.Scope.of(engine), rule(r"^catch-up\b", "family", is_regex=True))["title"].tolist() == [
        "Catch-up with Sam"
    ]
    with pytest.raises(InvalidValueError, match="rule 7"):
        rule_workflows.preview(workflows.Scope.of(engine), rule("[", "work", is_regex=True, position=7))


def test_preview_on_an_empty_database_still_checks_the_rule(sqlite_url):
    engine = store.open_engine(sqlite_url)
    assert rule_workflows.preview(workflows.Scope.of(engine), rule("anything", "work")).empty
    with pytest.raises(InvalidValueError, match="invalid regular expression"):
        rule_workflows.preview(workflows.Scope.of(engine), rule("(", "work", is_regex=True))


def test_uncategorized_events_lists_title_and_calendar_with_hours(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    left = rule_workflows.uncategorized_events(workflows.Scope.of(engine))
    assert left[["source", "title", "occurrences", "hours"]].values.tolist() == [
        ["Sample calendar", "Catch-up with Sam", 1, 0.5]
    ]
    assert rule_workflows.uncategorized_events(workflows.Scope.of(store.open_engine(sqlite_url.replace("balance.db", "empty.db")))).empty


def test_uncategorized_events_are_ordered_by_hours(sqlite_url):
    engine = store.open_engine(sqlite_url)
    store.replace_rules(engine, [])
    zone = workflows.resolve_zone(BERLIN)
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Short thing\r\n"
        b"DTSTART:20261110T090000Z\r\nDTEND:20261110T093000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:=Long thing\r\n"
        b"DTSTART:20261110T120000Z\r\nDTEND:20261110T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    workflows.import_calendar(engine, ics, file_name="t.ics", tz=zone, settings=Settings())
    left = rule_workflows.uncategorized_events(workflows.Scope.of(engine))
    assert left[["title", "occurrences", "hours"]].values.tolist() == [["=Long thing", 1, 4.0], ["Short thing", 3, 1.5]]


def test_placing_a_series_removes_it_and_survives_reimport(db_url, frozen_now):
    engine = seeded(db_url, frozen_now)
    before = week_hours(engine, frozen_now)
    [source_id] = rule_workflows.uncategorized_events(workflows.Scope.of(engine))["source_id"].tolist()
    assert rule_workflows.place_series(engine, source_id=source_id, title="Catch-up with Sam", area="family") == 1
    assert rule_workflows.uncategorized_events(workflows.Scope.of(engine)).empty
    placements = store.load_placements(engine)
    assert placements[["uid", "recurrence_key", "area"]].values.tolist() == [["coffee@sample.balance-dash", "*", "family"]]
    after = week_hours(engine, frozen_now)
    assert after["uncategorized"] == 0 and after["family"] == pytest.approx(before["family"] + 0.5)
    report = workflows.load_sample(engine, tz=workflows.resolve_zone(BERLIN), settings=store.load_settings(engine), now=frozen_now)
    assert report.added == 0 and report.removed == 0
    assert rule_workflows.uncategorized_events(workflows.Scope.of(engine)).empty
    assert week_hours(engine, frozen_now)["family"] == pytest.approx(after["family"])
    engine.dispose()


def test_placing_refuses_an_unknown_area_or_title(sqlite_url, frozen_now):
    engine = seeded(sqlite_url, frozen_now)
    with pytest.raises(InvalidValueError, match="unknown area"):
        rule_workflows.place_series(engine, source_id=1, title="Catch-up with Sam", area="uncategorized")
    with pytest.raises(InvalidValueError, match="no event titled"):
        rule_workflows.place_series(engine, source_id=1, title="Nobody", area="work")
    assert store.load_placements(engine).empty


def test_a_rule_change_recategorises_past_weeks_at_once(db_url, frozen_now):
    engine = seeded(db_url, frozen_now)
    before = week_hours(engine, frozen_now)
    assert before["uncategorized"] == pytest.approx(0.5)
    edited = rule_workflows.rules_for_editing(engine)
    new_first = pd.DataFrame([{**rule("catch-up", "family"), "position": 1, "enabled": True, "marks_day_off": False}])
    rule_workflows.save_rules(engine, pd.concat([new_first, edited], ignore_index=True))
    after = week_hours(engine, frozen_now)  # a past week (frozen now is the Monday after)
    assert after["uncategorized"] == 0
    assert after["family"] == pytest.approx(before["family"] + 0.5)
    assert after["work"] == pytest.approx(before["work"])
    # And back: disabling the rule puts the event back among the uncategorized.
    edited = rule_workflows.rules_for_editing(engine)
    edited.loc[0, "enabled"] = False
    rule_workflows.save_rules(engine, edited)
    assert week_hours(engine, frozen_now)["uncategorized"] == pytest.approx(0.5)
    engine.dispose()


def test_restore_default_rules(sqlite_url):
    engine = store.open_engine(sqlite_url)
    rule_workflows.save_rules(engine, [rule("only", "work")])
    assert rule_workflows.restore_default_rules(engine) == len(categorize.DEFAULT_RULES)
    rules = store.load_rules(engine)
    assert rules["pattern"].tolist() == [r["pattern"] for r in categorize.DEFAULT_RULES]
    assert rules["position"].tolist() == list(range(len(categorize.DEFAULT_RULES)))


def test_descriptions_are_read_only_while_a_rule_uses_them(sqlite_url):
    engine = store.open_engine(sqlite_url)
    frame = pd.DataFrame(
        {"uid": ["a"], "recurrence_key": [""], "title": ["Sync"], "location": [""], "description": ["Project Apollo"],
         "all_day": [False], "start_utc": pd.to_datetime(["2024-10-07T08:00Z"]).astype("datetime64[us, UTC]"),
         "end_utc": pd.to_datetime(["2024-10-07T09:00Z"]).astype("datetime64[us, UTC]"),
         "day_start": pd.Series([pd.NaT], dtype="datetime64[s]"), "day_end": pd.Series([pd.NaT], dtype="datetime64[s]")}
    )
    store.replace_occurrences(engine, source={"name": "Work"}, frame=frame)
    store.replace_rules(engine, [{"field": "title", "pattern": "standup", "is_regex": False, "area": "work", "marks_day_off": False, "enabled": True}])
    plain = workflows.categorized_occurrences(engine)
    assert plain["description"].tolist() == [""]
    assert plain["area"].tolist() == ["uncategorized"]
    store.replace_rules(engine, [{"field": "description", "pattern": "apollo", "is_regex": False, "area": "family", "marks_day_off": False, "enabled": True}])
    placed = workflows.categorized_occurrences(engine)
    assert placed["description"].tolist() == ["Project Apollo"]
    assert placed["area"].tolist() == ["family"]
    caught = rule_workflows.preview(workflows.Scope.of(engine), {"field": "description", "pattern": "apollo", "is_regex": False, "area": "family", "position": 1})
    assert caught["occurrences"].tolist() == [1]
