"""The configured installation, its database checked before a command does anything else.

Every command that reads or writes the database starts with `configured()`; only `eros db
init` and `eros demo` use `eros.bootstrap.new_database_engine`, the one engine that may create
the file. A missing, empty, unreadable, read-only, locked or damaged database is one coded
error here (`eros.db.faults`), before any run, rollback or import begins.
"""

from __future__ import annotations

from eros.bootstrap import Container, bootstrap
from eros.db.engine import require_database


def configured() -> Container:
    """`bootstrap()` once the configured database is known to be there and usable."""
    container = bootstrap()
    require_database(container.engine)
    return container
