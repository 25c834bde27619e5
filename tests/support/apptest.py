"""Helpers for driving app.py under Streamlit's AppTest on a chosen database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from balance_dash import store, workflows
from balance_dash.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PAGES = "balance_dash/ui/pages"
BERLIN = "Europe/Berlin"


def make_app(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """app.py on the database at `url`, run from the repository root as `streamlit run` would."""
    monkeypatch.setenv("BALANCE_DASH_DB", url)
    monkeypatch.chdir(REPO)
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def shown(value: str) -> str:
    """What the page shows for a Markdown body escaped by `ui.text.plain`: the escapes and the
    invisible word joiners removed."""
    return re.sub(r"\\(.)", r"\1", value).replace("\u2060", "")


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def seed_sample(url: str, zone: str = BERLIN) -> str:
    """Save `zone` as the display zone and load the sample calendar into the database at `url`."""
    engine = store.open_engine(url)
    store.save_settings(engine, Settings(timezone=zone))
    workflows.load_sample(engine, tz=workflows.resolve_zone(zone), settings=store.load_settings(engine))
    engine.dispose()
    return url
