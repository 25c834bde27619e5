"""import state: what the last read of a calendar file was, so that a re-import skips unchanged bytes and events

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "import_state",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", text(length=64), nullable=False),
        sa.Column("options_sha256", text(length=64), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("window_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("window_end", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("head_sha256", text(length=64), nullable=True),
        sa.Column("events", text(), nullable=False),
        sa.Column("summary", text(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_id"),
    )


def downgrade() -> None:
    op.drop_table("import_state")
