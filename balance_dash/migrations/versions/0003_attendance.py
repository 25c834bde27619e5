"""attendance: availability and attendance per occurrence, cancelled occurrences, free time per source

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rest target a new database used to start from was the assumed sleep window (7 x 8 h).
# Sleep is now its own figure, so an untouched seed of that target moves to the new default.
_OLD_REST_SEED = 56.0
_NEW_REST_SEED = 7.0
_SEED_DATE = date(1970, 1, 1)


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy: on SQLite a batch operation rebuilds the table, and
    # dropping the old `source` table would cascade to every occurrence of it.
    op.add_column("occurrence", sa.Column("transparent", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column(
        "occurrence",
        sa.Column("busy_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default=""),
    )
    op.add_column(
        "occurrence",
        sa.Column("organizer", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False, server_default=""),
    )
    op.add_column("occurrence", sa.Column("attendees", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
    op.add_column("occurrence", sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("source", sa.Column("count_free", sa.Boolean(), nullable=False, server_default=sa.false()))
    target = sa.table(
        "target",
        sa.column("area", sa.String),
        sa.column("min_hours", sa.Float),
        sa.column("effective_from", sa.Date),
    )
    op.execute(
        target.update()
        .where(
            target.c.area == "rest",
            target.c.min_hours == _OLD_REST_SEED,
            target.c.effective_from == _SEED_DATE,
        )
        .values(min_hours=_NEW_REST_SEED)
    )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL), for the same reason as above.
    for table, column in (
        ("source", "count_free"),
        *(("occurrence", name) for name in ("cancelled", "attendees", "organizer", "busy_status", "transparent")),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
