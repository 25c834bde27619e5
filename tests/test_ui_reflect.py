"""The Reflect page under Streamlit's AppTest, on an empty and on a seeded database."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from balance_dash import store
from balance_dash.workflows import reflect
from tests.support.apptest import make_app, no_exception

PAGE = "balance_dash/ui/pages/reflect.py"
CRUNCH_WEEK = date(2026, 11, 9)  # the sample's crunch week: evenings and a Saturday of work


def open_reflect(url: str, monkeypatch: pytest.MonkeyPatch, week: date | None = None) -> AppTest:
    at = make_app(url, monkeypatch)
    no_exception(at.run())
    if week is not None:
        at.session_state["reflect_week"] = week
    return no_exception(at.switch_page(PAGE).run())


def test_empty_database_points_to_the_import(sqlite_url, monkeypatch):
    at = open_reflect(sqlite_url, monkeypatch)
    assert at.title[0].value == "Reflect"
    assert "Nothing to reflect on yet" in at.info[0].value
    assert not at.text_area


def test_seeded_week_shows_figures_boundaries_questions_and_a_plan(seeded_url, monkeypatch):
    at = open_reflect(seeded_url, monkeypatch, CRUNCH_WEEK)
    assert at.title[0].value == "Reflect"
    assert "2026-W46" in at.subheader[0].value
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Work", "Family", "Personal", "Rest"] and "Boundaries kept" in labels
    kept = next(m for m in at.metric if m.label == "Boundaries kept")
    assert kept.value == "2 of 4"  # the crunch week broke the disconnect time and a rest day
    boundaries = at.dataframe[0].value
    assert set(boundaries["boundary"]) == {"Start time", "Disconnect time", "Rest days", "Sleep window"}
    assert boundaries.set_index("boundary").loc["Disconnect time", "broken_hours"] == pytest.approx(17.5)
    breaks = at.dataframe[1].value
    assert "Release preparation" in set(breaks["events"])
    questions = [t.label for t in at.text_area]
    assert [q for _step, q in reflect.QUESTIONS] == questions[:6] and "Notes" in questions
    assert {s.label for s in at.select_slider} >= {"Energy (1-5)", "Mood (1-5)"}
    assert [h.value for h in at.header] == ["Your review", "Refine", "Plan next week", "Past reviews"]


def test_saving_a_review_lists_it_with_its_figures(seeded_url, monkeypatch):
    at = open_reflect(seeded_url, monkeypatch, CRUNCH_WEEK)
    question = reflect.QUESTIONS[3][1]
    next(t for t in at.text_area if t.label == question).input("The release <b>crunch</b>")
    next(t for t in at.text_area if t.label == "Notes").input("**not bold**")
    next(s for s in at.select_slider if s.label == "Energy (1-5)").set_value(2)
    no_exception(next(b for b in at.button if b.label == "Save the review").click().run())
    engine = store.open_engine(seeded_url)
    entry = store.load_journal(engine, CRUNCH_WEEK)
    assert entry is not None and entry.energy == 2 and entry.mood == 3
    assert json.loads(entry.answers) == {question: "The release <b>crunch</b>"}
    reviews = at.dataframe[-1].value
    assert list(reviews["iso_week"]) == ["2026-W46"] and reviews["work"].iloc[0] >= 55
    assert reviews["notes"].iloc[0] == "**not bold**"
    assert not any("not bold" in m.value for m in at.markdown)  # user text is never markdown


def test_changing_a_target_shows_in_the_history(seeded_url, monkeypatch):
    at = open_reflect(seeded_url, monkeypatch, CRUNCH_WEEK)
    at.selectbox(key="refine_area").set_value("family").run()
    form_inputs = [n for n in at.number_input if n.label == "At least (h)"]
    form_inputs[0].set_value(10.0)
    at.date_input(key="refine_target_from").set_value(date(2026, 9, 7))
    no_exception(next(b for b in at.button if b.label == "Save the target").click().run())
    texts = [t.value for t in at.text]
    assert any(t.startswith("You lowered family time from at least 14 h to at least 10 h on 7 September") for t in texts), texts


def test_plan_offers_an_editor_and_a_calendar_download(seeded_url, monkeypatch):
    at = open_reflect(seeded_url, monkeypatch, CRUNCH_WEEK)
    [download] = at.get("download_button")
    assert "Download the plan" in download.proto.label
    [editor] = [d.value for d in at.dataframe if "start" in d.value.columns]  # AppTest shows an editor as a frame
    assert set(editor["area"]) <= {"family", "personal", "rest"} and len(editor) >= 1
    assert ((editor["end"] - editor["start"]) >= pd.Timedelta(hours=1.5)).all()


def test_review_falls_back_to_next_week_plan_when_targets_are_met(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    for area in ("family", "personal", "rest"):
        store.save_target(engine, area=area, min_hours=None, max_hours=None, effective_from=date(1970, 1, 1))
    at = open_reflect(seeded_url, monkeypatch, CRUNCH_WEEK - timedelta(weeks=1))
    assert any("already meets your targets" in s.value for s in at.success)
