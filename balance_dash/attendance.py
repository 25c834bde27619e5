"""Which occurrences the user lived: attendance and availability decided (pure pandas).

The calendar says who was invited and how each answered (`attendees`, `organizer`), whether the
event was shown as free (`transparent`, Outlook's busy status) and whether it was cancelled;
who the user is is a setting (`Settings.my_addresses`). PRODUCT.md section 3:

- a meeting the user declined never counts;
- tentative and unanswered ones count (they are in the diary) and are marked;
- timed events shown as free count only when their calendar says so (`count_free`); all-day
  events add no hours anyway, and Google marks all-day events free by default, so their days
  stay marked;
- Outlook's out of office (OOF) is not lived time in an area: it counts no hours and marks the
  days it covers as days off (see `analytics`);
- cancelled occurrences never count.

`assign_attendance` adds `participation` and `not_counted` ("" when the occurrence counts,
else the reason, one of `NOT_COUNTED_REASONS`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

# Why an occurrence is not counted, in the order they are decided (the first one wins).
NOT_COUNTED_REASONS: tuple[str, ...] = ("cancelled", "declined", "out_of_office", "free")
# The user's answer: RFC 5545 PARTSTAT values in lower case, "organizer" when the user organised
# the event and is not listed, "none" when the user is not listed at all (a private event).
PARTICIPATION: tuple[str, ...] = (
    "accepted", "tentative", "needs-action", "declined", "delegated", "organizer", "none",
)
MARKED_PARTICIPATION: tuple[str, ...] = ("tentative", "needs-action")  # counted, but marked


def normalise_addresses(addresses: Iterable[str]) -> tuple[str, ...]:
    """Addresses as the calendar data holds them: lower case, without "mailto:", no duplicates."""
    seen: list[str] = []
    for raw in addresses:
        value = raw.strip()
        if value[:7].lower() == "mailto:":
            value = value[7:]
        value = value.strip().lower()
        if value and value not in seen:
            seen.append(value)
    return tuple(seen)


def participation(occ: pd.DataFrame, addresses: Sequence[str]) -> pd.Series:
    """The user's answer per occurrence (see `PARTICIPATION`)."""
    index = occ.index
    if "attendees" not in occ or not len(occ):
        return pd.Series("none", index=index, dtype=object)
    mine = normalise_addresses(addresses)
    result = np.full(len(occ), "none", dtype=object)
    if not mine:
        return pd.Series(result, index=index, dtype=object)
    organizer = occ["organizer"].fillna("").astype(str).to_numpy(dtype=object) if "organizer" in occ else None
    if organizer is not None:
        result[np.isin(organizer, list(mine))] = "organizer"
    # Series repeat one attendee list across all their occurrences: decide each list once.
    codes, lists = pd.factorize(occ["attendees"].fillna("").astype(str))
    pattern = re.compile(r"(?:^| )([A-Za-z-]+):(?:" + "|".join(re.escape(a) for a in mine) + r")(?= |$)")
    answers = np.array(
        [_answer(pattern, text) for text in lists] + [None], dtype=object
    )  # index -1 (missing) reads the last entry
    found = answers[codes]
    listed = pd.notna(found)
    result[listed] = found[listed]
    return pd.Series(result, index=index, dtype=object)


def _answer(pattern: re.Pattern[str], text: str) -> str | None:
    if not text:
        return None
    statuses = [match.group(1).lower() for match in pattern.finditer(text)]
    if not statuses:
        return None
    # Listed twice (two of the user's addresses): any acceptance beats a decline on the other.
    for status in ("accepted", "tentative", "needs-action", "delegated", "declined"):
        if status in statuses:
            return status
    return statuses[0]


def assign_attendance(occ: pd.DataFrame, addresses: Sequence[str]) -> pd.DataFrame:
    """`occ` with `participation` and `not_counted` decided (see the module docstring)."""
    answer = participation(occ, addresses)
    reason = pd.Series("", index=occ.index, dtype=object)
    if len(occ):
        timed = ~occ["all_day"].astype(bool)
        busy = _column(occ, "busy_status", "")
        shown_free = _column(occ, "transparent", False).astype(bool) | (busy == "free")
        count_free = _column(occ, "count_free", False).astype(bool)
        layers = (
            ("free", timed & shown_free & ~count_free),
            ("out_of_office", timed & (busy == "oof")),
            ("declined", answer == "declined"),
            ("cancelled", _column(occ, "cancelled", False).astype(bool)),
        )
        for name, where in layers:  # lowest precedence first, as in categorize
            reason = reason.mask(where, name)
    return occ.assign(participation=answer, not_counted=reason)


def _column(occ: pd.DataFrame, name: str, default: str | bool) -> pd.Series:
    if name in occ:
        return occ[name].fillna(default)
    return pd.Series(default, index=occ.index)


def propose_addresses(occ: pd.DataFrame, *, calendar_names: Iterable[str] = (), limit: int = 3) -> list[str]:
    """The addresses most likely the user's own, best first.

    A calendar named like an address (Google names the main calendar after the account) comes
    first; then the address that appears on the most events, as organizer or attendee: the
    owner of a calendar is on nearly all of its meetings, anyone else on a few.
    """
    proposed = [name.strip().lower() for name in calendar_names if _looks_like_address(name)]
    if "attendees" in occ and len(occ):
        counts: Counter[str] = Counter()
        series = occ.drop_duplicates("uid") if "uid" in occ else occ
        for organizer, attendees in zip(
            series.get("organizer", pd.Series("", index=series.index)).fillna(""),
            series["attendees"].fillna(""),
            strict=True,
        ):
            people = {token.partition(":")[2] for token in str(attendees).split()}
            if organizer:
                people.add(str(organizer))
            counts.update(address for address in people if address)
        events_with_people = int((series["attendees"].fillna("") != "").sum())
        for address, count in counts.most_common():
            # Only an address on at least half of the events with people is a candidate.
            if count * 2 < events_with_people:
                break
            if address not in proposed:
                proposed.append(address)
    return proposed[:limit]


def _looks_like_address(text: str) -> bool:
    return re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text.strip()) is not None
