"""The rollout rehearsal's throwaway database (`eros simulate rollout`, ARCHITECTURE D9).

A private copy of the configured SQLite file with its operational state cleared, so a
rehearsal never touches real flags, runs or schedules and starts where the plan does; and
no fsync per commit, since the copy is thrown away afterwards.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, event

from eros.db.ops_repo import OpsRepository
from eros.db.rollout_repo import RolloutRepository


def copy_without_operations(source: Path, target: Path, engine: Engine) -> None:
    """Copy the SQLite file `source` to `target` (online backup), then empty the copy's flags,
    runs, rollbacks, alerts, comparisons and rollout phase through `engine` (on `target`)."""
    # Read-only URI: a copy never creates (or writes) the file it copies.
    src = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    with engine.begin() as conn:
        OpsRepository(conn).clear_all()
        RolloutRepository(conn).clear_all()


def skip_fsync(engine: Engine) -> None:
    """A rehearsal database is thrown away afterwards: no fsync per commit (twice as fast)."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _no_sync):
        return
    event.listen(engine, "connect", _no_sync)


def _no_sync(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()
