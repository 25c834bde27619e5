"""time shape: contract hours per weekday (effective-dated), the priority matrix on rules

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("weekday_hours", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("effective_from"),
    )
    # Plain ADD COLUMN (nullable): no table rebuild.
    op.add_column("rule", sa.Column("important", sa.Boolean(), nullable=True))
    op.add_column("rule", sa.Column("urgent", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("rule", "urgent")
    op.drop_column("rule", "important")
    op.drop_table("contract")
