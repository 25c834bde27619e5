"""Running the `balance-dash` command in-process, through its real entry point."""

from __future__ import annotations

import sys

import pytest

from balance_dash import cli


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """`balance-dash ARGS`: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["balance-dash", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
