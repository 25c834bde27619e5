"""One place that turns BalanceDashError into a message on the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from balance_dash.errors import BalanceDashError
from balance_dash.ui.text import plain


@contextmanager
def reported(action: str) -> Iterator[None]:
    """Run a user action; a BalanceDashError becomes `st.error` naming the action."""
    try:
        yield
    except BalanceDashError as error:
        st.error(plain(f"{action} failed: {error}"), icon="⚠️")


_PENDING = "_flash_messages"


def flash(message: str, *, icon: str = "✅") -> None:
    """Confirm a write with a toast that survives the `st.rerun()` that usually follows it.

    The message is shown as plain text (`ui.text.plain`): it may name a calendar or a file.

    A toast shown just before a rerun is often wiped by it; the message waits in the session
    instead and `show_flashes` (called by app.py on every run) shows it on the next one.
    """
    st.session_state.setdefault(_PENDING, []).append((plain(message), icon))


def show_flashes() -> None:
    for message, icon in st.session_state.pop(_PENDING, []):
        st.toast(message, icon=icon)
