"""Reading a file in parts, one process per part (ics.parallel), gives exactly what reading it whole gives."""

from __future__ import annotations

import resource
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance_dash.errors import BalanceDashError, LimitError
from balance_dash.ingest import ics, worker
from balance_dash.ingest.ics import parallel
from tests.bench import generate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
CORPUS = Path(__file__).parents[2] / "shared" / "corpus"
CORPUS_FILES = sorted(path.name for path in CORPUS.glob("*.ics")) or ["corpus-missing"]
FIELDS = (
    "name", "issues", "event_count", "cancelled", "window", "events_before", "events_after", "outside_by_uid",
)


class PartReads:
    """Forces the parts reader on any file with `parts` parts; records whether it gave the result."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, parts: int) -> None:
        self.outcomes: list[bool] = []
        self.parts = parts
        self.monkeypatch = monkeypatch
        original = parallel.read_in_parts

        def recording(split: Any, **options: Any) -> Any:
            result = original(split, **{**options, "parts": self.parts})
            self.outcomes.append(result is not None)
            return result

        monkeypatch.setattr(parallel, "read_in_parts", recording)
        self.on()

    def on(self) -> None:
        self.monkeypatch.setattr(parallel, "MIN_CHARS", 0)
        self.monkeypatch.setattr(parallel, "cores", lambda: self.parts)

    def off(self) -> None:
        self.monkeypatch.setattr(parallel, "MIN_CHARS", 10**15)


def _read(data: bytes, **options: Any) -> ics.ParsedCalendar | BalanceDashError:
    try:
        return ics.read_ics(data, **{"file_name": "cal.ics", "tz": BERLIN, "now": NOW, **options})
    except BalanceDashError as error:
        return error


def assert_same(whole: ics.ParsedCalendar | BalanceDashError, parts: ics.ParsedCalendar | BalanceDashError) -> None:
    if isinstance(whole, BalanceDashError) or isinstance(parts, BalanceDashError):
        assert (type(parts), str(parts)) == (type(whole), str(whole))
        return
    pd.testing.assert_frame_equal(parts.frame, whole.frame)
    pd.testing.assert_frame_equal(parts.cancelled_frame, whole.cancelled_frame)
    for name in FIELDS:
        assert getattr(parts, name) == getattr(whole, name), name
    assert list(parts.starts_by_uid.items()) == list(whole.starts_by_uid.items())


def _both(monkeypatch: pytest.MonkeyPatch, data: bytes, parts: int = 2, **options: Any) -> tuple[Any, Any, PartReads]:
    reads = PartReads(monkeypatch, parts)
    reads.off()
    whole = _read(data, **options)
    reads.on()
    return whole, _read(data, **options), reads


@given(seed=st.integers(min_value=0, max_value=10_000), parts=st.integers(min_value=2, max_value=3))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_generated_export_reads_the_same_in_parts(monkeypatch: pytest.MonkeyPatch, seed: int, parts: int) -> None:
    data = generate.generate(0.05, seed=seed, now=NOW, ahead_days=14)
    with monkeypatch.context() as patch:
        whole, in_parts, reads = _both(patch, data, parts)
    assert reads.outcomes == [True]  # the parts gave the result, not a fallback
    assert isinstance(whole, ics.ParsedCalendar) and len(whole.frame) > 100
    assert_same(whole, in_parts)


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_corpus_file_reads_the_same_in_parts(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    if not (CORPUS / name).exists():
        pytest.skip("the shared corpus is not on this machine")
    now = datetime(2026, 1, 15, tzinfo=UTC)
    whole, in_parts, _reads = _both(monkeypatch, (CORPUS / name).read_bytes(), now=now)
    assert_same(whole, in_parts)


def _with_broken_series(data: bytes) -> bytes:
    """The export with one weekly rule made unreadable (a skipped series, reported with its line)."""
    text = data.decode("utf-8")
    at = text.rindex("RRULE:FREQ=WEEKLY")  # in the last part
    return (text[:at] + "RRULE:FREQ=NEVER;X=" + text[at + len("RRULE:") :]).encode("utf-8")


def test_a_part_with_something_to_report_hands_over_to_the_whole_read(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _with_broken_series(generate.generate(0.05, seed=3, now=NOW, ahead_days=14))
    whole, in_parts, reads = _both(monkeypatch, data)
    assert reads.outcomes == [False]
    assert isinstance(whole, ics.ParsedCalendar) and any(issue.line for issue in whole.issues)
    assert_same(whole, in_parts)


def test_the_occurrence_limit_holds_across_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    data = generate.generate(0.05, seed=4, now=NOW, ahead_days=14)
    total = len(_read(data).frame)  # type: ignore[union-attr]
    whole, in_parts, _reads = _both(monkeypatch, data, max_occurrences=total - 1)
    assert isinstance(whole, LimitError)
    assert_same(whole, in_parts)
    whole, in_parts, _reads = _both(monkeypatch, data, max_occurrences=total + 50)
    assert_same(whole, in_parts)


def test_a_reader_under_a_memory_limit_reads_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard's reader (ingest.worker) has an address-space limit that parts could pass together."""
    monkeypatch.setattr(parallel, "MIN_CHARS", 0)
    assert parallel.worth_it("x")
    monkeypatch.setattr(resource, "getrlimit", lambda _what: (512 * 2**20, resource.RLIM_INFINITY))
    assert not parallel.worth_it("x")
    data = generate.generate(0.05, seed=8, now=NOW, ahead_days=14)
    isolated = worker.read_ics_isolated(data, file_name="cal.ics", seconds=120, memory_mb=4000, tz=BERLIN, now=NOW)
    monkeypatch.setattr(parallel, "MIN_CHARS", 10**15)
    assert_same(_read(data), isolated)
