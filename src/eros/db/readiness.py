"""Whether the database answers and carries the newest migration (`/readyz`)."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from eros.db.engine import MIGRATIONS_DIR


def migration_heads(engine: Engine) -> tuple[set[str], set[str]]:
    """(the revisions the database is at, the newest revisions the code knows)."""
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current, set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
