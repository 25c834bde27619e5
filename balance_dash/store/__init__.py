"""The only package that opens sessions or writes SQL.

It makes the engine (SQLite in WAL mode by default, any SQLAlchemy URL otherwise), keeps the
schema at the alembic head, and hands out models or DataFrames, never a live session. Each
write is one short transaction.

    engine       the engine, the schema and its migrations, the data revision
    occurrences  calendar sources, their occurrences and import runs
    records      settings, targets, rules, placements, boundaries, journal entries, live sources
    backup       backup and restore

Callers use the names below (`store.load_occurrences(...)`), never a submodule.
"""

from balance_dash.store.backup import (
    RESTORE_SECONDS,
    SQLITE_HEADER,
    backup_sqlite,
    dump_tables,
    read_backup,
    replace_all_rows,
    restore_sqlite,
)
from balance_dash.store.engine import (
    DEFAULT_DB_URL,
    MIGRATIONS,
    _alembic_config,
    data_revision,
    make_engine,
    migrate,
    open_engine,
    schema_state,
    utc,
)
from balance_dash.store.occurrences import (
    ATTENDANCE_DEFAULTS,
    CONTENT,
    IDENTITY,
    ReplaceCounts,
    ReplaceScope,
    append_occurrences,
    count_occurrences,
    delete_occurrences,
    delete_source,
    fingerprints,
    load_coverage,
    load_import_runs,
    load_occurrences,
    load_sources,
    occurrence_frame,
    replace_occurrences,
    update_entries,
    update_source,
)
from balance_dash.store.records import (
    check_area,
    load_boundaries,
    load_journal,
    load_journals,
    load_live_source,
    load_live_sources,
    load_placements,
    load_rules,
    load_settings,
    load_targets,
    place,
    place_many,
    replace_rules,
    save_boundary,
    save_journal,
    save_live_state,
    save_settings,
    save_target,
)

__all__ = [
    "ATTENDANCE_DEFAULTS",
    "CONTENT",
    "DEFAULT_DB_URL",
    "IDENTITY",
    "MIGRATIONS",
    "RESTORE_SECONDS",
    "SQLITE_HEADER",
    "ReplaceCounts",
    "ReplaceScope",
    "_alembic_config",
    "append_occurrences",
    "backup_sqlite",
    "check_area",
    "count_occurrences",
    "data_revision",
    "delete_occurrences",
    "delete_source",
    "dump_tables",
    "fingerprints",
    "load_boundaries",
    "load_coverage",
    "load_import_runs",
    "load_journal",
    "load_journals",
    "load_live_source",
    "load_live_sources",
    "load_occurrences",
    "load_placements",
    "load_rules",
    "load_settings",
    "load_sources",
    "load_targets",
    "make_engine",
    "migrate",
    "occurrence_frame",
    "open_engine",
    "place",
    "place_many",
    "read_backup",
    "replace_all_rows",
    "replace_occurrences",
    "replace_rules",
    "restore_sqlite",
    "save_boundary",
    "save_journal",
    "save_live_state",
    "save_settings",
    "save_target",
    "schema_state",
    "update_entries",
    "update_source",
    "utc",
]
