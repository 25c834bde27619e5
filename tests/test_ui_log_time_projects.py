"""Log time: one click places every entry of a Toggl or Clockify project (or client) in an area."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from balance_dash import store, workflows
from balance_dash.workflows import logs as log_workflows
from tests.support.apptest import PAGES, REPO, make_app, no_exception

TOGGL = REPO / "tests" / "data" / "csv" / "toggl_detailed.csv"
BERLIN = ZoneInfo("Europe/Berlin")


def import_toggl(url: str) -> None:
    engine = store.open_engine(url)
    workflows.import_log_csv(engine, TOGGL.read_bytes(), file_name=TOGGL.name, tz=BERLIN, settings=store.load_settings(engine))
    engine.dispose()


def areas_of_entries(url: str) -> dict[str, str]:
    engine = store.open_engine(url)
    occurrences = workflows.categorized_occurrences(engine)
    engine.dispose()
    toggl = occurrences[occurrences["source_name"] == TOGGL.stem]
    return dict(zip(toggl["title"], toggl["area"], strict=True))


def test_projects_and_clients_are_listed_and_placed_in_one_click_that_survives_reimport(seeded_url, monkeypatch):
    import_toggl(seeded_url)
    engine = store.open_engine(seeded_url)
    groups = log_workflows.tracker_groups(engine)
    engine.dispose()
    assert {(g["kind"], g["name"]) for g in groups.to_dict("records")} >= {("project", "Website"), ("client", "Acme")}
    at = no_exception(make_app(seeded_url, monkeypatch).run())
    no_exception(at.switch_page(f"{PAGES}/log_time.py").run())
    assert "Project: Website" in [t.value for t in at.text]
    [website] = [b for b in at.button if b.key and b.key.startswith("tracker-") and b.key.endswith("-personal")
                 and "project “Website”" in (b.help or "")]
    no_exception(website.click().run())
    assert any("Placed the project “Website” in personal" in t.value for t in at.toast)
    website_titles = {"Homepage layout"}
    placed = areas_of_entries(seeded_url)
    assert {title: placed[title] for title in website_titles} == {"Homepage layout": "personal"}
    assert any("placed in personal" in t.value for t in at.text)
    # the same export imported again: the entries keep their place
    import_toggl(seeded_url)
    assert {title: areas_of_entries(seeded_url)[title] for title in website_titles} == {"Homepage layout": "personal"}
    engine = store.open_engine(seeded_url)
    again = log_workflows.tracker_groups(engine)
    engine.dispose()
    assert again[(again["kind"] == "project") & (again["name"] == "Website")]["area"].tolist() == ["personal"]
