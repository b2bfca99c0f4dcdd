"""Engine creation, schema initialisation and migrations (ARCHITECTURE §6)."""

from __future__ import annotations

import os
import stat
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import Connection, CursorResult, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool, StaticPool

from eros.config import DEFAULT_DB_MAX_OVERFLOW, DEFAULT_DB_POOL_SIZE
from eros.db.faults import check_file, environment_fault, no_database
from eros.db.schema import metadata, send_types
from eros.errors import DatabaseError, ErosError, NoDatabase
from eros.rules.send_types import SEND_TYPES

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: How long a connection waits for another process's write lock before DATABASE_LOCKED.
DEFAULT_BUSY_TIMEOUT_S = 10.0
#: SQLite files (the database, its -wal and -shm) are the owner's alone: they hold every schedule.
PRIVATE_FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm")
#: How long a connection may wait for a free pooled PostgreSQL connection before failing.
POOL_TIMEOUT_S = 30.0
#: The umask is the process's; one connection at a time changes it.
_UMASK_LOCK = threading.Lock()


def _sqlite_pragmas(where: str, busy_timeout_s: float, create: bool, dbapi_conn: Any, _record: Any) -> None:
    """Set each connection up; without `create`, refuse a file without tables before the WAL
    pragma would rewrite its header (a stray SQLite file stays as it was)."""
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout_s * 1000)}")
    if not create and cursor.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None:
        dbapi_conn.close()
        raise no_database(f"{where} (the file has no tables)")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _open_file(
    path: Path,
    create: bool,
    dialect: Dialect,
    _record: ConnectionPoolEntry,
    cargs: list[Any],
    cparams: dict[str, Any],
) -> Any:
    """Check the file first (`eros.db.faults.check_file`), then open it as a URI whose mode says
    whether SQLite may create it: `rw` never makes a file, whatever SQLite's default would do.
    A file SQLite does create is owner-only from its first byte (umask 077; its -wal and -shm
    follow); an existing file is opened as it is."""
    check_file(path, create=create)
    cargs[0] = f"file:{quote(str(path))}?mode={'rwc' if create else 'rw'}"
    cparams["uri"] = True
    if path.exists():
        return None
    with _UMASK_LOCK:
        previous = os.umask(0o077)
        try:
            return dialect.connect(*cargs, **cparams)
        finally:
            os.umask(previous)


def _coded_fault(where: str, busy_timeout_s: float, context: ExceptionContext) -> ErosError | None:
    """Replace the driver's error with its coded fault (locked, read-only, damaged, …), if it is one."""
    return environment_fault(context.original_exception, where, busy_timeout_s)


class PoolSize(NamedTuple):
    """A server database's connection pool: connections kept open, and extra ones under load."""

    size: int = DEFAULT_DB_POOL_SIZE
    max_overflow: int = DEFAULT_DB_MAX_OVERFLOW


DEFAULT_POOL = PoolSize()


def make_engine(
    url: str,
    *,
    create: bool = False,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    pool: PoolSize = DEFAULT_POOL,
) -> Engine:
    """An engine with SQLite set up for many processes: WAL, foreign keys, a busy timeout.

    An SQLite file is opened only if it exists unless `create` (`eros db init`, the demo, a
    rehearsal's copy), and is created owner-only; every fault of the database reaches callers
    as its coded error. SQLite keeps a small pool too (the pragmas run once per connection; an
    idle WAL connection holds no lock; `db init --force` disposes the pool before a swap); a server
    database (PostgreSQL) keeps a `QueuePool` of `pool`'s size, each connection checked with a
    ping before use so a restarted server costs no failed run.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=POOL_TIMEOUT_S,
            pool_pre_ping=True,
        )
        event.listen(engine, "handle_error", partial(_coded_fault, "The database", busy_timeout_s))
        return engine
    # Pooled: a unit of work reuses an open connection instead of opening the file and setting
    # the pragmas again (a few ms a tool call, issue 14). `eros db init --force` disposes the
    # engine before it swaps the file.
    engine = create_engine(
        url, poolclass=QueuePool, connect_args={"timeout": busy_timeout_s, "check_same_thread": False}
    )
    path = sqlite_path(url)
    if path is not None:
        event.listen(engine, "do_connect", partial(_open_file, path, create))
    # An in-memory database starts empty by definition: only a file can lack its schema.
    new_ok = create or path is None
    event.listen(engine, "connect", partial(_sqlite_pragmas, str(path), busy_timeout_s, new_ok))
    where = f"The database {path}" if path is not None else "The database"
    event.listen(engine, "handle_error", partial(_coded_fault, where, busy_timeout_s))
    return engine


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
    """Whether the EROS schema is there; False for no file or an empty one. A database that cannot
    be used (read-only, locked, damaged) raises its coded fault instead of passing for absent."""
    try:
        return "creators" in inspect(engine).get_table_names()
    except NoDatabase:
        return False


def require_database(engine: Engine) -> None:
    """NO_DATABASE unless the EROS schema is there (every command but `db init` and `demo`)."""
    if not database_exists(engine):
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        raise no_database(str(path) if path else engine.url.render_as_string(hide_password=True))


def _alembic_config(engine: Engine) -> AlembicConfig:
    # Alembic (and Mako) load only when a migration runs: most commands never migrate.
    from alembic.config import Config as AlembicConfig  # noqa: PLC0415 - see above

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


def advance_id_sequence(conn: Connection, table: Table) -> None:
    """After rows went in with explicit ids (the sample's captions): PostgreSQL's sequence does not
    see them and would hand the same ids out again; move it past the largest. SQLite needs nothing."""
    if conn.dialect.name != "postgresql":
        return
    (column,) = table.primary_key.columns
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
            f"COALESCE(MAX({column.name}), 0) + 1, false) FROM {table.name}"
        )
    )


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (`eros db upgrade`)."""
    from alembic import command  # noqa: PLC0415 - loaded only to migrate, see _alembic_config

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
