"""The context every read workflow takes first: which database, whose settings, which zone, when.

A `Scope` is built once per CLI command and once per cached dashboard view. What it reads (the
categorized occurrences, the targets, the coverage) it reads at most once, on first use, so a view
that asks for the balance, the trends and the drill-down of one period reads the store once.
Writes keep plain signatures (`engine`, values): they change what a scope has read, so a new scope
is built after them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar, overload
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from balance_dash import store
from balance_dash.models import LOG_KINDS
from balance_dash.settings import Settings
from balance_dash.workflows.common import resolve_zone, week_start_of

T = TypeVar("T")


class read_once(Generic[T]):  # lower case: used as a decorator, like functools.cached_property
    """A property computed on first use and kept in the instance, with one lock per instance.

    `functools.cached_property` on Python 3.11 holds one lock per property for all instances, so
    two dashboard sessions reading ten years on two different scopes would wait for each other
    (the lock went away in 3.12). Here only readers of the same scope wait, and it is read once.
    """

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> read_once[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> read_once[T] | T:
        if instance is None:
            return self
        kept = instance.__dict__
        if self.name in kept:
            return kept[self.name]  # type: ignore[no-any-return]
        with kept.setdefault("_read_lock", threading.RLock()):  # setdefault is atomic: one lock
            if self.name not in kept:
                kept[self.name] = self.compute(instance)
            return kept[self.name]  # type: ignore[no-any-return]


@dataclass(frozen=True, eq=False)
class Scope:
    """Engine, settings, display zone and "now" of one read, with lazily read shared data.

    `now` is an aware instant; `today` is its date in the display zone. Two scopes are equal only
    when they are the same object: the lazily read frames are not part of an identity.
    """

    engine: Engine
    settings: Settings
    tz: ZoneInfo
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    revision: int | None = None  # the data revision it was built at, when known (a cache key)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Scope.now must be an aware datetime")

    @classmethod
    def of(
        cls,
        engine: Engine,
        *,
        settings: Settings | None = None,
        tz: ZoneInfo | str | None = None,
        now: datetime | None = None,
        revision: int | None = None,
    ) -> Scope:
        """A scope for `engine`: settings read from it unless given, zone from `tz`, the settings or the system."""
        settings = store.load_settings(engine) if settings is None else settings
        zone = tz if isinstance(tz, ZoneInfo) else resolve_zone(tz, settings)
        instant = (now or datetime.now(UTC)).astimezone(UTC)
        return cls(engine=engine, settings=settings, tz=zone, now=instant, revision=revision)

    @property
    def key(self) -> tuple[object, ...]:
        """What the scope's reads depend on: database, revision, settings, zone and today (a cache key)."""
        url = self.engine.url.render_as_string(hide_password=False)
        return (url, self.revision, self.settings.model_dump_json(), self.tz.key, self.today)

    @read_once
    def today(self) -> date:
        """The date of `now` in the display zone."""
        return self.now.astimezone(self.tz).date()

    @read_once
    def this_week(self) -> date:
        """The first day of the week that holds `today`."""
        return week_start_of(self.today, self.settings.week_starts_on)

    @read_once
    def occurrences(self) -> pd.DataFrame:
        """Every occurrence with its area, day-off mark and attendance decided (read once)."""
        from balance_dash.workflows.balance import categorized_occurrences  # the facade's own reader

        return categorized_occurrences(self.engine, addresses=self.settings.my_addresses)

    @property
    def has_read_occurrences(self) -> bool:
        """Whether the whole categorized history is already read (and so costs nothing more)."""
        return "occurrences" in self.__dict__

    def occurrences_between(self, start_utc: datetime | None, end_utc: datetime | None) -> pd.DataFrame:
        """Categorized occurrences that overlap [start_utc, end_utc) (None: open on that side).

        The whole history when it is already read (a dashboard view), else only the window (the
        CLI's fast path: a summary of one week reads that week, not ten years).
        """
        if self.has_read_occurrences or (start_utc is None and end_utc is None):
            return self.occurrences
        from balance_dash.workflows.balance import categorized_occurrences

        return categorized_occurrences(
            self.engine, start_utc=start_utc, end_utc=end_utc, addresses=self.settings.my_addresses
        )

    @read_once
    def stored_occurrences(self) -> pd.DataFrame:
        """Every stored occurrence as the store holds it, descriptions included, areas not decided."""
        return store.load_occurrences(self.engine)

    @read_once
    def targets(self) -> pd.DataFrame:
        """The target rows with their effective dates (read once)."""
        return store.load_targets(self.engine)

    @read_once
    def coverage(self) -> pd.DataFrame:
        """First and last instant each source covers, and the logged days (read once; worked out
        from the occurrences when the whole history is already read)."""
        if not self.has_read_occurrences:
            return store.load_coverage(self.engine)
        sources = store.load_sources(self.engine, with_counts=False)
        return store.coverage_of(self.occurrences, sources.loc[sources["kind"].isin(LOG_KINDS), "id"].astype(int))
