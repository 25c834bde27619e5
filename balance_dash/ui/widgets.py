"""Small display pieces shared by pages (metrics, warning lists)."""

from __future__ import annotations

from typing import Literal

import pandas as pd
import streamlit as st

from balance_dash import health, workflows

SEVERITY_ICONS = {"high": "🛑", "caution": "⚠️", "boundary": "🚧", "info": "ℹ️"}


def area_metric(area: str, hours: float, targets: pd.DataFrame, *, days_off_note: str = "") -> None:
    """One area's hours with its target range (pro rata for days off) and the gap to it."""
    low = targets["min_hours"].get(area) if area in targets.index else None
    high = targets["max_hours"].get(area) if area in targets.index else None
    base_low = targets["base_min_hours"].get(area) if "base_min_hours" in targets and area in targets.index else low
    base_high = targets["base_max_hours"].get(area) if "base_max_hours" in targets and area in targets.index else high
    state, gap = workflows.target_gap(hours, low, high)
    delta: str | None = None
    colour: Literal["normal", "inverse", "off"] = "off"
    if high == 0 and (base_high or base_low) and days_off_note:
        state, delta = "days off", "no target: days off"  # every working day off: nothing to meet
    elif state == "under":
        delta, colour = f"{gap:+.1f} h under target", "normal"
    elif state == "over":
        delta, colour = f"{gap:+.1f} h over target", "inverse"
    elif state == "within":
        delta = "on target"
    help_text = f"Target: {health.target_range_text(low, high)}."
    if (base_low, base_high) != (low, high) and days_off_note:
        help_text += f" Your target of {health.target_range_text(base_low, base_high)}, pro rata for {days_off_note}."
    if area == "rest":
        help_text += " Waking rest and recovery that your calendar or log holds; sleep is counted apart."
    st.metric(
        area.capitalize(), f"{hours:.1f} h", delta=delta, delta_color=colour, help=help_text, border=True,
        delta_arrow="auto" if state in ("under", "over") else "off",  # "on target" has no direction
    )


def warning_list(warnings: list[health.HealthWarning]) -> None:
    """Warnings grouped by code, the most severe first; each group names its source once."""
    if not warnings:
        st.success("No warnings for this week.", icon="🌿")
        return
    groups: dict[str, list[health.HealthWarning]] = {}
    for warning in warnings:
        groups.setdefault(warning.code, []).append(warning)
    ranked = sorted(groups.values(), key=lambda group: -max(health.SEVERITY_RANK[w.severity] for w in group))
    for group in ranked:
        worst = max(group, key=lambda w: health.SEVERITY_RANK[w.severity])
        icon = SEVERITY_ICONS.get(worst.severity, "•")
        count = f" · {len(group)} times" if len(group) > 1 else ""
        with st.container(border=True):
            st.markdown(f"{icon} **{worst.severity.capitalize()}** · `{worst.code}`{count}")
            for warning in group:
                st.text(warning.message)  # plain text: messages can quote event titles
            st.caption(f"Source: [{worst.source}]({worst.url})" if worst.url else f"Source: {worst.source}")
