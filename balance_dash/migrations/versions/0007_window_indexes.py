"""window indexes: occurrences by their end, so reading the weeks around today skips the years before

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 05:00:00

A read of a period asks for occurrences that end after its start and start before its end. With
only the start indexed, SQLite walks every occurrence that starts before the period's end: near
today, the whole history (ten years: 60 ms per read, 4 ms with these).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_occurrence_end", "occurrence", ["end_utc"], unique=False)
    op.create_index("ix_occurrence_day_end", "occurrence", ["day_end"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_occurrence_day_end", table_name="occurrence")
    op.drop_index("ix_occurrence_end", table_name="occurrence")
