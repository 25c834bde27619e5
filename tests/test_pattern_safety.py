"""Rule patterns cannot hang the app: refused when saved, reported (never run) when used."""

from __future__ import annotations

import time

import pytest

from balance_dash import pattern_safety, store, workflows
from balance_dash.errors import InvalidValueError
from balance_dash.workflows import rules as rule_workflows


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(a+)+$", "repeats a repetition"),
        ("(\\w*\\s?)*$", "repeats a repetition"),
        ("(x+x+)+y", "repeats a repetition"),
        ("(a|ab)*c", "repeats alternatives that can match alike"),
        ("(ab|a)+$", "repeats alternatives that can match alike"),
        ("(a)\\1", "back-reference"),
        ("a{5000}", "more than 1,000 times"),
        (".*a.*b.*c.*d.*e", "5 open-ended repetitions"),
        ("(" * 300 + "a" + ")" * 300, ""),  # deep, but no repetition: fine
    ],
)
def test_shapes_that_backtrack_are_named(pattern, words):
    risk = pattern_safety.backtracking_risk(pattern)
    assert (words in risk) if words else risk == ""


@pytest.mark.parametrize(
    "pattern",
    ["standup|1:1|sync", "(foo|bar)+", "^(\\d{2,3})-\\d+$", "\\bmeet(ing)?s?\\b", "focus|deep work", "1:1", "^OOO\\b",
     "[(]" , "a.*b"],
)
def test_ordinary_patterns_pass(pattern):
    assert pattern_safety.backtracking_risk(pattern) == ""


def test_the_probe_stops_a_slow_pattern_in_its_time_limit():
    slow = "(a+)+$"  # 2^2000 ways to fail on "aaa...a!"
    started = time.monotonic()
    assert pattern_safety.slow_patterns(["fine", slow, "also fine"], seconds=1.0) == [slow]
    assert time.monotonic() - started < 10


def test_a_rule_in_the_database_that_backtracks_is_reported_not_run(seeded_url):
    engine = store.open_engine(seeded_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO rule (position, field, pattern, is_regex, area, marks_day_off, enabled) "
            "VALUES (0, 'title', '(a+)+$', 1, 'work', 0, 1)"
        )
    started = time.monotonic()
    with pytest.raises(InvalidValueError, match=r"rule 0 \(title '\(a\+\)\+\$'\): this regular expression could take minutes"):
        workflows.categorized_occurrences(engine)
    assert time.monotonic() - started < 10
    engine.dispose()


def test_the_rules_editor_refuses_a_catastrophic_pattern(seeded_url):
    engine = store.open_engine(seeded_url)
    before = store.load_rules(engine)
    edited = [{"position": 1, "field": "title", "pattern": "(a|aa)+$", "is_regex": True, "area": "work"}]
    with pytest.raises(InvalidValueError, match=r"rule 1 .*could take minutes to match"):
        rule_workflows.save_rules(engine, edited)
    assert store.load_rules(engine).equals(before)
    engine.dispose()
