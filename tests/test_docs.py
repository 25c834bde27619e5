"""The README's commands exist: every `balance-dash ...` it shows is run with `--help`, and every
command, subcommand and option it names is one that command has."""

from __future__ import annotations

import re
import shlex

import pytest
import typer

from balance_dash import cli
from tests.support.cli import run_cli
from tests.support.environment import REPO_ROOT

README = REPO_ROOT / "README.md"


def readme_commands() -> list[str]:
    """Every `balance-dash ...` line of the README's code blocks and inline code, without comments."""
    text = README.read_text()
    found: list[str] = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.DOTALL):
        found += [line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("balance-dash ")]
    found += re.findall(r"`(balance-dash [^`]+)`", text)
    return sorted(set(found))


def command_path(words: list[str]) -> tuple[list[str], set[str]]:
    """The (sub)command path `words` name, and the options that command has."""
    command = typer.main.get_command(cli.app)
    path: list[str] = []
    for word in words:
        commands = getattr(command, "commands", {})
        if word not in commands:
            break
        command = commands[word]
        path.append(word)
    assert path or not words or words[0].startswith("-"), f"no command {words[0]!r}"
    options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts) if opt.startswith("-")}
    return path, options | {"--help"}


COMMANDS = readme_commands()


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 20
    assert any(line.startswith("balance-dash caldav add") for line in COMMANDS)


@pytest.mark.parametrize("line", COMMANDS)
def test_each_command_and_option_the_readme_names_exists(capsys, monkeypatch, line):
    words = shlex.split(line.replace("…", "x"))[1:]
    path, options = command_path(words)
    named = {word.split("=")[0] for word in words if word.startswith("--")}
    assert named <= options, f"{line}: no option {sorted(named - options)} on `balance-dash {' '.join(path)}`"
    code, out, err = run_cli(capsys, monkeypatch, *path, "--help")
    assert code == 0, err
    for option in named:
        assert option in out, f"`balance-dash {' '.join(path)} --help` does not show {option}"
