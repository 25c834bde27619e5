"""categorize: precedence of manual area, placements, forced source, rules and defaults."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from balance_dash.categorize import DEFAULT_RULES, assign_areas, compile_rule, preview_rule, rules_frame
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, UNCATEGORIZED


def occurrence(title: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": 1, "source_id": 1, "source_name": "Calendar", "uid": title, "recurrence_key": "",
        "title": title, "location": "", "description": "", "all_day": False,
        "start_utc": pd.Timestamp("2024-10-07 09:00", tz="UTC"),
        "end_utc": pd.Timestamp("2024-10-07 10:00", tz="UTC"),
        "day_start": pd.NaT, "day_end": pd.NaT, "area": None,
    }
    row.update(fields)
    return row


def occurrences(*rows: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows)).assign(id=lambda f: range(1, len(f) + 1))
    return frame.astype(
        {
            "start_utc": "datetime64[us, UTC]", "end_utc": "datetime64[us, UTC]",
            "day_start": "datetime64[s]", "day_end": "datetime64[s]", "area": object,
        }
    )


def sources(*rows: tuple[int, str, str | None, bool]) -> pd.DataFrame:
    return pd.DataFrame(rows or [(1, "Calendar", None, False)], columns=["id", "name", "area", "area_forced"])


def placements(*rows: tuple[int, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["source_id", "uid", "recurrence_key", "area"])


def rules(*rows: dict[str, Any]) -> pd.DataFrame:
    defaults = {"field": "title", "is_regex": False, "marks_day_off": False, "enabled": True}
    return rules_frame([{**defaults, **row} for row in rows])


NO_RULES = rules_frame([])


def areas_of(frame: pd.DataFrame) -> list[str]:
    return list(frame["area"])


def test_returns_new_frame_with_area_and_day_off_and_leaves_input_alone() -> None:
    occ = occurrences(occurrence("Team standup"))
    before = occ.copy()
    result = assign_areas(occ, rules_frame(DEFAULT_RULES), sources(), placements())
    pd.testing.assert_frame_equal(occ, before)
    assert list(result.columns) == [*occ.columns, "day_off", "important", "urgent"]
    assert result["day_off"].dtype == bool
    assert result["important"].tolist() == result["urgent"].tolist() == [None]  # no rule gives a priority
    assert areas_of(result) == ["work"]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("manual area beats everything", "family"),
        ("exact placement beats series placement", "personal"),
        ("series placement beats forced source", "rest"),
        ("forced source beats rules", "work"),
        ("rule beats source default", "personal"),
        ("source default beats uncategorized", "family"),
        ("nothing applies", UNCATEGORIZED),
    ],
)
def test_precedence(case: str, expected: str) -> None:
    gym_rule = rules({"pattern": "gym", "area": "personal"})
    occ = occurrences(occurrence("Gym", recurrence_key="2024-10-07T09:00:00Z"))
    layers: dict[str, tuple[Any, ...]] = {
        "manual area beats everything": (
            occ.assign(area=pd.Series(["family"], dtype=object)), gym_rule,
            sources((1, "Calendar", "work", True)),
            placements((1, "Gym", "2024-10-07T09:00:00Z", "personal"), (1, "Gym", "*", "rest")),
        ),
        "exact placement beats series placement": (
            occ, gym_rule, sources((1, "Calendar", "work", True)),
            placements((1, "Gym", "2024-10-07T09:00:00Z", "personal"), (1, "Gym", "*", "rest")),
        ),
        "series placement beats forced source": (
            occ, gym_rule, sources((1, "Calendar", "work", True)), placements((1, "Gym", "*", "rest")),
        ),
        "forced source beats rules": (occ, gym_rule, sources((1, "Calendar", "work", True)), placements()),
        "rule beats source default": (occ, gym_rule, sources((1, "Calendar", "family", False)), placements()),
        "source default beats uncategorized": (occ, NO_RULES, sources((1, "Calendar", "family", False)), placements()),
        "nothing applies": (occ, NO_RULES, sources(), placements()),
    }
    assert areas_of(assign_areas(*layers[case])) == [expected]


def test_placement_of_another_occurrence_or_source_does_not_apply() -> None:
    occ = occurrences(
        occurrence("Gym", recurrence_key="a"), occurrence("Gym", recurrence_key="b"),
        occurrence("Gym", source_id=2, source_name="Other"),
    )
    result = assign_areas(
        occ, NO_RULES, sources((1, "Calendar", None, False), (2, "Other", None, False)),
        placements((1, "Gym", "a", "family")),
    )
    assert areas_of(result) == ["family", UNCATEGORIZED, UNCATEGORIZED]


def test_first_matching_rule_by_position_wins_and_disabled_rules_are_skipped() -> None:
    table = rules(
        {"pattern": "lunch", "area": "rest", "enabled": False},
        {"pattern": "lunch", "area": "family"},
        {"pattern": "lunch", "area": "work"},
    )
    shuffled = table.iloc[::-1]  # position, not row order, decides
    assert areas_of(assign_areas(occurrences(occurrence("Lunch")), shuffled, sources(), placements())) == ["family"]


@pytest.mark.parametrize(
    ("pattern", "is_regex", "title", "matches"),
    [
        ("standup", False, "Team Standup", True),
        ("STANDUP", False, "team standup", True),
        ("meeting", False, "Meetings all day", True),
        ("pto", False, "Photo shoot", False),
        ("out of office", False, "OOO: out  of Office", True),
        ("of office", False, "Officer training", False),
        ("1:1", False, "1:1 with Sam", True),
        (r"^gym\b", True, "Gym with Ann", True),
        (r"^gym\b", True, "Big gym", False),
        (r"sprint (planning|review)", True, "Sprint Review", True),
    ],
)
def test_pattern_semantics(pattern: str, is_regex: bool, title: str, matches: bool) -> None:
    regex = compile_rule({"field": "title", "pattern": pattern, "is_regex": is_regex})
    assert (regex.search(title) is not None) is matches


@pytest.mark.parametrize(
    ("field", "event", "expected"),
    [
        ("location", {"location": "Head Office"}, "work"),
        ("description", {"description": "Bring the office laptop"}, "work"),
        ("calendar", {"source_name": "ACME office"}, "work"),
        ("title", {"title": "Office hours"}, "work"),
        ("location", {"title": "Office hours"}, UNCATEGORIZED),
    ],
)
def test_rule_fields(field: str, event: dict[str, Any], expected: str) -> None:
    occ = occurrences(occurrence("Event") | event)
    table = rules({"field": field, "pattern": "office", "area": "work"})
    source = sources((1, str(occ["source_name"].iloc[0]), None, False))
    assert areas_of(assign_areas(occ, table, source, placements())) == [expected]


def test_invalid_regex_names_the_rule() -> None:
    table = rules({"pattern": "gym", "area": "personal"}, {"pattern": "([unclosed", "is_regex": True, "area": "work"})
    with pytest.raises(InvalidValueError, match=r"rule 1 \(title '\(\[unclosed'\): invalid regular expression"):
        assign_areas(occurrences(occurrence("Gym")), table, sources(), placements())


def test_unknown_field_is_an_invalid_value() -> None:
    with pytest.raises(InvalidValueError, match="unknown field 'colour'"):
        compile_rule({"field": "colour", "pattern": "red", "is_regex": False})


def test_regex_with_groups_raises_no_warning() -> None:
    table = rules({"pattern": r"(team|staff) (meeting)", "is_regex": True, "area": "work"})
    result = assign_areas(occurrences(occurrence("Staff meeting")), table, sources(), placements())
    assert areas_of(result) == ["work"]


def test_day_off_comes_from_the_first_matching_rule_even_under_a_forced_area() -> None:
    occ = occurrences(occurrence("Vacation", all_day=True, start_utc=pd.NaT, end_utc=pd.NaT,
                                 day_start=pd.Timestamp("2024-10-07"), day_end=pd.Timestamp("2024-10-09")),
                      occurrence("Standup"))
    result = assign_areas(occ, rules_frame(DEFAULT_RULES), sources((1, "Calendar", "work", True)), placements())
    assert areas_of(result) == ["work", "work"]
    assert list(result["day_off"]) == [True, False]


@pytest.mark.parametrize(
    ("title", "area", "day_off"),
    [
        ("Team standup", "work", False),
        ("Weekly sync with design", "work", False),
        ("Working session", "work", False),
        ("Release preparation", "work", False),
        ("On-call shift", "work", False),
        ("Visit grandma", "family", False),
        ("Dentist", "personal", False),
        ("Workout", "personal", False),
        ("Kids' school play", "family", False),
        ("Vacation", "rest", True),
        ("Public holiday", "rest", True),
        ("PTO", "rest", True),
        ("OOO - conference travel", "rest", True),
        ("Out of office", "rest", True),
        ("Sick", "rest", True),
        ("Urlaub", "rest", True),
        ("Photo walk", UNCATEGORIZED, False),
        ("Call mom", "family", False),  # "call" alone is no work rule
    ],
)
def test_default_rules(title: str, area: str, day_off: bool) -> None:
    result = assign_areas(occurrences(occurrence(title)), rules_frame(DEFAULT_RULES), sources(), placements())
    assert areas_of(result) == [area]
    assert bool(result["day_off"].iloc[0]) is day_off


def test_default_rules_are_plain_data_for_the_rule_table() -> None:
    for rule in DEFAULT_RULES:
        assert set(rule) == {"field", "pattern", "is_regex", "area", "marks_day_off", "enabled"}
        assert rule["area"] in AREAS
        compile_rule(rule)
    assert {rule["area"] for rule in DEFAULT_RULES} == set(AREAS)


def test_distinct_texts_are_categorised_once_and_rows_keep_their_index() -> None:
    occ = occurrences(*(occurrence("Standup", uid=f"u{i}") for i in range(5)), occurrence("Gym"))
    occ.index = pd.Index([10, 11, 12, 13, 14, 99])
    result = assign_areas(occ, rules_frame(DEFAULT_RULES), sources(), placements())
    assert list(result.index) == [10, 11, 12, 13, 14, 99]
    assert areas_of(result) == ["work"] * 5 + ["personal"]


def test_empty_frames() -> None:
    occ = occurrences(occurrence("x")).iloc[:0]
    result = assign_areas(occ, NO_RULES, sources(), placements())
    assert result.empty
    assert {"area", "day_off"} <= set(result.columns)


def test_preview_rule_lists_distinct_events_with_counts() -> None:
    occ = occurrences(
        occurrence("Standup", uid="a"), occurrence("Standup", uid="b"), occurrence("Team standup"),
        occurrence("Gym"),
    )
    preview = preview_rule(occ, {"field": "title", "pattern": "standup", "is_regex": False, "enabled": False})
    assert list(preview.columns) == ["source_name", "title", "location", "description", "occurrences"]
    assert list(zip(preview["title"], preview["occurrences"], strict=True)) == [("Standup", 2), ("Team standup", 1)]


def test_preview_rule_rejects_invalid_regex() -> None:
    with pytest.raises(InvalidValueError, match="invalid regular expression"):
        preview_rule(occurrences(occurrence("x")), {"field": "title", "pattern": "*", "is_regex": True})
