"""Replace an SQLite database only with a complete one (`eros db init --force`).

The new database is built in a hidden file beside the old one (same directory, so the same
filesystem and an atomic rename); only when the build has finished is it renamed over the old
file. A failure half-way — an exception, a full disk, Ctrl-C — removes the half-built file
and leaves the old database exactly as it was. Other processes must not hold the old database
open across the swap (as before: stop them first).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from eros.db.engine import make_engine
from eros.errors import DatabaseCorrupt

#: SQLite's companion files of a database in WAL mode.
JOURNAL_SUFFIXES = ("-wal", "-shm")


def staging_path(path: Path) -> Path:
    """Where the replacement is built: hidden, beside `path`, unique per build."""
    return path.with_name(f".{path.name}.building-{secrets.token_hex(4)}")


def build_beside(path: Path, build: Callable[[Engine], None]) -> None:
    """Run `build` on a fresh database beside `path`, then swap it in; on any failure, nothing changed."""
    staging = staging_path(path)
    engine = make_engine(f"sqlite:///{staging}", create=True)
    try:
        build(engine)
        engine.dispose()  # the last connection checkpoints the staging WAL into its file
        _checkpoint(path)
        _remove_journal(path)
        os.replace(staging, path)
    except BaseException:
        engine.dispose()
        _remove_journal(staging)
        staging.unlink(missing_ok=True)
        raise


def _checkpoint(path: Path) -> None:
    """Fold the old database's WAL into its file, so removing the WAL loses nothing of it
    (a damaged old file has nothing worth folding: `eros db init --force` is how it is replaced)."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except DatabaseCorrupt:
        pass
    finally:
        engine.dispose()


def _remove_journal(path: Path) -> None:
    """A WAL left beside a renamed database would be replayed into the wrong file."""
    for suffix in JOURNAL_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
