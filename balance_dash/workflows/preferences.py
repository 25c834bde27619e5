"""Settings and targets, read and changed one at a time: what `balance-dash settings` and
`balance-dash targets` do, and the Import page's "who are you" proposal."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine

from balance_dash import attendance, health, store, targets
from balance_dash.errors import InvalidValueError
from balance_dash.models import AREAS
from balance_dash.settings import WEEKDAY_NAMES, Settings, Thresholds


@dataclass(frozen=True)
class SettingLine:
    """One setting as the CLI lists it."""

    name: str  # "sleep_start", or "thresholds.week_caution_hours"
    value: str  # as it can be typed back into `settings set`
    help: str


def _fields() -> dict[str, tuple[type[BaseModel], str, str]]:
    """Every settable name -> (model, field name, help)."""
    found: dict[str, tuple[type[BaseModel], str, str]] = {}
    for name, info in Settings.model_fields.items():
        if name == "thresholds":
            continue
        found[name] = (Settings, name, info.description or "")
    for name, info in Thresholds.model_fields.items():
        found[name] = (Thresholds, name, info.description or "")
    return found


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    if hasattr(value, "strftime") and not isinstance(value, date):
        return str(value.strftime("%H:%M"))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def list_settings(engine: Engine) -> list[SettingLine]:
    """Every setting with its value and help, in the order the settings define them."""
    settings = store.load_settings(engine)
    lines = []
    for name, (model, field, text) in _fields().items():
        holder: BaseModel = settings.thresholds if model is Thresholds else settings
        value = getattr(holder, field)
        shown = _shown(value)
        if name == "rest_days":
            text += " Type day names or numbers: 'saturday, sunday' or '5,6'."
            shown = ", ".join(WEEKDAY_NAMES[int(day)] for day in value)
        lines.append(SettingLine(name, shown, text))
    return lines


_YES = {"yes", "true", "on", "1"}
_NO = {"no", "false", "off", "0"}


def _parse(name: str, text: str) -> Any:
    """The typed value of `text` for setting `name` (pydantic validates it after)."""
    cleaned = text.strip()
    if name in ("sleep_enabled",):
        if cleaned.lower() in _YES:
            return True
        if cleaned.lower() in _NO:
            return False
        raise InvalidValueError(f"setting {name}: {text!r} is not yes or no")
    if name == "rest_days":
        if not cleaned:
            return ()
        days = []
        for part in cleaned.replace(";", ",").split(","):
            word = part.strip().lower()
            names = [day.lower() for day in WEEKDAY_NAMES]
            matches = [index for index, day in enumerate(names) if word and day.startswith(word)]
            if word.isdigit():
                days.append(int(word))
            elif len(matches) == 1:
                days.append(matches[0])
            else:
                raise InvalidValueError(f"setting rest_days: {part.strip()!r} is not a day of the week")
        return tuple(sorted(set(days)))
    if name == "timezone":
        return cleaned or None
    if name == "my_addresses":
        return cleaned
    if name == "week_starts_on":
        return cleaned.lower()
    return cleaned


def set_setting(engine: Engine, name: str, text: str) -> SettingLine:
    """Change one setting from its typed text; a wrong name or value raises InvalidValueError."""
    known = _fields()
    if name not in known:
        close = [candidate for candidate in known if name.lower() in candidate]
        hint = f"Did you mean {', '.join(close)}?" if close else "balance-dash settings lists every name."
        raise InvalidValueError(f"there is no setting called {name!r}", hint=hint)
    model, field, _ = known[name]
    settings = store.load_settings(engine)
    value = _parse(name, text)
    try:
        if model is Thresholds:
            thresholds = Thresholds.model_validate({**settings.thresholds.model_dump(), field: value})
            updated = Settings.model_validate({**settings.model_dump(), "thresholds": thresholds.model_dump()})
        else:
            updated = Settings.model_validate({**settings.model_dump(), field: value})
    except ValidationError as exc:
        problem = exc.errors()[0]
        reason = str(problem.get("msg", "invalid value")).removeprefix("Value error, ")
        raise InvalidValueError(f"setting {name}: {text!r} is not accepted ({reason})") from exc
    store.save_settings(engine, updated)
    return next(line for line in list_settings(engine) if line.name == name)


def settings_document(engine: Engine) -> dict[str, Any]:
    """The settings as JSON-ready values."""
    return json.loads(store.load_settings(engine).model_dump_json())  # type: ignore[no-any-return]


@dataclass(frozen=True)
class TargetLine:
    area: str
    min_hours: float | None
    max_hours: float | None
    effective_from: date | None
    text: str  # as `targets.range_text` words it


def targets_in_force(engine: Engine, on: date) -> list[TargetLine]:
    """The target of each area in force on `on`, as set (not pro-rated)."""
    frame = targets.in_force_on(store.load_targets(engine), on)
    lines = []
    for row in frame.to_dict("records"):
        low = None if pd.isna(row["min_hours"]) else float(row["min_hours"])
        high = None if pd.isna(row["max_hours"]) else float(row["max_hours"])
        since = None if pd.isna(row["effective_from"]) else pd.Timestamp(row["effective_from"]).date()
        lines.append(TargetLine(str(row["area"]), low, high, since, targets.range_text(low, high)))
    return lines


def parse_target_range(text: str) -> tuple[float | None, float | None]:
    """'35-45' -> (35, 45); '14-' -> (14, None); '-48' -> (None, 48); '-' or '' -> (None, None)."""
    cleaned = text.strip().replace("–", "-").replace(" ", "").removesuffix("h")
    if cleaned in ("", "-", "none"):
        return None, None
    low_text, dash, high_text = cleaned.partition("-")
    if not dash:
        low_text = high_text = cleaned  # a single figure: exactly that many hours
    try:
        low = float(low_text) if low_text else None
        high = float(high_text) if high_text else None
    except ValueError as exc:
        raise InvalidValueError(
            f"{text!r} is not a target range", hint="Write it like 35-45, 14- (at least 14) or -48 (at most 48)."
        ) from exc
    for bound in (low, high):
        if bound is not None and not 0 <= bound <= 168:
            raise InvalidValueError(f"{text!r}: a weekly target must lie between 0 and 168 hours")
    targets.check_range(repr(text.strip()), low, high)
    return low, high


def set_target(engine: Engine, area: str, text: str, *, effective_from: date) -> TargetLine:
    """Set one area's weekly target range from `effective_from` on."""
    if area not in AREAS:
        raise InvalidValueError(f"{area!r} is not an area", hint=f"Use one of {', '.join(AREAS)}.")
    low, high = parse_target_range(text)
    store.save_target(engine, area=area, min_hours=low, max_hours=high, effective_from=effective_from)
    return next(line for line in targets_in_force(engine, effective_from) if line.area == area)


def set_targets(
    engine: Engine, ranges: Mapping[str, tuple[float | None, float | None]], *, effective_from: date
) -> list[TargetLine]:
    """Set the ranges of several areas from `effective_from` on, in one transaction (the Targets
    page's Save): every range is checked first, and a refused one leaves every target as it was."""
    for area, (low, high) in ranges.items():
        if area not in AREAS:
            raise InvalidValueError(f"{area!r} is not an area", hint=f"Use one of {', '.join(AREAS)}.")
        for bound in (low, high):
            if bound is not None and not 0 <= bound <= 168:
                raise InvalidValueError(f"{area}: a weekly target must lie between 0 and 168 hours (got {bound:g})")
        targets.check_range(area, low, high)
    store.save_targets(engine, ranges, effective_from=effective_from)
    return targets_in_force(engine, effective_from)


def save_settings(engine: Engine, settings: Settings) -> None:
    """Replace the saved settings (the Targets page's forms; already checked by `Settings`)."""
    store.save_settings(engine, settings)


def apply_preset(engine: Engine, preset: str) -> Settings:
    """Replace the warning thresholds with a preset's (`health.PRESETS`); the other settings stay."""
    if preset not in health.PRESETS:
        raise InvalidValueError(f"there is no preset called {preset!r}", hint=f"Choose one of {', '.join(health.PRESETS)}.")
    updated = store.load_settings(engine).model_copy(update={"thresholds": health.PRESETS[preset]})
    store.save_settings(engine, updated)
    return updated


def set_thresholds(engine: Engine, thresholds: Thresholds) -> Settings:
    """Replace the warning thresholds; the other settings stay."""
    updated = store.load_settings(engine).model_copy(update={"thresholds": thresholds})
    store.save_settings(engine, updated)
    return updated


def propose_my_addresses(engine: Engine) -> list[str]:
    """The addresses the calendars suggest are the user's own (see `attendance.propose_addresses`)."""
    occurrences = store.load_occurrences(engine, with_description=False)
    names = store.load_sources(engine)["name"].astype(str).tolist()
    return attendance.propose_addresses(occurrences, calendar_names=names)
