"""The terminal gets plain text, bounded lines and never a traceback (issue 11)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import hostile
from tests.support.cli import run_cli
from tests.test_cli import table_counts

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m"


def test_titles_and_names_reach_the_terminal_without_control_characters(capsys, monkeypatch, tmp_path, sqlite_url):
    body = hostile.event("a", title=f"Plan{ESCAPES}ning meeting", start="20261116T090000Z", end="20261116T230000Z")
    path = tmp_path / "esc.ics"
    path.write_bytes(hostile.calendar(body, name=f"Work{ESCAPES}"))
    code, out, err = run_cli(capsys, monkeypatch, "import", "--db", sqlite_url, str(path))
    assert code == 0, err
    assert "esc.ics -> 'Work" in out
    for character in ("\x1b", "\x07", "\x9b"):
        assert character not in out + err
    code, out, err = run_cli(capsys, monkeypatch, "review", "--db", sqlite_url, "--week", "2026-W47", "--tz", "UTC")
    assert code == 0, err
    assert "Plan[2J]0;pwned31mning" in out
    assert not any(character in out + err for character in ("\x1b", "\x07", "\x9b"))


def test_a_huge_bad_line_gives_a_short_error_line(capsys, monkeypatch, tmp_path, sqlite_url):
    path = tmp_path / "huge.ics"
    path.write_text("X" * 10_000_000 + "\r\n")
    code, out, err = run_cli(capsys, monkeypatch, "import", "--db", sqlite_url, str(path))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("error: huge.ics line 1: this is not an iCalendar file")
    assert len(err) < 600


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("foo://bar", "'foo' is not a kind of database balance-dash can use"),
        ("not a url", "is not a database URL"),
        ("sqlite:////proc/balance-dash/x.db", "the folder /proc/balance-dash does not exist"),
        ("sqlite:////proc/version", "cannot open the database: unable to open database file"),
    ],
)
def test_every_db_mistake_is_one_line_and_exit_code_2(capsys, monkeypatch, url, words):
    code, out, err = run_cli(capsys, monkeypatch, "summary", "--db", url)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert words in err
    assert "Traceback" not in err


def test_a_non_sqlite_file_is_one_line_and_left_alone(capsys, monkeypatch, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    code, _out, err = run_cli(capsys, monkeypatch, "summary", "--db", f"sqlite:///{notes}")
    assert code == 2
    assert err.startswith("error: cannot open the database: file is not a database")
    assert notes.read_text() == "my notes\n"


def test_a_read_only_database_is_one_line(capsys, monkeypatch, tmp_path, sqlite_url):
    run_cli(capsys, monkeypatch, "summary", "--db", sqlite_url, "--tz", "UTC")
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    code, _out, err = run_cli(capsys, monkeypatch, "summary", "--db", f"sqlite:///file:{path}?mode=ro&uri=true", "--tz", "UTC")
    assert code == 0, err  # reading a database at the current schema needs no write
    fresh = tmp_path / "fresh.db"
    fresh.touch()
    code, _out, err = run_cli(capsys, monkeypatch, "summary", "--db", f"sqlite:///file:{fresh}?mode=ro&uri=true", "--tz", "UTC")
    assert code == 2
    assert err.startswith("error: cannot open the database: attempt to write a readonly database"), err
    assert err.count("\n") == 1


def test_a_csv_above_the_size_limit_is_refused_before_it_is_read(tmp_path, sqlite_url):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(1024 * 1024 * 1024)  # sparse: 1 GB of size, no memory or disk
    before = table_counts(sqlite_url) if Path(sqlite_url.removeprefix("sqlite:///")).exists() else None
    script = (
        "import resource, sys\n"
        "from balance_dash.cli import main\n"
        "sys.argv = ['balance-dash', 'log', '--db', sys.argv[1], '--csv', sys.argv[2]]\n"
        "try:\n    main()\nexcept SystemExit as done:\n"
        "    print(done.code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, sqlite_url, str(path)], capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("error: big.csv: the file is 1024.0 MB, above the limit of 200 MB"), lines
    code, peak_mb = lines[-1].split()
    assert code == "1"
    assert int(peak_mb) < 600  # the interpreter and its libraries (about 280 MB), not the file
    assert before is None or table_counts(sqlite_url) == before
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss > 0
