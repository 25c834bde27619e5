"""The CLI speaks in words: help without type tags, the summary table within 80 columns with
whole headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer

from balance_dash import cli

COMMANDS = sorted(typer.main.get_command(cli.app).commands)  # type: ignore[attr-defined]


def run_cli(*args: str) -> str:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run([sys.executable, "-m", "balance_dash.cli", *args], capture_output=True, text=True, env=env,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_no_type_tags(command):
    text = run_cli(*([command] if command else []), "--help")
    assert "Usage:" in text
    for tag in ("<bool>", "<str>", "<int>", "<float>", "<path>", "list[Path]", "<list"):
        assert tag not in text, (command, tag)


def test_the_summary_fits_80_columns_with_whole_headers(seeded_url):
    text = run_cli("summary", "--db", seeded_url, "--from", "2026-11-02", "--to", "2026-12-13")
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("week"))
    assert header.split() == [
        "week", "work", "family", "personal", "rest", "uncategorized", "two", "areas", "unaccounted", "sleep"
    ]
    table = [line for line in lines if not line.startswith("  [")]  # warning lines wrap as the terminal likes
    assert max(len(line) for line in table) <= 80, max(table, key=len)
    assert any(line.startswith("2026-W46 ") for line in lines)


def test_summary_lines_keep_a_sleep_column_within_80_columns():
    week = {"week": "2026-W49", "scheduled": True, "warnings": [],
            "hours": dict.fromkeys(["work", "family", "personal", "rest", "uncategorized", "integration", "unaccounted", "sleep"], 123.4)}
    lines = cli.summary_lines({"weeks": [week]})
    assert lines[0].split()[-1] == "sleep" and lines[1].startswith("2026-W49*")
    assert max(len(line) for line in lines[:2]) <= 80
    assert lines[-1].startswith("* scheduled")
