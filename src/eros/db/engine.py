"""Engine creation, schema initialisation and migrations (ARCHITECTURE §6)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import CursorResult, Engine, create_engine, event, inspect
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, StaticPool

from eros.db.schema import metadata, send_types
from eros.errors import DatabaseError
from eros.rules.send_types import SEND_TYPES

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: SQLite files (the database, its -wal and -shm) are the owner's alone: they hold every schedule.
PRIVATE_FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm")
#: The umask is the process's; one connection at a time changes it.
_UMASK_LOCK = threading.Lock()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine with SQLite set up for many processes: WAL, foreign keys, a generous busy timeout;
    a database file SQLite creates is owner-only from its first byte (its -wal and -shm follow)."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        path = sqlite_path(url)
        if path is not None:
            event.listen(engine, "do_connect", _owner_only_creation(path))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _owner_only_creation(path: Path) -> Any:
    """A `do_connect` hook: when the file does not exist yet, connect under umask 077, so whatever
    SQLite creates is 0600; an existing file is opened as it is."""

    def connect(dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any) -> Any:
        if path.exists():
            return None
        with _UMASK_LOCK:
            previous = os.umask(0o077)
            try:
                return dialect.connect(*cargs, **cparams)
            finally:
                os.umask(previous)

    return connect


def make_private(engine: Engine) -> None:
    """Make an SQLite database's files owner-only (`eros db init`, `eros db upgrade`): databases
    created before EROS did so were world-readable."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        return
    for suffix in SQLITE_SUFFIXES:
        member = Path(f"{path}{suffix}")
        if member.exists() and stat.S_IMODE(member.stat().st_mode) != PRIVATE_FILE_MODE:
            member.chmod(PRIVATE_FILE_MODE)


def memory_engine() -> Engine:
    """A private in-memory SQLite database: one connection, usable from any thread, gone with the engine."""
    return create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def database_exists(engine: Engine) -> bool:
    return "creators" in inspect(engine).get_table_names()


def _alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def inserted_id(result: CursorResult[Any]) -> int:
    """The id of the row an INSERT just added (every repository reads it the same way)."""
    key = result.inserted_primary_key
    if key is None:
        raise DatabaseError("The database did not return the new row's id", code="NO_ROW_ID")
    return int(key[0])


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (`eros db upgrade`)."""
    command.upgrade(_alembic_config(engine), "head")


def create_schema(engine: Engine) -> None:
    """Migrate an empty database to head and seed the send types. The signing key is not kept in
    the database (eros.db.signing_keys): whoever reads the schedules must not be able to sign."""
    upgrade(engine)
    make_private(engine)
    with engine.begin() as conn:
        conn.execute(send_types.delete())
        conn.execute(
            send_types.insert(),
            [
                {
                    **st.rule_fields(),
                    "channel": st.channel.value,
                    "display_name": st.display_name,
                    "sort_order": order,
                }
                for order, st in enumerate(SEND_TYPES.values())
            ],
        )


def drop_database(url: str) -> None:
    """Remove an SQLite file (and its WAL files) or drop every table of another backend."""
    path = sqlite_path(url)
    if path is not None:
        for suffix in SQLITE_SUFFIXES:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
