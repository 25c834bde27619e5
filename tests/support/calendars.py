"""Small .ics texts built in tests (for live sources, where the file changes between syncs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from balance_dash import store


def event(uid: str, start: datetime, hours: float = 1.0, title: str = "Meeting", rrule: str | None = None) -> str:
    end = start + timedelta(hours=hours)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{start:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{title}",
    ]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    return "\r\n".join([*lines, "END:VEVENT"])


def calendar(*events: str, name: str | None = "Team") -> bytes:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//balance-dash tests//EN"]
    if name:
        head.append(f"X-WR-CALNAME:{name}")
    return ("\r\n".join([*head, *events, "END:VCALENDAR"]) + "\r\n").encode("utf-8")


def hours_by_week(engine: Engine, source: str | None = None) -> dict[str, float]:
    """Timed hours per ISO week (of each occurrence's UTC start), optionally of one source."""
    occ = store.load_occurrences(engine, with_description=False)
    if source is not None:
        occ = occ[occ["source_name"] == source]
    occ = occ[~occ["all_day"]]
    if occ.empty:
        return {}
    hours = (occ["end_utc"] - occ["start_utc"]).dt.total_seconds() / 3600
    weeks = occ["start_utc"].dt.strftime("%G-W%V")
    return {str(week): round(float(value), 3) for week, value in hours.groupby(weeks).sum().items()}


def snapshot(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every occurrence and every source, as plain rows: equal snapshots mean nothing changed."""
    occ = store.load_occurrences(engine).drop(columns=["id"]).sort_values(["source_name", "uid", "recurrence_key"])
    sources = store.load_sources(engine)
    return [tuple(row) for row in occ.astype(str).to_numpy()], [tuple(row) for row in sources.astype(str).to_numpy()]
