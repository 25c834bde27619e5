"""The facade both front-ends call: one function per thing a user does.

Each function does orchestration only: read through `store`, compute with the pure modules
(`ingest`, `categorize`, `analytics`, `health`), write through `store`. The submodules group the
workflows by what they are about; this package exports the common ones by name.
"""

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
from balance_dash.workflows.preferences import propose_my_addresses, set_setting, set_target
from balance_dash.workflows.scope import Scope

__all__ = [
    "HOUR_COLUMNS",
    "MANUAL_SOURCE_NAME",
    "RULES_DECIDE",
    "SAMPLE_CALENDAR",
    "SAMPLE_SOURCE_NAME",
    "Balance",
    "ImportReport",
    "LogImportReport",
    "Scope",
    "balance",
    "categorized_occurrences",
    "check_size",
    "delete_entries",
    "edit_entries",
    "import_calendar",
    "import_log_csv",
    "load_sample",
    "local_midnight_utc",
    "log_time",
    "manual_entries",
    "parse_iso_week",
    "propose_my_addresses",
    "resolve_zone",
    "set_setting",
    "set_source_area",
    "set_target",
    "summary_document",
    "target_gap",
    "week_start_of",
]
