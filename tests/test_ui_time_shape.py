"""The "Time shape" section of This week and the Meetings view of Trends under AppTest, on the sample."""

from __future__ import annotations

import json
from datetime import date

from balance_dash import store
from balance_dash.workflows import rules as rule_workflows
from tests.support.apptest import PAGES, make_app, no_exception

TRENDS = f"{PAGES}/trends.py"
W47 = "2026-W47"


def figures(at) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def test_this_week_shows_the_time_shape_of_the_week(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch)
    at.query_params["week"] = W47
    no_exception(at.run())
    assert "Time shape" in [header.value for header in at.subheader]
    shown = metrics(at)
    # 2.25 h of meetings, 1.75 h of them in the week's 39.0 h of work; 0.5 h in an event with no area yet
    assert shown["Meetings"] == ("2.2 h", "4% of 39.0 h of work")
    assert shown["Focus time"][0].endswith(" h") and shown["Focus time"][1].endswith("h fragmented")
    assert shown["Family time in chunks"][1] == "longest block 2.5 h"
    assert shown["Personal time in chunks"] == ("0%", "longest block 1.0 h")
    captions = " ".join(c.value for c in at.caption)
    assert "7 meetings: 0 organised by you, 7 by others" in captions
    assert "0.5 h of meetings in events with no area yet, not in the share of work" in captions
    expanders = [e.label for e in at.expander]
    assert "The meetings of this week (7)" in expanders


def test_a_week_without_data_has_no_time_shape(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch)
    at.query_params["week"] = "2026-W30"
    no_exception(at.run())
    assert "Time shape" not in [header.value for header in at.subheader]


def test_trends_show_the_meetings_view_and_a_series_opens_its_meetings(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch)
    at.session_state["chart_range"] = "all"
    no_exception(at.run())
    no_exception(at.switch_page(TRENDS).run())
    assert "Meetings" in [header.value for header in at.subheader]
    shown = figures(at)
    shape = shown["Meetings, focus and fragmented time"]
    assert [trace["name"] for trace in shape["data"]] == [
        "focus (blocks of 2 h or more)", "fragmented (shorter gaps)", "meetings in working hours",
        "family, personal, rest in working hours", "meetings outside working hours",
    ]
    cost = shown["What each recurring meeting costs"]["data"][0]
    assert list(cost["y"]) == ["1:1 with manager", "Team standup"]  # costliest on top (drawn last)
    picker = at.selectbox(key="meeting_series")
    standup = next(option for option in picker.options if option.startswith("Team standup"))
    no_exception(picker.select(standup).run())
    heading = next(m.value for m in at.markdown if m.value.startswith("**Team standup**"))
    count = int(heading.split(": ")[1].split(" ")[0])
    assert count >= 55  # 5 a week from 7 September, less the vacation week
    listed = next(frame.value for frame in at.dataframe if list(frame.value.columns) == ["start", "end", "hours", "title"])
    assert len(listed) == count
    assert set(listed["title"]) <= {"Team standup", "Team standup (moved)"}
    people = next(frame.value for frame in at.dataframe if "Person" in frame.value.columns)
    assert people["Person"].iloc[0] == "you@sample.balance-dash"  # the user's addresses are not set
    assert "may be on this list" in " ".join(c.value for c in at.caption)


def test_people_can_be_hidden_in_the_meetings_view(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    store.save_settings(engine, store.load_settings(engine).model_copy(update={"hide_people": True}))
    engine.dispose()
    at = make_app(seeded_url, monkeypatch)
    at.session_state["chart_range"] = "all"
    no_exception(at.run())
    no_exception(at.switch_page(TRENDS).run())
    assert not any("Person" in frame.value.columns for frame in at.dataframe)
    assert "The people you meet are hidden" in " ".join(c.value for c in at.caption)


def test_the_time_shape_settings_are_saved_from_the_targets_page(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    assert "Time shape" in [header.value for header in at.subheader]
    focus = next(box for box in at.number_input if box.label == "Focus block (hours)")
    focus.set_value(1.5)
    next(toggle for toggle in at.toggle if toggle.label == "Hide the people I meet").set_value(True)
    form_button = next(button for button in at.button if button.label == "Save")
    no_exception(form_button.click().run())
    engine = store.open_engine(seeded_url)
    saved = store.load_settings(engine)
    engine.dispose()
    assert (saved.focus_block_hours, saved.hide_people, saved.chunk_hours) == (1.5, True, 2.0)


def test_the_working_time_is_set_on_targets_and_shown_on_this_week(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    assert "Working time" in [header.value for header in at.subheader]
    picker = next(box for box in at.date_input if box.label == "In force from")
    picker.set_value(date(2026, 9, 1))
    next(box for box in at.text_input if box.label == "Public holidays of (country code)").set_value("de")
    next(box for box in at.text_input if box.label == "Region").set_value("by")
    next(box for box in at.text_input if box.label == "Cap on hours over the contract").set_value("20")
    no_exception(next(button for button in at.button if button.label == "Save working time").click().run())
    engine = store.open_engine(seeded_url)
    saved, contracts = store.load_settings(engine), store.load_contracts(engine)
    engine.dispose()
    assert (saved.holiday_country, saved.holiday_subdivision, saved.working_time_cap_hours) == ("DE", "BY", 20.0)
    assert contracts["weekday_hours"].tolist() == [(8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0)]

    week = make_app(seeded_url, monkeypatch)
    week.query_params["week"] = W47
    no_exception(week.run())
    shown = metrics(week)
    assert shown["Contract hours"][0] == "40.0 h"
    assert shown["Worked"] == ("39.0 h", "-1.0 h this week")
    assert shown["Working-time balance"][0].startswith(("+", "-"))


def test_a_bad_holiday_country_is_refused_and_nothing_is_saved(seeded_url, monkeypatch):
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/targets.py").run())
    next(box for box in at.text_input if box.label == "Public holidays of (country code)").set_value("XX")
    no_exception(next(button for button in at.button if button.label == "Save working time").click().run())
    assert any("is not a country the holidays package knows" in error.value for error in at.error)
    engine = store.open_engine(seeded_url)
    assert store.load_contracts(engine).empty and store.load_settings(engine).holiday_country is None
    engine.dispose()


def test_a_rule_with_a_priority_fills_the_matrix_on_trends_and_this_week(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    rules = [{str(key): value for key, value in rule.items()} for rule in store.load_rules(engine).to_dict("records")]
    tagged = {"field": "title", "pattern": "standup", "is_regex": False, "area": "work", "marks_day_off": False,
              "enabled": True, "important": False, "urgent": True}
    store.replace_rules(engine, [tagged, *rules])
    engine.dispose()
    at = make_app(seeded_url, monkeypatch)
    at.query_params["week"] = W47
    no_exception(at.run())
    captions = " ".join(c.value for c in at.caption)
    assert "Priority matrix: 3% of this week's work was urgent but not important (1.2 h)" in captions
    no_exception(at.switch_page(f"{PAGES}/rules.py").run())
    engine = store.open_engine(seeded_url)
    assert rule_workflows.rules_for_editing(engine)["matrix"].iloc[0] == "urgent, not important"
    engine.dispose()
    no_exception(at.switch_page(TRENDS).run())
    matrix = figures(at)["The priority matrix"]
    assert [trace["name"] for trace in matrix["data"]] == [
        "important and urgent", "important, not urgent", "urgent, not important", "neither",
    ]


def test_the_weekly_review_shows_the_working_time(seeded_url, monkeypatch):
    engine = store.open_engine(seeded_url)
    store.save_contract(engine, weekday_hours=(8, 8, 8, 8, 8, 0, 0), effective_from=date(2026, 9, 7))
    engine.dispose()
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    at.session_state["reflect_week"] = date(2026, 11, 16)
    no_exception(at.switch_page(f"{PAGES}/reflect.py").run())
    captions = " ".join(c.value for c in at.caption)
    assert "Working time: 39.0 h worked against 40.0 h of contract (-1.0 h)" in captions
