"""Alembic environment: runs on the connection that `store.migrate()` hands over."""

from alembic import context
from sqlmodel import SQLModel

import balance_dash.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through balance_dash.store.migrate(), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
