"""workflows.patterns and `balance-dash patterns` / `summary --json` on the sample calendar."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from balance_dash import store
from balance_dash.settings import Settings
from balance_dash.workflows import patterns as workflow
from balance_dash.workflows.scope import Scope
from tests.support.apptest import seed_sample
from tests.support.cli import run_cli

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
W47 = date(2026, 11, 16)  # Monday of 2026-W47


def shape_of(url: str, first: date, last: date, **settings: object) -> workflow.Patterns:
    engine = store.open_engine(url)
    saved = store.load_settings(engine)
    chosen = saved.model_copy(update=settings) if settings else saved
    try:
        return workflow.patterns(Scope.of(engine, settings=chosen, now=NOW), first_day=first, last_day=last)
    finally:
        engine.dispose()


def test_the_sample_week_has_its_meetings_focus_and_family_evening(seeded_url: str) -> None:
    result = shape_of(seeded_url, W47, W47)
    week = result.week(W47)
    # Standups (5 x 15 min, Wednesday's moved), the fortnightly 1:1 (30 min), the catch-up with Sam (30 min).
    assert week["meeting_hours"] == 2.25
    assert week["meetings"] == 7
    assert week["back_to_back"] == 0
    # The longest family block: the Saturday's 2.5 h; personal time comes in 1 h pieces.
    assert week["family_longest_block_hours"] == 2.5
    assert week["personal_longest_block_hours"] == 1.0
    assert week["focus_hours"] + week["fragmented_hours"] + week["meeting_hours_working"] + week[
        "interrupted_hours_working"
    ] == pytest.approx(week["working_hours"])
    titles = set(result.series["title"])
    assert titles == {"Team standup", "1:1 with manager"}


def test_a_vacation_week_has_no_working_hours(seeded_url: str) -> None:
    week = shape_of(seeded_url, date(2026, 10, 19), date(2026, 10, 25)).week(date(2026, 10, 19))
    assert week["working_hours"] == 0
    assert week["focus_hours"] == 0


def test_declined_meetings_are_not_meetings(seeded_url: str) -> None:
    before = shape_of(seeded_url, W47, W47, my_addresses=("you@sample.balance-dash",)).week(W47)
    assert before["meeting_hours"] == 2.25
    assert before["meetings_by_me"] == 1 and before["meetings_by_others"] == 6


def test_people_can_be_hidden(seeded_url: str) -> None:
    shown = shape_of(seeded_url, W47, W47, my_addresses=("you@sample.balance-dash",))
    assert shown.people["person"].tolist()[0] == "sam@sample.balance-dash"
    assert "you@sample.balance-dash" not in set(shown.people["person"])
    hidden = shape_of(seeded_url, W47, W47, hide_people=True)
    assert hidden.people.empty
    assert "people" not in workflow.patterns_document(hidden)


def test_a_series_click_lists_its_occurrences(seeded_url: str) -> None:
    result = shape_of(seeded_url, date(2026, 9, 1), date(2026, 11, 29))
    standup = result.series[result.series["title"] == "Team standup"].iloc[0]
    occurrences = result.series_occurrences(str(standup["series_key"]))
    assert len(occurrences) == standup["occurrences"] == 55  # 12 weeks of 5, less the vacation week
    assert occurrences["hours"].sum() == pytest.approx(standup["hours"])


def test_patterns_json_has_weeks_series_and_people(capsys, monkeypatch, seeded_url) -> None:
    code, out, err = run_cli(capsys, monkeypatch, "patterns", "--db", seeded_url, "--week", "2026-W47", "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["timezone"] == "Europe/Berlin"
    [week] = document["weeks"]
    assert week["week"] == "2026-W47" and week["meeting_hours"] == 2.25
    for name in ("focus_hours", "fragmented_hours", "back_to_back", "longest_personal_block_hours",
                 "longest_family_block_hours", "meeting_share", "workday_span_hours_max"):
        assert name in week
    assert {row["title"] for row in document["series"]} == {"Team standup", "1:1 with manager"}
    assert document["people"][0]["hours"] > 0


def test_patterns_text_is_a_table_with_series(capsys, monkeypatch, seeded_url) -> None:
    code, out, _ = run_cli(capsys, monkeypatch, "patterns", "--db", seeded_url, "--from", "2026-11-09", "--to",
                           "2026-11-22")
    assert code == 0
    lines = out.splitlines()
    assert lines[2].split() == ["week", "meetings", "share", "focus", "fragmented", "back2back", "family", "personal"]
    assert lines[3].startswith("2026-W46") and lines[4].startswith("2026-W47")
    assert lines[4].split()[1] == "2.2"  # 2.25 h of meetings, one decimal
    assert "Team standup:" in out and "Recurring meetings, costliest first:" in out
    assert max(len(line) for line in lines) <= 80


def test_summary_json_holds_the_patterns_of_each_week(capsys, monkeypatch, seeded_url) -> None:
    code, out, _ = run_cli(capsys, monkeypatch, "summary", "--db", seeded_url, "--week", "2026-W47", "--json")
    assert code == 0
    [week] = json.loads(out)["weeks"]
    assert week["patterns"]["meeting_hours"] == 2.25
    assert set(week["patterns"]) >= {
        "meeting_hours", "focus_hours", "fragmented_hours", "back_to_back", "longest_personal_block_hours",
        "longest_family_block_hours",
    }


def test_patterns_refuse_a_period_that_ends_before_it_starts(capsys, monkeypatch, seeded_url) -> None:
    code, _, err = run_cli(capsys, monkeypatch, "patterns", "--db", seeded_url, "--from", "2026-11-20", "--to",
                           "2026-11-01")
    assert code == 1
    assert "before --from" in err


def test_patterns_on_postgres_match_sqlite(postgres_url: str, seeded_url: str) -> None:
    seed_sample(postgres_url)
    on_postgres = shape_of(postgres_url, W47, W47).weekly
    on_sqlite = shape_of(seeded_url, W47, W47).weekly
    assert on_postgres.round(9).equals(on_sqlite.round(9))


def test_an_empty_database_has_empty_patterns(sqlite_url: str) -> None:
    engine = store.open_engine(sqlite_url)
    store.save_settings(engine, Settings(timezone="Europe/Berlin"))
    engine.dispose()
    result = shape_of(sqlite_url, W47, W47)
    assert result.week(W47)["working_hours"] == 0
    assert result.series.empty and result.people.empty
