"""The rows a new database starts with: the default rules and the default weekly targets.

Plain data at the ground of the package, so that the store seeds a new database without
importing the code that reads these rows (`categorize`, `targets`, `health`).
"""

from __future__ import annotations

from typing import Any


def _rule(field: str, pattern: str, area: str, *, day_off: bool = False) -> dict[str, Any]:
    return {
        "field": field,
        "pattern": pattern,
        "is_regex": False,
        "area": area,
        "marks_day_off": day_off,
        "enabled": True,
    }


# Shipped defaults, tried in this order (the store numbers them by list position). Days off
# come first so that "Team offsite (OOO)" or "Sick - no meetings" count as days off. Plain
# patterns match at word starts, so "meeting" also catches "meetings"; words that would
# catch too much ("call": "Call mom"; "rest": "restaurant") are left out on purpose.
DEFAULT_RULES: list[dict[str, Any]] = [
    *(
        _rule("title", word, "rest", day_off=True)
        for word in (
            "vacation", "holiday", "pto", "ooo", "out of office", "sick", "day off",
            "annual leave", "parental leave", "urlaub",
        )
    ),
    *(
        _rule("title", word, "work")
        for word in (
            "standup", "stand-up", "meeting", "1:1", "one on one", "sync", "sprint", "retro",
            "interview", "client", "workshop", "presentation", "deadline", "focus time",
            "conference", "webinar", "onboarding", "all hands", "project", "release", "deploy",
            "planning", "offsite", "on-call", "on call", "report", "email", "inbox",
        )
    ),
    # A whole word: "Work", "Working session", but not "Workout".
    {**_rule("title", r"\bwork(ing)?\b", "work"), "is_regex": True},
    *(
        _rule("title", word, "family")
        for word in (
            "family", "kids", "school", "daycare", "kita", "parents", "mom", "dad", "birthday",
            "pickup", "pick up", "date night", "dinner with", "grandma", "grandpa", "grandparents",
        )
    ),
    *(
        _rule("title", word, "personal")
        for word in (
            "gym", "run", "yoga", "workout", "swim", "doctor", "dentist", "therapy", "haircut",
            "reading", "course", "class", "hobby", "friends", "errand", "practice", "coffee with",
        )
    ),
    *(
        _rule("title", word, "rest")
        for word in ("sleep", "nap", "relax", "meditation", "rest day")
    ),
]

# Weekly hours for a full-time worker, as (at least, at most); None = no bound.
# - work 35-48: 35-40 h is the "standard hours" baseline of the WHO/ILO 2021 estimates, and 48 h
#   is the EU Directive's weekly limit, about where Pencavel (2014) finds output per hour falls.
# - family 14+: two hours a day of undivided time with the people at home.
# - personal 7+: an hour a day for health, friends, learning and errands of one's own.
# - rest 7+: an hour a day of waking rest and recovery that the calendar or the log holds.
#   Sleep is its own figure with its own check (short_sleep, AASM/SRS 2015: >= 7 h a night), so
#   this target no longer holds the sleep window; docs/time-semantics.md says why one hour.
DEFAULT_TARGETS: dict[str, tuple[float | None, float | None]] = {
    "work": (35.0, 48.0),
    "family": (14.0, None),
    "personal": (7.0, None),
    "rest": (7.0, None),
}
