"""Meetings: which occurrences are meetings, back-to-back runs, series cost, people (pure pandas).

A meeting is a counted, timed occurrence (attendance already decided: declined, free and
cancelled ones are out, see `attendance`) that involves somebody else: its attendee list names
an address that is not one of the user's own, or its organizer is someone else. Occurrences
placed in family, personal or rest are not meetings (a friend's dinner invitation is family
time, not a meeting); work and uncategorized ones are. Without the user's addresses every listed
person counts as someone else.

Frames returned here:

- `meeting_rows(occ, addresses)`: the meetings, with start_utc, end_utc, hours, organized
  ("me", "others" or "" when unknown), series_key (source_id and uid, "" for single events) and
  title, uid, source_id, recurrence_key, id.
- `meeting_runs(meetings, gap_minutes)`: runs of meetings less than `gap_minutes` apart:
  start_utc, end_utc, meetings (count), hours (the run's length).
- `series_cost(meetings, ...)`: per recurring series its hours, occurrences, hours per week and
  next occurrence.
- `people_hours(meetings, addresses)`: meeting hours per other person.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from balance_dash import analytics
from balance_dash.analytics import intervals as iv
from balance_dash.attendance import normalise_addresses

# Areas whose occurrences are never meetings, whoever else is invited.
NOT_MEETING_AREAS: tuple[str, ...] = ("family", "personal", "rest")
MEETING_COLUMNS: tuple[str, ...] = (
    "id", "source_id", "uid", "recurrence_key", "title", "start_utc", "end_utc", "hours", "organized", "series_key",
    "others",
)
RUN_COLUMNS: tuple[str, ...] = ("start_utc", "end_utc", "meetings", "hours")
SERIES_COLUMNS: tuple[str, ...] = (
    "series_key", "title", "occurrences", "hours", "hours_per_week", "weeks", "first_start_utc", "last_start_utc",
    "next_start_utc",
)


def _others(text: str, mine: frozenset[str]) -> str:
    """The addresses in one attendee list ("PARTSTAT:address" tokens) that are not the user's, space separated."""
    seen: list[str] = []
    for token in text.split():
        address = token.partition(":")[2]
        if address and address not in mine and address not in seen:
            seen.append(address)
    return " ".join(seen)


def _has_text(column: pd.Series) -> np.ndarray:
    """Per row, whether the text column holds something (not missing, not empty)."""
    values = column.to_numpy(dtype=object)
    return np.asarray(~(pd.isna(values) | (values == "")))


def meeting_rows(occ: pd.DataFrame, addresses: Sequence[str]) -> pd.DataFrame:
    """The meetings among `occ` (see the module docstring), one row per occurrence, by start.

    `occ` needs id, source_id, uid, recurrence_key, title, all_day, start_utc, end_utc, area,
    organizer and attendees (as `workflows.balance.categorized_occurrences` reads them).
    """
    empty = pd.DataFrame({column: pd.Series([], dtype=object) for column in MEETING_COLUMNS})
    if not len(occ) or "attendees" not in occ or "organizer" not in occ:
        return empty.astype({"start_utc": "datetime64[us, UTC]", "end_utc": "datetime64[us, UTC]", "hours": "float64"})
    mine = frozenset(normalise_addresses(addresses))
    timed = ~occ["all_day"].astype(bool) & occ["start_utc"].notna() & occ["end_utc"].notna()
    not_meeting = occ["area"].isin(NOT_MEETING_AREAS) if "area" in occ else pd.Series(False, index=occ.index)
    with_people = _has_text(occ["attendees"]) | _has_text(occ["organizer"])
    chosen = timed & with_people & analytics.counted(occ) & ~not_meeting
    # Only the columns used here: the frame also holds descriptions and other large text.
    rows = occ.loc[chosen, ["id", "source_id", "uid", "recurrence_key", "title", "start_utc", "end_utc", "organizer",
                            "attendees"]]
    # Series repeat one attendee list across all their occurrences: read each list once.
    codes, lists = pd.factorize(rows["attendees"].fillna("").astype(str))
    others_of = np.array([_others(text, mine) for text in lists] + [""], dtype=object)
    others = others_of[codes]
    organizer = rows["organizer"].fillna("").astype(str)  # lower case since ingest (ics_people.address_of)
    by_me = organizer.isin(list(mine)).to_numpy() if mine else np.zeros(len(rows), dtype=bool)
    by_others = (organizer != "").to_numpy() & ~by_me
    is_meeting = (others != "") | by_others
    rows = rows[is_meeting]
    others, by_me, by_others = others[is_meeting], by_me[is_meeting], by_others[is_meeting]
    recurring = rows["recurrence_key"].fillna("").astype(str) != ""
    series_key = (rows["source_id"].astype(str) + "/" + rows["uid"].astype(str)).where(recurring, "")
    starts = pd.to_datetime(rows["start_utc"], utc=True).astype("datetime64[us, UTC]")
    ends = pd.to_datetime(rows["end_utc"], utc=True).astype("datetime64[us, UTC]")
    frame = pd.DataFrame(
        {
            "id": rows["id"],
            "source_id": rows["source_id"],
            "uid": rows["uid"].astype(str),
            "recurrence_key": rows["recurrence_key"].fillna("").astype(str),
            "title": rows["title"].fillna("").astype(str),
            "start_utc": starts,
            "end_utc": ends,
            "hours": ((ends - starts).dt.total_seconds() / 3600).astype("float64"),
            "organized": np.where(by_me, "me", np.where(by_others, "others", "")),
            "series_key": series_key.astype(object),
            "others": others,
        },
        index=rows.index,
    )
    return frame.sort_values(["start_utc", "end_utc"], kind="stable")


def meeting_runs(meetings: pd.DataFrame, gap_minutes: float) -> pd.DataFrame:
    """Runs of meetings where each starts less than `gap_minutes` after the run so far ended.

    Overlapping meetings belong to one run. Every meeting is in exactly one run; a run of one
    meeting is a meeting on its own, a run of two or more is back to back.
    """
    if not len(meetings):
        return pd.DataFrame(
            {
                "start_utc": pd.Series([], dtype="datetime64[us, UTC]"),
                "end_utc": pd.Series([], dtype="datetime64[us, UTC]"),
                "meetings": pd.Series([], dtype="int64"),
                "hours": pd.Series([], dtype="float64"),
            }
        )
    ordered = meetings.sort_values(["start_utc", "end_utc"], kind="stable")
    starts_us = iv.micros(ordered["start_utc"])
    ends_us = iv.micros(ordered["end_utc"])
    reach = np.maximum.accumulate(ends_us)
    gap_us = round(gap_minutes * 60_000_000)
    new_run = np.concatenate(([True], starts_us[1:] >= reach[:-1] + gap_us))
    run = np.cumsum(new_run) - 1
    first = np.flatnonzero(new_run)
    last = np.concatenate((first[1:], [len(starts_us)])) - 1
    run_end = reach[last]
    counts = np.bincount(run)
    return pd.DataFrame(
        {
            "start_utc": iv.to_utc(starts_us[first]),
            "end_utc": iv.to_utc(run_end),
            "meetings": counts.astype("int64"),
            "hours": ((run_end - starts_us[first]) / iv.US_PER_HOUR).astype("float64"),
        }
    )


def series_cost(
    meetings: pd.DataFrame,
    *,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    now: datetime,
    week_starts_on: str = "monday",
) -> pd.DataFrame:
    """Per recurring series of meetings, what it cost in [first_day, last_day] and when it next meets.

    `hours` sums the occurrences that start in the period (a series that changed duration sums
    what each occurrence took); `hours_per_week` divides them by the weeks from the week of the
    series' first occurrence in the period to the week of its last, so a series that began mid-year is not
    diluted by the weeks before it. `next_start_utc` is the first occurrence after `now` among
    `meetings` (NaT when none). Sorted by hours, highest first.
    """
    series = meetings[meetings["series_key"] != ""]
    local_day = series["start_utc"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    inside = (local_day >= pd.Timestamp(first_day)) & (local_day <= pd.Timestamp(last_day))
    period = series[inside]
    if not len(period):
        return pd.DataFrame({column: pd.Series([], dtype=object) for column in SERIES_COLUMNS}).astype(
            {"hours": "float64", "hours_per_week": "float64", "occurrences": "int64", "weeks": "float64"}
        )
    grouped = period.groupby("series_key", sort=False)
    first_start = grouped["start_utc"].min()
    last_start = grouped["start_utc"].max()
    hours = grouped["hours"].sum()
    first_week = local_week_of(first_start, tz, week_starts_on)
    last_week = local_week_of(last_start, tz, week_starts_on)
    weeks = ((last_week - first_week).days.to_numpy() // 7 + 1).astype("float64")
    # The title of a series is its latest occurrence's title (a renamed series shows its new name).
    titles = period.sort_values("start_utc").groupby("series_key", sort=False)["title"].last()
    upcoming = series[series["start_utc"] > pd.Timestamp(now).tz_convert("UTC")]
    next_start = upcoming.groupby("series_key")["start_utc"].min()
    frame = pd.DataFrame(
        {
            "series_key": hours.index.astype(object),
            "title": titles.reindex(hours.index).to_numpy(),
            "occurrences": grouped.size().to_numpy().astype("int64"),
            "hours": hours.to_numpy().astype("float64"),
            "hours_per_week": (hours.to_numpy() / weeks).astype("float64"),
            "weeks": weeks.astype("float64"),
            "first_start_utc": first_start.to_numpy(),
            "last_start_utc": last_start.to_numpy(),
            "next_start_utc": next_start.reindex(hours.index).to_numpy(),
        }
    )
    return frame.sort_values(["hours", "title"], ascending=[False, True], kind="stable").reset_index(drop=True)


def people_hours(meetings: pd.DataFrame, *, limit: int | None = None) -> pd.DataFrame:
    """Meeting hours and meetings per other person (their address), most hours first.

    Each meeting's whole length counts for every other person on it.
    """
    if not len(meetings):
        return pd.DataFrame({"person": pd.Series([], dtype=object), "hours": pd.Series([], dtype="float64"),
                             "meetings": pd.Series([], dtype="int64")})
    per_list = meetings.groupby("others", sort=False)["hours"].agg(["sum", "size"])
    per_list = per_list[per_list.index != ""]
    people = per_list.assign(person=per_list.index.str.split(" ")).explode("person")
    grouped = people.groupby("person", sort=False)
    frame = pd.DataFrame(
        {"hours": grouped["sum"].sum().astype("float64"), "meetings": grouped["size"].sum().astype("int64")}
    )
    frame = frame.rename_axis("person").reset_index()
    frame = frame.sort_values(["hours", "person"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return frame if limit is None else frame.head(limit)


def occurrences_of_series(meetings: pd.DataFrame, series_key: str, *, tz: ZoneInfo) -> pd.DataFrame:
    """The occurrences of one series, oldest first: local start, end, hours, title (what a click shows)."""
    rows = meetings[meetings["series_key"] == series_key].sort_values("start_utc")
    return pd.DataFrame(
        {
            "start": rows["start_utc"].dt.tz_convert(tz).dt.tz_localize(None),
            "end": rows["end_utc"].dt.tz_convert(tz).dt.tz_localize(None),
            "hours": rows["hours"].round(2),
            "title": rows["title"],
        }
    ).reset_index(drop=True)


def local_week_of(instants: pd.Series, tz: ZoneInfo, week_starts_on: str) -> pd.DatetimeIndex:
    """The naive local week start of each instant."""
    days = pd.DatetimeIndex(instants.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()).as_unit("s")
    return analytics.week_start_of(days, "sunday" if week_starts_on == "sunday" else "monday")

