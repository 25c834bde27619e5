"""live sources: calendar addresses and CalDAV calendars that sync

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "live_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("kind", text(length=16), nullable=False),
        sa.Column("masked", text(length=400), nullable=False),
        sa.Column("secret_ref", text(length=64), nullable=False),
        sa.Column("secret_in_keyring", sa.Boolean(), nullable=False),
        sa.Column("secret", text(length=4000), nullable=True),
        sa.Column("server_url", text(length=1000), nullable=True),
        sa.Column("username", text(length=200), nullable=True),
        sa.Column("calendar_url", text(length=1000), nullable=True),
        sa.Column("etag", text(length=400), nullable=True),
        sa.Column("last_modified", text(length=100), nullable=True),
        sa.Column("content_sha256", text(length=64), nullable=True),
        sa.Column("ctag", text(length=400), nullable=True),
        sa.Column("sync_token", text(length=1000), nullable=True),
        sa.Column("objects", text(), nullable=False),
        sa.Column("expanded_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_sync_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", text(length=1000), nullable=True),
        sa.Column("last_change", text(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id"),
    )


def downgrade() -> None:
    op.drop_table("live_source")
