"""One typed, frozen Settings object: every default and its help text live here.

The dashboard's settings page and the CLI read the descriptions from these fields, and the
database stores the user's values as JSON (`store.load_settings` / `store.save_settings`).
"""

from __future__ import annotations

import re
from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from balance_dash.attendance import normalise_addresses
from balance_dash.errors import BalanceDashError, InvalidValueError

ADDRESS = re.compile(r"[^@\s,;]+@[^@\s,;]+")

Weekday = Literal[0, 1, 2, 3, 4, 5, 6]  # Monday = 0, as in datetime.date.weekday()
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Thresholds(BaseModel):
    """Warning thresholds. The source of each default is in `health.catalog.CATALOG`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    week_caution_hours: float = Field(48.0, gt=0, le=168, description="Work hours in a week above which a caution is raised (EU Working Time Directive art. 6).")
    week_high_hours: float = Field(55.0, gt=0, le=168, description="Work hours in a week at or above which a high warning is raised (WHO/ILO 2021).")
    average_weeks: int = Field(17, ge=1, le=52, description="Weeks in the rolling reference period for the average working week (Directive art. 16).")
    day_caution_hours: float = Field(10.0, gt=0, le=24, description="Work hours in a day above which a caution is raised (German ArbZG section 3).")
    day_high_hours: float = Field(11.0, gt=0, le=24, description="Work hours in a day at or above which a high warning is raised (Virtanen et al. 2012).")
    daily_rest_hours: float = Field(11.0, ge=0, le=24, description="Least rest between two working days (Directive art. 3).")
    weekly_rest_hours: float = Field(35.0, ge=0, le=168, description="Least uninterrupted work-free stretch per week (Directive art. 5: 24 h + 11 h).")
    break_after_hours: float = Field(6.0, gt=0, le=24, description="Work hours without a break after which a break is due (Directive art. 4, ArbZG section 4).")
    break_minutes: float = Field(30.0, ge=0, le=240, description="Shortest gap that counts as a break, in minutes.")
    sleep_hours: float = Field(7.0, ge=0, le=24, description="Least nightly sleep opportunity (AASM/SRS 2015 consensus).")
    streak_weeks: int = Field(3, ge=2, le=52, description="Weeks in a row with the same warning before it escalates one level.")
    late_work_hour: float = Field(21.0, ge=12, le=24, description="Work after this hour of the evening raises a caution (Lanaj, Johnson & Barnes 2014: late-evening work and next-day depletion); 24 switches it off.")
    weekend_work_weekends: int = Field(3, ge=1, le=5, description="Weekends with work among the last four at which a caution is raised (Wirtz, Nachreiner & Rolfes 2011: Sunday work and health); 5 switches it off.")
    long_break_weeks: int = Field(16, ge=2, le=104, description="Weeks without a break of several days off after which a reminder is raised (de Bloom et al. 2009: vacation effects fade soon after work resumes).")
    long_break_days: int = Field(5, ge=2, le=30, description="Days in a row without work that count as a break.")
    back_to_back_run_hours: float = Field(2.0, gt=0, le=24, description="A run of back-to-back meetings at least this long raises a note (Microsoft Human Factors Lab 2021: stress builds up over back-to-back meetings). Needs your addresses.")


class Settings(BaseModel):
    """Everything the user can set, with the defaults a new database starts from."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    timezone: str | None = Field(None, description="Display time zone (IANA name). Empty: the browser's zone in the dashboard, the system zone in the CLI.")
    week_starts_on: Literal["monday", "sunday"] = Field("monday", description="First day of the week.")
    my_addresses: tuple[str, ...] = Field((), description="Your own e-mail addresses, as your calendars list you in invitations: a meeting you declined there is not counted.")
    sleep_enabled: bool = Field(True, description="Count an assumed nightly sleep window as sleep where no event overlaps it (sleep is its own figure, not rest).")
    sleep_start: time = Field(time(23, 0), description="Start of the assumed sleep window.")
    sleep_end: time = Field(time(7, 0), description="End of the assumed sleep window (next morning).")
    workday_start: time = Field(time(8, 0), description="Work before this time counts as after hours.")
    disconnect_time: time = Field(time(18, 0), description="Work after this time counts as after hours (right to disconnect).")
    rest_days: tuple[Weekday, ...] = Field((5, 6), description="Days of the week without work (Monday = 0).")
    thresholds: Thresholds = Field(default_factory=Thresholds)
    max_upload_mb: int = Field(200, ge=1, le=2000, description="Largest calendar or CSV file accepted, in megabytes.")
    max_occurrences: int = Field(500_000, ge=100, le=5_000_000, description="Most occurrences one import may expand to.")
    history_years: int = Field(10, ge=1, le=50, description="How far back an import reaches by default.")
    future_years: int = Field(1, ge=0, le=5, description="How far ahead an import expands recurring events by default.")
    import_seconds: int = Field(180, ge=5, le=3600, description="Longest time one calendar file may take to read and expand before it is refused.")
    import_memory_mb: int = Field(2000, ge=200, le=64000, description="Most memory the dashboard's import of one calendar file may take, in megabytes.")
    focus_block_hours: float = Field(2.0, gt=0, le=12, description="Shortest meeting-free block inside working hours that counts as focus time; shorter ones are fragmented time (Microsoft Workplace Analytics' focus hours; Clockwise's focus time).")
    back_to_back_minutes: float = Field(5.0, ge=0, le=60, description="Meetings less than this many minutes apart are back to back.")
    chunk_hours: float = Field(2.0, gt=0, le=24, description="Shortest block of family or personal time that counts as a chunk rather than a scrap.")
    hide_people: bool = Field(False, description="Leave out the people you spend meeting time with (the Meetings view and `patterns`).")
    holiday_country: str | None = Field(None, description="Country whose public holidays are days off (ISO code, like DE or US; empty: none). Read offline from the holidays package.")
    holiday_subdivision: str | None = Field(None, description="Region of the holiday country (like BY for Bavaria or CA for California; empty: the national holidays only).")
    working_time_cap_hours: float | None = Field(None, ge=0, le=2000, description="Largest balance of hours over your contract you accept; above it a warning shows (empty: no cap).")
    max_event_days: int = Field(92, ge=1, le=3660, description="Longest event kept whole, in days; longer ones are cut to this length with a note.")

    @field_validator("my_addresses", mode="before")
    @classmethod
    def _addresses(cls, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        addresses = normalise_addresses(str(item) for item in items)
        for address in addresses:
            if not ADDRESS.fullmatch(address):
                raise ValueError(f"{address!r} is not an e-mail address (name@example.com)")
        return addresses
    sync_every_minutes: int = Field(30, ge=0, le=10_080, description="The dashboard syncs calendar addresses and CalDAV calendars on open when the last sync is older than this (0: only with Sync now).")
    sync_timeout_seconds: float = Field(30.0, ge=1, le=300, description="How long a sync waits for a calendar server to connect or answer.")

    @field_validator("holiday_country", "holiday_subdivision", mode="before")
    @classmethod
    def _code(cls, value: object) -> str | None:
        text = str(value or "").strip().upper()
        return text or None

    @model_validator(mode="after")
    def _known_holidays(self) -> Settings:
        if self.holiday_country is None:
            if self.holiday_subdivision is not None:
                raise ValueError("a holiday region needs a holiday country")
            return self
        import holidays  # only when a country is set: the catalogue takes a moment to load

        supported = holidays.list_supported_countries()
        if self.holiday_country not in supported:
            raise ValueError(f"{self.holiday_country!r} is not a country the holidays package knows (use an ISO code like DE)")
        regions = supported[self.holiday_country]
        if self.holiday_subdivision is not None and self.holiday_subdivision not in [r.upper() for r in regions]:
            raise ValueError(
                f"{self.holiday_subdivision!r} is not a region of {self.holiday_country} "
                f"(known: {', '.join(regions[:20])}{'…' if len(regions) > 20 else ''})"
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        check_timezone(value)
        return value


def check_timezone(name: str) -> ZoneInfo:
    """Return the zone called `name`, or raise InvalidValueError with a fix-it hint."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidValueError(
            f"unknown time zone {name!r}", hint="Use an IANA name such as Europe/Berlin or America/New_York."
        ) from exc


def settings_problem(payload: str) -> str:
    """Why a stored settings payload cannot be read ("" when it can)."""
    try:
        Settings.model_validate_json(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "the settings"
        return f"{where}: {first.get('msg', 'invalid')}"[:200]
    except BalanceDashError as error:  # the zone check raises our own error inside pydantic
        return str(error)[:200]
    return ""
