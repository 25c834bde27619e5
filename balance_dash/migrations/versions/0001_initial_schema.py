"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 21:21:38.343917
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "journalentry",
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("answers", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("energy", sa.Integer(), nullable=True),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("week_start"),
    )
    op.create_table(
        "rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("pattern", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("is_regex", sa.Boolean(), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("marks_day_off", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payload", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("area_forced", sa.Boolean(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("min_hours", sa.Float(), nullable=True),
        sa.Column("max_hours", sa.Float(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("area", "effective_from", name="uq_target_area_date"),
    )
    op.create_table(
        "importrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("report", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("importrun", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_importrun_source_id"), ["source_id"], unique=False)

    op.create_table(
        "occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("recurrence_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("start_utc", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("end_utc", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("day_start", sa.Date(), nullable=True),
        sa.Column("day_end", sa.Date(), nullable=True),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "uid", "recurrence_key", name="uq_occurrence_identity"),
    )
    with op.batch_alter_table("occurrence", schema=None) as batch_op:
        batch_op.create_index("ix_occurrence_day_start", ["day_start"], unique=False)
        batch_op.create_index(batch_op.f("ix_occurrence_source_id"), ["source_id"], unique=False)
        batch_op.create_index("ix_occurrence_start", ["start_utc"], unique=False)

    op.create_table(
        "placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("recurrence_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "uid", "recurrence_key", name="uq_placement"),
    )
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_source_id"), ["source_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_source_id"))

    op.drop_table("placement")
    with op.batch_alter_table("occurrence", schema=None) as batch_op:
        batch_op.drop_index("ix_occurrence_start")
        batch_op.drop_index(batch_op.f("ix_occurrence_source_id"))
        batch_op.drop_index("ix_occurrence_day_start")

    op.drop_table("occurrence")
    with op.batch_alter_table("importrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importrun_source_id"))

    op.drop_table("importrun")
    op.drop_table("target")
    op.drop_table("source")
    op.drop_table("settings")
    op.drop_table("rule")
    op.drop_table("journalentry")
    op.drop_table("data_revision")
