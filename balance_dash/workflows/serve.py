"""Serving the dashboard: the Streamlit command `balance-dash serve` runs, from any folder.

The entry point (`balance_dash/ui/app.py`) and Streamlit's settings (`balance_dash/ui/streamlit.toml`,
the same as a checkout's `.streamlit/config.toml`) ship inside the package. Streamlit reads a
config.toml only from the working folder and the user's home, so the settings are passed as
command-line flags: they hold wherever `serve` runs (see docs/safety.md).
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

from balance_dash import store

APP_SCRIPT = resources.files("balance_dash") / "ui" / "app.py"
STREAMLIT_CONFIG = resources.files("balance_dash") / "ui" / "streamlit.toml"


def streamlit_settings() -> dict[str, Any]:
    """The shipped Streamlit settings, as nested tables."""
    return tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))


def streamlit_flags(settings: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Streamlit command-line flags for nested settings: `--server.address localhost`; a list
    repeats its flag once per item; true and false are written as Streamlit reads them."""
    flags: list[str] = []
    for name, value in settings.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flags += streamlit_flags(value, prefix=f"{key}.")
        elif isinstance(value, list):
            for item in value:
                flags += [f"--{key}", str(item)]
        else:
            flags += [f"--{key}", str(value).lower() if isinstance(value, bool) else str(value)]
    return flags


def server_command(db: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The command and environment that start the dashboard on localhost:`port` against `db`.

    The database is opened first, so a bad URL or schema fails here, with a message.
    """
    store.open_engine(db)
    settings = streamlit_settings()
    settings["server"] = {name: value for name, value in settings.get("server", {}).items() if name != "port"}
    command = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), *streamlit_flags(settings),
               "--server.port", str(port)]
    return command, {**os.environ, "BALANCE_DASH_DB": db}
