"""alembic environment of the results store: always run through `auditor.store.migrate` on a
connection it opened and locked (no alembic.ini, no logging configuration, no URL here)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from auditor.store.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - only auditor.store.migrate runs this
    raise RuntimeError("the results store's migrations run through auditor.store.migrate only")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
