"""The facade both front-ends call: one function per thing a user does.

Each function does orchestration only: read through `store`, compute with the pure modules
(`ingest`, `categorize`, `analytics`, `health`, `targets`), write through `store`. Every read
takes a `Scope` first; writes take the engine. The submodules group the workflows by what they
are about; this package exports the common ones by name, with the few types and words the
front-ends print with (`Settings`, `range_text`, `printable`), so that they need nothing else.
"""

from sqlalchemy.engine import Engine

from balance_dash.plain_text import capped, printable
from balance_dash.settings import Settings
from balance_dash.store import DEFAULT_DB_URL, default_db_url
from balance_dash.store import open_engine as open_database
from balance_dash.targets import range_text
from balance_dash.wording import NOT_COUNTED_WORDS
from balance_dash.workflows.balance import (
    HOUR_COLUMNS,
    Balance,
    balance,
    categorized_occurrences,
    summary_document,
    target_gap,
)
from balance_dash.workflows.calendars import (
    SAMPLE_CALENDAR,
    SAMPLE_SOURCE_NAME,
    ImportReport,
    check_size,
    import_calendar,
    load_sample,
    set_source_area,
)
from balance_dash.workflows.common import local_midnight_utc, parse_iso_week, resolve_zone, week_start_of
from balance_dash.workflows.logs import (
    MANUAL_SOURCE_NAME,
    RULES_DECIDE,
    LogImportReport,
    delete_entries,
    edit_entries,
    import_log_csv,
    log_time,
    manual_entries,
)
from balance_dash.workflows.preferences import propose_my_addresses, set_setting, set_target, set_targets
from balance_dash.workflows.scope import Scope

__all__ = [
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
