"""Facts about the machine the tests run on, and what to do when a needed tool is missing."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def running_in_ci() -> bool:
    """True when the CI variable is set to anything but an explicit 'no'."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(reason: str) -> NoReturn:
    """Skip the test on a developer's machine, fail it in CI: CI must never skip silently."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tail(path: Path, lines: int = 60) -> str:
    """The last `lines` lines of a log file, or a note that it does not exist."""
    if not path.exists():
        return f"({path} was never written)"
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:]) or f"({path} is empty)"
