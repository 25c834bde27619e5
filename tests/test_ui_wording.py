"""Every page in words for people: no visible string is a code or a snake_case field name.

Tooltips (help) may name the code (`long_day`), as the JSON export does; titles, labels, column
headers, metrics, messages and captions may not.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from balance_dash import wording
from tests.support.apptest import PAGES, make_app, no_exception

SNAKE = re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w./@-])")
URL = re.compile(r"\(?https?://\S+")
PAGE_FILES = ["this_week.py", "trends.py", "reflect.py", "import_calendars.py", "log_time.py", "rules.py", "targets.py", "data.py"]
LABELLED = ("button", "checkbox", "toggle", "selectbox", "multiselect", "radio", "number_input", "text_input",
            "text_area", "date_input", "time_input", "expander", "tab", "download_button", "button_group")


def _headers(element: Any) -> list[str]:
    """A table's visible column headers: the column_config label where one is set, hidden columns left out."""
    config = json.loads(element.proto.columns or "{}") if hasattr(element.proto, "columns") else {}
    headers = []
    for name in element.value.columns:
        column = config.get(f"col:{name}") or config.get(str(name)) or {}
        if column.get("hidden"):
            continue
        headers.append(str(column.get("label") or name))
    return headers


def visible_strings(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) of what a reader sees on the page, URLs taken out."""
    seen: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "success", "warning", "error"):
        seen += [(kind, str(element.value)) for element in at.get(kind) if hasattr(element, "value")]
    seen += [("metric", str(m.label)) for m in at.metric]
    for kind in LABELLED:
        for element in at.get(kind):
            label = getattr(element, "label", None) or getattr(element.proto, "label", "")
            seen.append((kind, str(label)))
            options = getattr(element, "options", None)
            if options and kind in ("selectbox", "multiselect", "radio"):
                seen += [(f"{kind} option", str(option)) for option in options]
    for kind in ("dataframe", "arrow_data_frame"):
        for element in at.get(kind):
            if hasattr(element, "value") and hasattr(element.value, "columns"):
                seen += [("column header", header) for header in _headers(element)]
    return [(kind, URL.sub("", text)) for kind, text in seen]


def codes_in(at: AppTest) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text in visible_strings(at) if SNAKE.search(text.replace("`", ""))]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_no_page_shows_a_code_or_a_field_name(seeded_url, monkeypatch, page):
    at = make_app(seeded_url, monkeypatch)
    at.session_state["week_start"] = date(2026, 11, 9)  # the sample's crunch week: every kind of warning
    no_exception(at.run())
    if page != "this_week.py":
        no_exception(at.switch_page(f"{PAGES}/{page}").run())
    strings = visible_strings(at)
    assert len(strings) > 5  # the walk found the page's elements
    assert codes_in(at) == []
    if page == "targets.py":  # threshold labels are written, not built from field names
        labels = {n.label for n in at.number_input if n.key and n.key.startswith("th_")}
        assert labels == set(wording.THRESHOLD_LABELS.values())


def test_the_walk_would_catch_a_code():
    assert SNAKE.search("below_target")
    assert SNAKE.search("Week caution_hours")
    assert not SNAKE.search("Long working day on Mon, Tue")
    assert not SNAKE.search("sample.ics and me@example_domain.com")
