"""Rules: place what no rule places with one click, edit the ordered rules, preview one before saving."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from balance_dash.categorize import MATRIX_QUADRANTS
from balance_dash.errors import BalanceDashError
from balance_dash.models import AREAS, RULE_FIELDS
from balance_dash.ui import cached, layout
from balance_dash.ui.feedback import flash, reported
from balance_dash.ui.text import plain
from balance_dash.workflows import rules as rule_workflows

SHOWN_UNCATEGORIZED = 15  # rows with placement buttons; the rest are listed below them
SHOWN_STATE, PLACED_STATE = "rules_rows_shown", "rules_rows_placed"  # the rows as listed on this visit
EDITOR_VERSION = "rules_editor_version"  # a new number gives the editor a fresh key: saved rules, no edits


st.title("Rules")
st.caption(
    "Rules give each event an area. Saving them re-categorises all your history at once, "
    "past weeks included; a series you place by hand keeps its area whatever the rules say."
)

# --- What no rule places --------------------------------------------------------------------
st.subheader("Uncategorized events")
left = cached.uncategorized()


def _row_key(source_id: int, title: str) -> str:
    return hashlib.sha256(f"{source_id}\x00{title}".encode()).hexdigest()[:12]


# The rows keep the places they had when the page opened: a placed row stays where it was, marked
# placed, so the row under the pointer never changes after a click. A new visit lists afresh.
if layout.new_visit("rules") or SHOWN_STATE not in st.session_state:
    st.session_state[SHOWN_STATE] = left.head(SHOWN_UNCATEGORIZED).to_dict("records")
    st.session_state[PLACED_STATE] = {}
shown: list[dict[str, Any]] = st.session_state[SHOWN_STATE]
placed_here: dict[str, str] = st.session_state[PLACED_STATE]
still_left = {_row_key(int(s), str(t)) for s, t in zip(left["source_id"], left["title"], strict=True)}
if not cached.has_data():
    st.info("Nothing imported yet. Import a calendar, or load the sample calendar, to see what the rules catch.")
elif left.empty and not shown:
    st.success("Every event has an area.", icon="🌿")
else:
    if left.empty:
        st.success("Every event has an area.", icon="🌿")
    else:
        st.caption(
            f"{len(left)} {'event' if len(left) == 1 else 'events'} that no rule places, most hours first. "
            "One click places the whole series "
            "in an area; the choice survives re-imports."
        )
    for row in shown:
        source_id, title = int(row["source_id"]), str(row["title"])
        key = _row_key(source_id, title)
        with st.container(border=True, key=f"uncategorized-{key}"):
            about, *buttons = st.columns([3.2, 1, 1, 1, 1], vertical_alignment="center")
            with about:
                st.text(title or "(no title)")  # plain text: titles come from other people's invitations
                st.text(f"{row['source']} · {row['occurrences']}× · {row['hours']:.1f} h")
            if key in placed_here or key not in still_left:
                # The same buttons, disabled, the chosen one marked: the row keeps its height at any width.
                placed_in = placed_here.get(key)
                for column, area in zip(buttons, AREAS, strict=True):
                    column.button(f"✅ {area.capitalize()}" if area == placed_in else area.capitalize(),
                                  key=f"placed-{key}-{area}", width="stretch", disabled=True,
                                  type="primary" if area == placed_in else "secondary",
                                  help=f"Placed in {placed_in}" if placed_in else "It has an area now")
                continue
            for column, area in zip(buttons, AREAS, strict=True):
                if column.button(area.capitalize(), key=f"place-{key}-{area}", width="stretch",
                                 help=plain(f"Place every “{title}” of this calendar in {area}")):
                    with reported("Placing the series"):
                        placed = rule_workflows.place_series(
                            cached.engine(), source_id=source_id, title=title, area=area
                        )
                        placed_here[key] = area
                        flash(f"Placed “{title}” of {row['source']} in {area}: "
                              f"{placed} {'event' if placed == 1 else 'events'} with this title, past and future")
                        st.rerun()
    listed = {_row_key(int(row["source_id"]), str(row["title"])) for row in shown}
    more = left[[_row_key(int(s), str(t)) not in listed for s, t in zip(left["source_id"], left["title"], strict=True)]]
    if len(more):
        with st.expander(f"{len(more)} more, with fewer hours"):
            st.dataframe(more.drop(columns="source_id"), hide_index=True, width="stretch")

# --- The rule editor ------------------------------------------------------------------------
st.subheader("Your rules")
st.caption(
    "Tried from the top; the first enabled rule that matches decides. Plain words match at the start of a "
    "word (\"meet\" catches \"Meeting\"); tick regex for a Python regular expression. Both ignore case. "
    "Change the numbers in # to reorder, add a row at the bottom, select rows to delete them."
)
version = st.session_state.setdefault(EDITOR_VERSION, 0)
editor_key = f"rules_editor_{version}"
edited = st.data_editor(
    cached.rules(),
    key=editor_key,
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    height=460,
    # What a rule matches and where it puts it come first: on a phone they are what fits.
    column_order=["position", "pattern", "area", "enabled", "field", "is_regex", "marks_day_off", "matrix"],
    column_config={
        "position": st.column_config.NumberColumn(
            "#", min_value=1, step=1, width="small", help="Order: the first matching rule wins. Change it to move the rule."
        ),
        "enabled": st.column_config.CheckboxColumn("on", default=True, width="small"),
        "field": st.column_config.SelectboxColumn("field", options=list(RULE_FIELDS), default="title", required=True),
        "pattern": st.column_config.TextColumn("pattern", required=True, max_chars=400, width="medium"),
        "is_regex": st.column_config.CheckboxColumn("regex", default=False, width="small"),
        "area": st.column_config.SelectboxColumn("area", options=list(AREAS), required=True),
        "marks_day_off": st.column_config.CheckboxColumn(
            "day off", default=False, width="small", help="An all-day event it catches marks a day off (vacation, sick)."
        ),
        "matrix": st.column_config.SelectboxColumn(
            "priority", options=list(MATRIX_QUADRANTS), width="medium",
            help="The priority matrix: tag what the rule catches as important and/or urgent (empty: no tag). "
                 "Trends shows the hours per quadrant; This week the share of work that was urgent, not important.",
        ),
        "was": None,
    },
)
changes: dict[str, Any] = st.session_state.get(editor_key) or {}
changed = any(changes.get(kind) for kind in ("edited_rows", "added_rows", "deleted_rows"))
actions = st.container(horizontal=True, vertical_alignment="center")
save_clicked = actions.button("Save rules", type="primary", disabled=not changed)
discard_clicked = actions.button("Discard changes", disabled=not changed)
if changed:
    actions.caption("Unsaved changes: preview them below, then save.")
if save_clicked:
    try:
        count = rule_workflows.save_rules(cached.engine(), edited)
    except BalanceDashError as error:
        st.error("Nothing was saved. Fix this rule and save again:", icon="⚠️")
        st.code(str(error), language=None, wrap_lines=True)
    else:
        st.session_state[EDITOR_VERSION] = version + 1
        st.session_state.pop(SHOWN_STATE, None)  # other rules, another list
        flash(f"Saved {count} rules; every week is re-categorised")
        st.rerun()
if discard_clicked:
    st.session_state[EDITOR_VERSION] = version + 1
    st.rerun()

# --- Preview --------------------------------------------------------------------------------
st.subheader("Preview a rule")
if edited.empty:
    st.info("There are no rules. Add one above, or restore the default rules below.")
else:
    rows = list(range(len(edited)))
    touched = [*(len(edited) - 1 - i for i in range(len(changes.get("added_rows") or []))),
               *(int(i) for i in (changes.get("edited_rows") or {}))]
    records = [{str(k): v for k, v in record.items()} for record in edited.to_dict("records")]

    def describe(index: int) -> str:
        rule = records[index]
        number = rule.get("position")
        label = f"{int(number)}" if isinstance(number, int | float) and number == number else "new"
        return f"{label} · {rule.get('field') or 'title'} · {rule.get('pattern') or '(empty)'} → {rule.get('area') or '?'}"

    choice = st.selectbox(
        "Rule", rows, index=touched[0] if touched and touched[0] < len(rows) else 0, format_func=describe,
        help="Shows what this rule catches on its own, with your unsaved changes, in all your events.",
    )
    chosen = records[choice]
    number = chosen.get("position")
    try:
        caught = rule_workflows.preview(
            cached.scope(),
            {**chosen, "position": int(number) if isinstance(number, int | float) and number == number else choice + 1},
        )
    except BalanceDashError as error:
        st.error("This rule cannot be used yet:", icon="⚠️")
        st.code(str(error), language=None, wrap_lines=True)
    else:
        events, occurrences = st.columns(2)
        events.metric("Distinct events it catches", len(caught))
        occurrences.metric("Occurrences", int(caught["occurrences"].sum()) if len(caught) else 0)
        if len(caught):
            st.dataframe(
                caught[["title", "source_name", "location", "occurrences"]].rename(columns={"source_name": "calendar"}),
                hide_index=True, width="stretch", height=min(400, 38 + 35 * len(caught)),
            )
        else:
            st.caption("It catches nothing in your events yet.")

# --- Defaults -------------------------------------------------------------------------------
with st.expander("Restore the default rules"):
    st.write(
        "Replaces all your rules with the ones balance-dash ships (English words for meetings, family, "
        "sport, vacations and more). Series you placed by hand keep their areas."
    )
    confirm = st.checkbox("Yes, replace my rules with the defaults")
    if st.button("Restore default rules", disabled=not confirm):
        with reported("Restoring the default rules"):
            restored = rule_workflows.restore_default_rules(cached.engine())
            st.session_state[EDITOR_VERSION] = version + 1
            st.session_state.pop(SHOWN_STATE, None)
            flash(f"Restored {restored} default rules")
            st.rerun()
