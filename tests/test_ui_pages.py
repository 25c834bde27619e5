"""Every page under Streamlit's AppTest, on an empty and on a seeded database."""

from __future__ import annotations

import json
from datetime import date, time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from balance_dash import store, workflows
from tests.support.apptest import BERLIN, PAGES, REPO, make_app, no_exception, shown


def test_empty_database_greets_and_loads_the_sample(sqlite_url, monkeypatch):
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    assert at.title[0].value == "Welcome to balance-dash"
    [load] = [b for b in at.button if b.label == "Load the sample calendar"]
    no_exception(load.click().run())
    assert [m.label for m in at.metric][:4] == ["Work", "Family", "Personal", "Rest"]
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"] == "Weekly balance"


def test_this_week_shows_metrics_chart_and_warnings(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch)
    at.session_state["week_start"] = date(2026, 11, 9)  # the sample's crunch week
    no_exception(at.run())
    assert at.title[0].value == "Your week"
    metrics = {m.label: m for m in at.metric}
    assert {"Work", "Family", "Personal", "Rest", "Counted for two areas", "Unaccounted", "Sleep"} <= set(metrics)
    assert float(metrics["Work"].value.removesuffix(" h")) >= 55
    chart = at.get("plotly_chart")[0]  # the weekly balance; the day-by-day timeline follows
    figure = json.loads(chart.proto.spec)
    names = {trace.get("name") for trace in figure["data"]}
    assert {"Work", "Family", "Personal", "Rest"} <= names
    assert figure["layout"]["title"]["text"] == "Weekly balance"
    texts = " ".join(t.value for t in at.text)
    assert "55" in texts
    cards = " ".join(m.value for m in at.markdown)
    assert "Long working day on" in cards and "`long_day`" not in cards


@pytest.mark.parametrize("page", ["import_calendars.py", "targets.py", "log_time.py"])
@pytest.mark.parametrize("seeded", [False, True])
def test_other_pages_render_without_error(sqlite_url, seeded_url, monkeypatch, page, seeded):
    at = make_app(seeded_url if seeded else sqlite_url, monkeypatch)
    no_exception(at.run())
    no_exception(at.switch_page(f"{PAGES}/{page}").run())
    assert at.title[0].value in {"Calendars", "Targets and boundaries", "Log time"}


def test_upload_imports_a_calendar_and_reports_it(sqlite_url, monkeypatch):
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    at.get("file_uploader")[0].set_value(("sample.ics", (REPO / "balance_dash" / "data" / "sample.ics").read_bytes(), "text/calendar"))
    at.selectbox[0].set_value("work")
    no_exception(at.button[0].click().run())
    assert any("Sample calendar" in shown(s.value) and "added" in s.value for s in at.success)
    engine = store.open_engine(sqlite_url)
    sources = store.load_sources(engine)
    assert sources["name"].tolist() == ["Sample calendar"]
    assert sources["area"].tolist() == ["work"]


def test_upload_of_a_broken_file_says_so_and_changes_nothing(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    before = store.data_revision(engine)
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    at.get("file_uploader")[0].set_value(("broken.ics", b"BEGIN:VCALENDAR\r\ngarbage", "text/calendar"))
    no_exception(at.button[0].click().run())
    assert any("broken.ics was not imported" in shown(e.value) for e in at.error)
    assert store.data_revision(engine) == before


def test_targets_are_saved_and_applied(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    at.number_input(key="min_family").set_value(20.0)
    [save] = [b for b in at.button if b.label == "Save targets"]
    no_exception(save.click().run())
    # The confirmation is shown after the page's rerun, not wiped by it.
    assert [t.value for t in at.toast] == ["Targets saved"]
    targets = store.load_targets(store.open_engine(seeded_url))
    assert targets.query("area == 'family'").sort_values("effective_from")["min_hours"].iloc[-1] == 20.0


def test_settings_round_trip(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    at.text_input[0].set_value("America/New_York")
    at.radio[0].set_value("sunday")
    [save] = [b for b in at.button if b.label == "Save settings"]
    no_exception(save.click().run())
    saved = store.load_settings(store.open_engine(seeded_url))
    assert (saved.timezone, saved.week_starts_on) == ("America/New_York", "sunday")


def test_an_unknown_time_zone_is_refused_on_the_page(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    at.text_input[0].set_value("Mars/Olympus_Mons")
    [save] = [b for b in at.button if b.label == "Save settings"]
    no_exception(save.click().run())
    assert any("unknown time zone" in e.value for e in at.error)
    assert store.load_settings(store.open_engine(seeded_url)).timezone == BERLIN


def test_log_time_form_adds_an_entry_that_counts(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/log_time.py").run())
    at.date_input[0].set_value(date(2026, 11, 17))
    at.time_input[0].set_value(time(19, 0))
    at.time_input[1].set_value(time(21, 30))
    at.selectbox[0].set_value("family")
    at.text_input[0].set_value("Board games")
    [log] = [b for b in at.button if b.label == "Log it"]
    no_exception(log.click().run())
    entries = workflows.manual_entries(store.open_engine(seeded_url))
    assert entries["title"].tolist() == ["Board games"]
    assert entries["area"].tolist() == ["family"]
    assert (entries["end_utc"] - entries["start_utc"]).iloc[0] == pd.Timedelta(hours=2.5)
    assert entries["start_utc"].iloc[0] == pd.Timestamp("2026-11-17T18:00Z")  # 19:00 in Berlin


def test_log_time_imports_a_toggl_csv(sqlite_url, monkeypatch):
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/log_time.py").run())
    csv = (REPO / "tests" / "data" / "csv" / "toggl_detailed.csv").read_bytes()
    at.get("file_uploader")[0].set_value(("toggl_detailed.csv", csv, "text/csv"))
    [go] = [b for b in at.button if b.label == "Import CSV"]
    no_exception(go.click().run())
    assert any("toggl CSV" in shown(s.value) for s in at.success)
    assert len(workflows.manual_entries(store.open_engine(sqlite_url))) == 3
    # the entries table above the form already shows them, without a reload
    [table] = [d.value for d in at.dataframe if "what" in d.value.columns]
    assert len(table) == 3


def test_delete_without_the_tick_says_nothing_was_deleted(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    [delete] = [b for b in at.button if b.label == "Delete"]
    no_exception(delete.click().run())
    assert any("Nothing was deleted" in w.value for w in at.warning)
    assert len(store.load_sources(store.open_engine(seeded_url))) == 1


def test_a_refused_file_is_not_counted_as_imported_and_this_week_opens_on_the_import(sqlite_url, monkeypatch):
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    at.get("file_uploader")[0].set_value(("broken.ics", b"this is not a calendar", "text/calendar"))
    no_exception(at.button[0].click().run())
    assert any("was not imported" in e.value for e in at.error)
    assert [p.proto.text for p in at.get("progress")] == ["Imported 0 of 1 files · 1 refused"]
    assert "week_start" not in at.session_state
    at.get("file_uploader")[0].set_value(("sample.ics", (REPO / "balance_dash" / "data" / "sample.ics").read_bytes(), "text/calendar"))
    no_exception(at.button[0].click().run())
    assert any("Sample calendar" in s.value for s in at.success)
    assert "week_start" in at.session_state


def test_a_calendar_area_can_be_forced_from_the_import_page(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    [area] = [box for box in at.selectbox if box.label == "Area"]
    assert area.value.startswith("(none")  # the sample calendar has no area of its own
    area.set_value("work")
    [save] = [b for b in at.button if b.label == "Save"]
    no_exception(save.click().run())
    engine = store.open_engine(seeded_url)
    assert store.load_sources(engine)[["area", "area_forced", "count_free"]].values.tolist() == [["work", True, False]]
    assert set(workflows.categorized_occurrences(engine)["area"]) == {"work"}
    # The form now shows the calendar's area as saved, so saving it again as shown keeps it.
    [area] = [box for box in at.selectbox if box.label == "Area"]
    assert area.value == "work"
    [count_free] = [box for box in at.checkbox if box.label == "Count events shown as free"]
    count_free.check()
    [save] = [b for b in at.button if b.label == "Save"]
    no_exception(save.click().run())
    assert store.load_sources(engine)[["area", "area_forced", "count_free"]].values.tolist() == [["work", True, True]]


def test_a_threshold_preset_and_a_custom_threshold_are_saved(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    at.selectbox(key="preset").set_value("health_only")
    [apply] = [b for b in at.button if b.label == "Apply this preset"]
    no_exception(apply.click().run())
    engine = store.open_engine(seeded_url)
    assert store.load_settings(engine).thresholds.week_caution_hours == 50.0
    at.number_input(key="th_week_high_hours").set_value(60.0)
    [save] = [b for b in at.button if b.label == "Save thresholds"]
    no_exception(save.click().run())
    saved = store.load_settings(engine).thresholds
    assert (saved.week_caution_hours, saved.week_high_hours) == (50.0, 60.0)


def test_a_raised_threshold_removes_the_warning_from_the_week(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    settings = store.load_settings(engine)
    store.save_settings(engine, settings.model_copy(update={"thresholds": settings.thresholds.model_copy(update={"week_high_hours": 80.0})}))
    at = make_app(seeded_url, monkeypatch)
    at.session_state["week_start"] = date(2026, 11, 9)
    no_exception(at.run())
    codes = " ".join(m.value for m in at.markdown)
    assert "55 hours of work or more" not in codes
    assert "More than 48 hours of work" in codes


def test_log_time_entries_can_be_edited_and_deleted_in_the_table(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    zone = workflows.resolve_zone(BERLIN)
    for hour in (9, 11):
        workflows.log_time(
            engine, tz=zone, area="personal", note=f"Reading {hour}",
            start=pd.Timestamp(f"2026-11-17 {hour}:00", tz=BERLIN).to_pydatetime(),
            end=pd.Timestamp(f"2026-11-17 {hour}:45", tz=BERLIN).to_pydatetime(),
        )
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/log_time.py").run())
    assert len(at.dataframe) == 1
    assert {"Save changes", "Delete 0 selected"} <= {b.label for b in at.button}
    # AppTest cannot type into a data editor; drive the same path the page takes on save.
    entries = workflows.manual_entries(engine)
    table = pd.DataFrame({
        "id": entries["id"], "what": entries["title"], "area": entries["area"].fillna(workflows.RULES_DECIDE),
    })
    edited = table.assign(what_before=table["what"], area_before=table["area"])
    edited.loc[edited["what"] == "Reading 11", ["what", "area"]] = ["Reading with the kids", "family"]
    assert workflows.edit_entries(engine, edited) == 1
    after = workflows.manual_entries(engine).set_index("title")
    assert after.loc["Reading with the kids", "area"] == "family"
    assert after.loc["Reading 9", "area"] == "personal"
    week = workflows.balance(workflows.Scope.of(engine, tz=zone), first_day=date(2026, 11, 16), last_day=date(2026, 11, 22))
    assert week.weekly["family"].iloc[0] >= 0.75


def test_the_import_page_loads_the_sample_and_confirms_it_after_the_reload(sqlite_url, monkeypatch):
    at = no_exception(make_app(sqlite_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/import_calendars.py").run())
    [load] = [b for b in at.button if b.label == "Load the sample calendar"]
    no_exception(load.click().run())
    assert store.load_sources(store.open_engine(sqlite_url))["name"].tolist() == ["Sample calendar"]
    assert any("'Sample calendar'" in shown(t.value) and "added" in t.value for t in at.toast)


def test_a_typed_date_or_week_opens_its_week(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.text_input(key="week_typed").input("2026-W46").run())
    assert at.subheader[0].value.startswith("Week 2026-W46")
    no_exception(at.text_input(key="week_typed").input("2026-10-21").run())
    assert at.subheader[0].value.startswith("Week 2026-W43")
    no_exception(at.text_input(key="week_typed").input("next tuesday").run())
    assert any("neither a date" in w.value for w in at.warning)
    assert at.subheader[0].value.startswith("Week 2026-W43")  # a wrong entry leaves the week as it was


@pytest.mark.parametrize("seeded", [False, True])
def test_the_packaged_entry_point_links_its_pages_from_any_folder(seeded, sqlite_url, seeded_url, monkeypatch, tmp_path):
    # `balance-dash serve` runs balance_dash/ui/app.py, so Streamlit reads page paths from the
    # package's ui/ folder: a link written relative to the checkout would fail there (the welcome
    # page links to Calendars, This week to Rules and Trends).
    monkeypatch.setenv("BALANCE_DASH_DB", seeded_url if seeded else sqlite_url)
    monkeypatch.chdir(tmp_path)
    at = no_exception(AppTest.from_file(str(REPO / "balance_dash" / "ui" / "app.py"), default_timeout=60).run())
    assert at.get("page_link"), "the first page shows at least one link to another page"
