"""One place that turns BalanceDashError into a message on the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from balance_dash.errors import BalanceDashError


@contextmanager
def reported(action: str) -> Iterator[None]:
    """Run a user action; a BalanceDashError becomes `st.error` naming the action."""
    try:
        yield
    except BalanceDashError as error:
        st.error(f"{action} failed: {error}", icon="⚠️")
