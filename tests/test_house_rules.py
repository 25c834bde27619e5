"""The house rules that a test can keep: no Streamlit below the UI, the public names, the shipped
Streamlit settings, and front-ends that reach the core through `workflows` only."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import tomllib

import balance_dash
from balance_dash import workflows
from balance_dash.workflows import serve
from tests.support.environment import REPO_ROOT

PACKAGE = REPO_ROOT / "balance_dash"


def core_modules() -> list[str]:
    """Every module of the package outside `ui/` (migrations are alembic scripts, not imports)."""
    names = ["balance_dash"]
    for module in pkgutil.walk_packages([str(PACKAGE)], prefix="balance_dash."):
        if not module.name.startswith(("balance_dash.ui", "balance_dash.migrations")):
            names.append(module.name)
    return sorted(names)


def test_the_core_imports_without_streamlit():
    modules = core_modules()
    assert {"balance_dash.cli", "balance_dash.store", "balance_dash.workflows.scope", "balance_dash.health"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(name for name in sys.modules if name == 'streamlit' or name.startswith('streamlit.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]", "a module outside balance_dash/ui imports Streamlit"


def test_the_public_names_are_pinned():
    assert balance_dash.__all__ == ["BalanceDashError", "__version__"]
    assert workflows.__all__ == [
        "DEFAULT_DB_URL",
        "HOUR_COLUMNS",
        "MANUAL_SOURCE_NAME",
        "NOT_COUNTED_WORDS",
        "RULES_DECIDE",
        "SAMPLE_CALENDAR",
        "SAMPLE_SOURCE_NAME",
        "Balance",
        "Engine",
        "ImportReport",
        "LogImportReport",
        "Scope",
        "Settings",
        "balance",
        "capped",
        "categorized_occurrences",
        "check_size",
        "default_db_url",
        "delete_entries",
        "edit_entries",
        "import_calendar",
        "import_log_csv",
        "load_sample",
        "local_midnight_utc",
        "log_time",
        "manual_entries",
        "open_database",
        "parse_iso_week",
        "printable",
        "propose_my_addresses",
        "range_text",
        "resolve_zone",
        "set_setting",
        "set_source_area",
        "set_target",
        "set_targets",
        "summary_document",
        "target_gap",
        "week_start_of",
    ]
    for name in workflows.__all__:
        assert hasattr(workflows, name), name


def test_serve_passes_the_checkouts_streamlit_settings():
    """`.streamlit/config.toml` (a checkout's `streamlit run app.py`) and the settings `serve` passes
    as flags (`balance_dash/ui/streamlit.toml`, shipped in the wheel) are the same."""
    checkout = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert serve.streamlit_settings() == checkout
    flags = serve.streamlit_flags(checkout)
    assert flags[flags.index("--server.address") + 1] == "localhost"
    assert flags[flags.index("--browser.gatherUsageStats") + 1] == "false"
    hosts = [flags[i + 1] for i, flag in enumerate(flags) if flag == "--server.allowedHosts"]
    assert hosts == ["localhost", "127.0.0.1", "::1"]
    assert "--theme.dark.primaryColor" in flags and "--client.toolbarMode" in flags
    command, env = serve.server_command("sqlite://", 8765)
    assert command[command.index("run") + 1].endswith("balance_dash/ui/app.py")
    assert command[-2:] == ["--server.port", "8765"] and "--server.port" not in command[:-2]
    assert env["BALANCE_DASH_DB"] == "sqlite://"


# What the CLI may import: the facade, the error tree, typer (with the click and rich it is made
# of) and the standard library.
CLI_ALLOWED = {"balance_dash.workflows", "balance_dash.errors", "typer", "click", "rich"}


def imported_modules(path: str) -> set[str]:
    tree = ast.parse((PACKAGE / path).read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} if node.module == "balance_dash" else {node.module}
    return found


def test_the_cli_imports_only_the_facade_and_the_error_tree():
    outside = {
        name for name in imported_modules("cli.py")
        if name.split(".")[0] not in sys.stdlib_module_names
        and not any(name == allowed or name.startswith(f"{allowed}.") for allowed in CLI_ALLOWED)
    }
    assert outside == set()


def test_the_pages_write_through_the_facade():
    """No page or UI helper reaches the store itself; only `ui/cached.py` opens the engine and
    reads the data revision (the cache key)."""
    ui_files = sorted((PACKAGE / "ui").rglob("*.py"))
    assert len(ui_files) > 10
    reaching = {
        str(path.relative_to(PACKAGE)) for path in ui_files
        if path.name != "cached.py"
        and any(name == "balance_dash.store" or name.startswith("balance_dash.store.")
                for name in imported_modules(str(path.relative_to(PACKAGE))))
    }
    assert reaching == set()
