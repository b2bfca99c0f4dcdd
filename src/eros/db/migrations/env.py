"""Alembic environment: runs against the engine EROS hands it (no alembic.ini URL)."""

from __future__ import annotations

from alembic import context

from eros.db.schema import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    context.run_migrations()
