"""The test databases: SQLite files, and a real PostgreSQL server started from the installed binaries.

pytest-postgresql's executor runs `pg_ctl initdb` and `pg_ctl start`; both refuse to run as
root (which is who runs the suite in CI). When the suite runs as root, the executor is given a
small wrapper as its `pg_ctl` that runs the real one as the unprivileged `postgres` system user
(the Debian package creates it), and the cluster lives in a directory that user owns.

Per-test databases are cheap copies: the migrated, seeded database is built once and each test
gets `CREATE DATABASE … TEMPLATE` of it (a file copy inside the server, tens of milliseconds).
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import port_for
import psycopg
from pytest_postgresql.executors import PostgreSQLExecutor
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from eros.db.engine import make_engine, sqlite_path

#: Where Debian's `postgresql` package (scripts/system-packages) puts the server; EROS_TEST_PG_CTL overrides.
DEFAULT_PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl"
#: The unprivileged user a root test run starts the server as.
SERVER_USER = "postgres"
#: Durability is not what the tests measure: no fsync, and a little more memory for sorts.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"

START_TIMEOUT_S = 60.0
#: A new database collates text as a typical production server does (ICU `en-US`: `alexia` before
#: `Alexia`, `_` ignored at first), not bytewise like SQLite, so an ORDER BY that depends on it shows.
FRESH = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
_names = count(1)
#: Where the `[postgresql]` tests' signing-key files go (an SQLite database keeps its key beside it).
KEY_DIR = Path(tempfile.gettempdir()) / f"eros-test-keys-{os.getpid()}"


def pg_ctl() -> str:
    return os.environ.get("EROS_TEST_PG_CTL") or DEFAULT_PG_CTL


def _as_server_user(real: str, workdir: Path) -> str:
    """The `pg_ctl` to hand the executor: the real one, or (as root) a wrapper that drops to `postgres`."""
    if os.geteuid() != 0:
        return real
    wrapper = workdir / "pg_ctl"
    wrapper.write_text(f'#!/bin/sh\ncd /\nexec runuser -u {SERVER_USER} -- "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@contextmanager
def running_server() -> Iterator[PostgreSQLExecutor]:
    """A fresh cluster on a free loopback port, stopped and removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="eros-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(workdir, account.pw_uid, account.pw_gid)
    workdir.chmod(0o755)
    executor = PostgreSQLExecutor(
        executable=_as_server_user(pg_ctl(), workdir),
        host="127.0.0.1",
        port=port_for.select_random(),
        datadir=str(workdir / "data"),
        unixsocketdir=str(workdir),
        logfile=str(workdir / "server.log"),
        startparams="-w",
        dbname="eros_tests",
        user=SERVER_USER,
        postgres_options=SERVER_OPTIONS,
    )
    executor.start()
    try:
        _wait_until_accepting(executor)
        yield executor
    finally:
        executor.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(KEY_DIR, ignore_errors=True)


def _wait_until_accepting(executor: PostgreSQLExecutor) -> None:
    """The port opens before the server takes connections ("the database system is starting up")."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            psycopg.connect(
                server_url(executor, "postgres").replace("+psycopg", ""), connect_timeout=5
            ).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def server_url(executor: PostgreSQLExecutor, database: str) -> str:
    return f"postgresql+psycopg://{executor.user}@{executor.host}:{executor.port}/{database}"


def _admin(executor: PostgreSQLExecutor, sql: str) -> None:
    engine = create_engine(server_url(executor, "postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def create_database(executor: PostgreSQLExecutor, *, template: str | None = None) -> str:
    """A new empty database, or a copy of the one at the URL `template`; its URL."""
    name = f"eros_{os.getpid()}_{next(_names)}"
    source = f'TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else FRESH
    _admin(executor, f'CREATE DATABASE "{name}" {source}')
    return server_url(executor, name)


def drop_database(executor: PostgreSQLExecutor, url: str) -> None:
    """Drop a test's database, ending any connection a test left open (a killed subprocess's)."""
    name = url.rsplit("/", 1)[1]
    _admin(executor, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def signing_key_file(url: str) -> Path:
    """The key file a CLI run against this server database uses (`EROS_SIGNING_KEY_FILE`)."""
    KEY_DIR.mkdir(mode=0o700, exist_ok=True)
    return KEY_DIR / f"{url.rsplit('/', 1)[1]}.key"


@dataclass(frozen=True)
class Backend:
    """Makes databases of one kind: SQLite files, or databases on the session's server."""

    name: str
    server: PostgreSQLExecutor | None

    def new(self, path: Path, template: str | None = None) -> str:
        """A new database's URL: the file `path` (a copy of `template`'s), or a server database."""
        if self.server is not None:
            return create_database(self.server, template=template)
        if template is not None:
            source = sqlite_path(template)
            assert source is not None
            shutil.copyfile(source, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        if self.server is not None:
            drop_database(self.server, url)

    def template(self, directory: Path, build: Callable[[Engine], None]) -> str:
        """A database `build` fills once, to copy from (no connection left open: PostgreSQL needs that)."""
        url = self.new(directory / "template.db")
        engine = make_engine(url, create=True)
        build(engine)
        engine.dispose()
        return url
