"""The Rules and Data pages under Streamlit's AppTest, on an empty and on a seeded database."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from balance_dash import categorize, store, workflows
from balance_dash.workflows import data as data_workflows
from tests.support.apptest import PAGES, make_app, no_exception, shown
from tests.support.calendars import calendar, event


def open_page(url: str, monkeypatch: pytest.MonkeyPatch, page: str) -> AppTest:
    at = no_exception(make_app(url, monkeypatch).run())
    return no_exception(at.switch_page(f"{PAGES}/{page}").run())


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def uncategorized_keys(at: AppTest, area: str) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("place-") and b.key.endswith(f"-{area}")]


def rule_editor(at: AppTest) -> pd.DataFrame:
    [editor] = [d.value for d in at.dataframe if "pattern" in d.value.columns]
    return editor


def test_rules_page_on_an_empty_database(sqlite_url, monkeypatch):
    at = open_page(sqlite_url, monkeypatch, "rules.py")
    assert at.title[0].value == "Rules"
    assert any("Nothing imported yet" in i.value for i in at.info)
    editor = rule_editor(at)
    assert len(editor) == len(categorize.DEFAULT_RULES)
    assert editor["position"].tolist() == list(range(1, len(editor) + 1))
    assert {m.label: m.value for m in at.metric}["Distinct events it catches"] == "0"


def test_rules_page_places_the_uncategorized_event_with_one_click(seeded_url, monkeypatch):
    at = open_page(seeded_url, monkeypatch, "rules.py")
    assert "Catch-up with Sam" in texts(at)
    assert any(t == "Sample calendar · 1× · 0.5 h" for t in texts(at))
    [family] = uncategorized_keys(at, "family")
    no_exception(at.button(key=family).click().run())
    # the placed row stays where it was, marked placed, its buttons gone (nothing shifts under the pointer)
    assert "Catch-up with Sam" in texts(at)
    [chosen] = [b for b in at.button if b.label == "✅ Family"]
    assert chosen.disabled and chosen.key.startswith("placed-")
    assert not uncategorized_keys(at, "family")
    assert any("Every event has an area" in s.value for s in at.success)
    # the next visit lists afresh
    no_exception(at.switch_page(f"{PAGES}/this_week.py").run())
    no_exception(at.switch_page(f"{PAGES}/rules.py").run())
    assert "Catch-up with Sam" not in texts(at)
    engine = store.open_engine(seeded_url)
    placements = store.load_placements(engine)
    assert placements[["uid", "recurrence_key", "area"]].values.tolist() == [["coffee@sample.balance-dash", "*", "family"]]
    engine.dispose()


def test_placing_one_row_keeps_every_other_row_where_it_was(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    # three more series without an area, with different hours, so the list has an order to keep
    data = calendar(*(event(f"unsorted-{k}@test", datetime(2026, 11, 2 + k, 8, tzinfo=UTC), hours=hours,
                            title=f"Zqx unsorted {k}") for k, hours in enumerate((5.0, 3.0, 1.0))), name="Unsorted")
    workflows.import_calendar(engine, data, file_name="unsorted.ics", tz=ZoneInfo("Europe/Berlin"),
                              settings=store.load_settings(engine), now=datetime(2026, 11, 20, tzinfo=UTC))
    engine.dispose()
    at = open_page(seeded_url, monkeypatch, "rules.py")
    rows = [key.removeprefix("place-").removesuffix("-work") for key in uncategorized_keys(at, "work")]
    assert len(rows) >= 3
    before = texts(at)
    no_exception(at.button(key=f"place-{rows[1]}-work").click().run())
    assert texts(at) == before  # every title and figure line in the same place, the placed one included
    after = [key.removeprefix("place-").removesuffix("-work") for key in uncategorized_keys(at, "work")]
    assert after == [rows[0], *rows[2:]]
    assert sum(b.label == "✅ Work" and b.disabled for b in at.button) == 1
    no_exception(at.button(key=f"place-{rows[0]}-rest").click().run())
    assert texts(at) == before
    assert sum(b.label.startswith("✅") and b.disabled for b in at.button) == 2


def test_rules_page_previews_a_rule_and_refuses_an_invalid_regex(seeded_url, monkeypatch):
    at = open_page(seeded_url, monkeypatch, "rules.py")
    metrics = {m.label: m.value for m in at.metric}
    assert "Distinct events it catches" in metrics  # the first rule ("vacation") previewed
    [rule_picker] = [s for s in at.selectbox if s.label == "Rule"]
    assert rule_picker.value == 0
    # The preview of the standup rule: the sample's daily standup, with its occurrence count.
    standup = next(i for i, o in enumerate(rule_picker.options) if "· standup →" in o)
    no_exception(rule_picker.set_value(standup).run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Distinct events it catches"] == "2"
    [table] = [d.value for d in at.dataframe if "occurrences" in d.value.columns]
    assert table["title"].tolist() == ["Team standup", "Team standup (moved)"]  # most occurrences first
    assert int(metrics["Occurrences"]) == table["occurrences"].sum() > 50


def test_saving_an_invalid_regex_names_the_rule_and_saves_nothing(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    before = store.load_rules(engine)
    at = open_page(seeded_url, monkeypatch, "rules.py")
    # The data editor's edits live in its session state, in the frontend's own shape.
    at.session_state["rules_editor_0"] = {
        "edited_rows": {0: {"pattern": "(unclosed", "is_regex": True}}, "added_rows": [], "deleted_rows": [],
    }
    no_exception(at.run())
    # The preview already says what is wrong, before saving.
    assert any("rule 1" in c.value and "invalid regular expression" in c.value for c in at.code)
    save = next(b for b in at.button if b.label == "Save rules")
    assert not save.disabled
    no_exception(save.click().run())
    assert any("Nothing was saved" in e.value for e in at.error)
    assert any("rule 1" in c.value and "invalid regular expression" in c.value for c in at.code)
    assert store.load_rules(engine).equals(before)
    engine.dispose()


def test_restore_default_rules_from_the_page(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    store.replace_rules(engine, [{"field": "title", "pattern": "sam", "is_regex": False, "area": "family"}])
    at = open_page(seeded_url, monkeypatch, "rules.py")
    assert "Catch-up with Sam" not in texts(at)
    confirm = next(c for c in at.checkbox if c.label.startswith("Yes, replace my rules"))
    no_exception(confirm.check().run())
    restore = next(b for b in at.button if b.label == "Restore default rules")
    no_exception(restore.click().run())
    assert len(store.load_rules(engine)) == len(categorize.DEFAULT_RULES)
    assert "Catch-up with Sam" in texts(at)
    engine.dispose()


@pytest.mark.parametrize("seeded", [False, True])
def test_data_page_renders(sqlite_url, request, monkeypatch, seeded):
    url = request.getfixturevalue("seeded_url") if seeded else sqlite_url
    at = open_page(url, monkeypatch, "data.py")
    assert at.title[0].value == "Data"
    downloads = {b.proto.label for b in at.get("download_button")}
    assert "Download backup" in downloads
    if seeded:
        assert {"Entries as CSV", "Entries as JSON", "Weekly summaries as CSV", "Weekly summaries as JSON"} <= downloads
        assert "Chart as PNG" in downloads or any("Chromium" in w.value for w in at.warning)
    else:
        assert any("Nothing to export yet" in i.value for i in at.info)
        assert not {"Entries as CSV"} & downloads


def test_data_page_restores_a_backup_and_refuses_anything_else(seeded_url, sqlite_url, tmp_path, monkeypatch):
    engine = store.open_engine(seeded_url)
    backup = data_workflows.backup(engine)
    store.place(engine, source_id=1, uid="coffee@sample.balance-dash", recurrence_key="*", area="work")
    at = open_page(seeded_url, monkeypatch, "data.py")
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("notes.txt", b"=HYPERLINK(\"http://evil\")", "text/plain"))
    next(c for c in at.checkbox if c.label.startswith("Replace all my data")).check()
    no_exception(next(b for b in at.button if b.label == "Restore").click().run())
    assert any("Nothing was restored" in e.value for e in at.error)
    assert any("not a SQLite database" in c.value for c in at.code)
    assert len(store.load_placements(engine)) == 1
    at.get("file_uploader")[0].set_value((backup.file_name, backup.data, "application/vnd.sqlite3"))
    next(c for c in at.checkbox if c.label.startswith("Replace all my data")).check()
    no_exception(next(b for b in at.button if b.label == "Restore").click().run())
    assert any("Restored" in shown(s.value) for s in at.success), [c.value for c in at.code]
    assert store.load_placements(engine).empty  # the backup was taken before the placement
    assert isinstance(store.load_occurrences(engine), pd.DataFrame)
    engine.dispose()


def test_an_edited_rule_is_saved_and_recategorises_the_weeks(seeded_url, monkeypatch):
    at = open_page(seeded_url, monkeypatch, "rules.py")
    # A new first rule: "Catch-up" is family; added rows take the editor's column names.
    at.session_state["rules_editor_0"] = {
        "edited_rows": {},
        "added_rows": [
            {"position": 1, "enabled": True, "field": "title", "pattern": "catch-up", "is_regex": False,
             "area": "family", "marks_day_off": False}
        ],
        "deleted_rows": [],
    }
    no_exception(at.run())
    assert {m.label: m.value for m in at.metric}["Distinct events it catches"] == "1"  # the new row is previewed
    no_exception(next(b for b in at.button if b.label == "Save rules").click().run())
    assert "Catch-up with Sam" not in texts(at)
    engine = store.open_engine(seeded_url)
    rules = store.load_rules(engine)
    assert rules.iloc[0][["pattern", "area", "position"]].tolist() == ["catch-up", "family", 0]
    assert len(rules) == len(categorize.DEFAULT_RULES) + 1
    assert rule_editor(at)["pattern"].iloc[0] == "catch-up"  # the editor shows the saved rules afresh
    engine.dispose()
