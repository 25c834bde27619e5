"""Where calendar addresses and passwords are kept: the system keyring, where there is one.

The `keyring` library reaches the desktop's store (Secret Service on Linux, the macOS
Keychain, Windows Credential Locker). Where none is usable (a server, a container, CI) the
secret stays in the database's `live_source.secret` column instead, the front-ends say so, and
backups leave that column out unless the user asks for it.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors

SERVICE = "balance-dash"


def keyring_available() -> bool:
    """True when the active keyring backend really stores secrets (not the fail or null backend)."""
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    try:
        return float(backend.priority) > 0  # type: ignore[attr-defined,unused-ignore]
    except Exception:  # a backend whose priority itself fails is not usable
        return False


@dataclass(frozen=True)
class Kept:
    """Where a secret went: `ref` names the keyring entry; `in_database` holds it otherwise."""

    ref: str
    in_keyring: bool
    in_database: str | None


def keep(secret: str, *, ref: str | None = None) -> Kept:
    """Put `secret` in the keyring under a fresh (or the given) name, or hand it back for the database."""
    name = ref or uuid.uuid4().hex
    if keyring_available():
        try:
            keyring.set_password(SERVICE, name, secret)
            return Kept(ref=name, in_keyring=True, in_database=None)
        except keyring.errors.KeyringError:
            pass  # a locked or refusing keyring: fall back to the database, and say so
    return Kept(ref=name, in_keyring=False, in_database=secret)


def read(ref: str, *, in_keyring: bool, in_database: str | None) -> str | None:
    """The secret, from wherever `keep` put it; None when it is gone (e.g. restored from a backup)."""
    if not in_keyring:
        return in_database
    try:
        return keyring.get_password(SERVICE, ref)
    except keyring.errors.KeyringError:
        return None


def forget(ref: str, *, in_keyring: bool) -> None:
    """Remove a secret from the keyring (nothing to do for one kept in the database)."""
    if not in_keyring or not ref:
        return
    # Already gone, or no keyring now: nothing is left to remove.
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, ref)
