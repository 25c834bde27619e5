"""The targets module (pure) and the one-transaction Save of several targets."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from balance_dash import store, targets
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS, Target
from balance_dash.workflows import preferences

DAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(35.0, 48.0, "35–48 h"), (14.0, None, "at least 14 h"), (None, 48.0, "at most 48 h"),
     (None, None, "no target"), (float("nan"), 7.0, "at most 7 h")],
)
def test_one_wording_of_a_range(low, high, text):
    assert targets.range_text(low, high) == text


@pytest.mark.parametrize(
    ("actual", "low", "high", "gap"),
    [(30.0, 35.0, 48.0, ("under", -5.0)), (50.0, 35.0, 48.0, ("over", 2.0)), (40.0, 35.0, 48.0, ("within", 0.0)),
     (3.0, None, None, ("none", 0.0)), (20.0, 14.0, None, ("within", 0.0)), (60.0, None, 48.0, ("over", 12.0))],
)
def test_the_gap_to_a_target(actual, low, high, gap):
    assert targets.gap(actual, low, high) == gap


def test_a_range_must_be_a_range():
    targets.check_range("work", 35.0, 48.0)
    targets.check_range("work", None, 5.0)
    with pytest.raises(InvalidValueError, match="work: 'at least' 50 h is above 'at most' 45 h"):
        targets.check_range("work", 50.0, 45.0)


def test_the_targets_in_force_on_a_day_follow_their_changes():
    rows = pd.DataFrame({
        "area": ["work", "work", "family"], "min_hours": [35.0, 30.0, 14.0], "max_hours": [48.0, 40.0, None],
        "effective_from": [date(1970, 1, 1), date(2026, 11, 16), date(1970, 1, 1)],
    })
    before = targets.in_force_on(rows, date(2026, 11, 15)).set_index("area")
    after = targets.in_force_on(rows, DAY).set_index("area")
    assert list(after.index) == list(AREAS)
    assert before.loc["work", ["min_hours", "max_hours"]].tolist() == [35.0, 48.0]
    assert after.loc["work", ["min_hours", "max_hours"]].tolist() == [30.0, 40.0]
    assert after.loc["family", "min_hours"] == 14.0 and pd.isna(after.loc["rest", "min_hours"])  # type: ignore[arg-type]  # pandas-stubs: a .loc scalar


def _saved(engine, day: date = DAY) -> dict[str, tuple[float | None, float | None]]:
    rows = store.load_targets(engine)
    rows = rows[pd.to_datetime(rows["effective_from"]) == pd.Timestamp(day)]
    return {str(r["area"]): (r["min_hours"], r["max_hours"]) for r in rows.to_dict("records")}


def test_set_targets_saves_every_area_at_once(sqlite_url):
    engine = store.open_engine(sqlite_url)
    lines = preferences.set_targets(engine, {"work": (30.0, 40.0), "family": (10.0, None)}, effective_from=DAY)
    assert {line.area: line.text for line in lines}["work"] == "30–40 h"
    assert _saved(engine)["work"] == (30.0, 40.0)


def test_a_refused_range_saves_no_target(sqlite_url):
    engine = store.open_engine(sqlite_url)
    revision = store.data_revision(engine)
    with pytest.raises(InvalidValueError, match="family: 'at least' 9 h is above 'at most' 2 h"):
        preferences.set_targets(engine, {"work": (30.0, 40.0), "family": (9.0, 2.0)}, effective_from=DAY)
    assert _saved(engine) == {} and store.data_revision(engine) == revision


def test_a_second_target_failing_in_the_database_leaves_the_first_unchanged(sqlite_url):
    """The Save is one transaction: when the second row fails while it is written, the first one
    (already written in that transaction) is rolled back too."""
    engine = store.open_engine(sqlite_url)
    preferences.set_targets(engine, {"work": (35.0, 45.0)}, effective_from=DAY)

    def refuse_family(_mapper: object, _connection: object, target: Target) -> None:
        if target.area == "family":
            raise sa.exc.IntegrityError("INSERT INTO target", {}, Exception("refused for the test"))

    sa.event.listen(Target, "before_insert", refuse_family)
    try:
        with pytest.raises(sa.exc.IntegrityError):
            store.save_targets(engine, {"work": (20.0, 25.0), "family": (1.0, 2.0)}, effective_from=DAY)
    finally:
        sa.event.remove(Target, "before_insert", refuse_family)
    assert _saved(engine) == {"work": (35.0, 45.0)}
