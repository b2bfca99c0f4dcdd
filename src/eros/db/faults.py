"""What is wrong with the database, as one coded error: the only place driver errors get codes.

Two halves. `check_file` looks at an SQLite file before SQLite opens it, so a missing file is
never created by accident and a read-only or unreadable one is named as such.
`environment_fault` reads what the driver raised (sqlite3's result code) and says which fault
it is. `eros.db.engine` applies both to every engine it makes (a `handle_error` hook), so
services, tools and the runbook's modules see coded errors; `database_fault`, the same mapping
plus DATABASE_ERROR for the rest, serves the CLI's error handler and the eros-db tools for any
driver error that still reaches them (raw sqlite3, an engine made elsewhere).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import TypeGuard

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from eros.errors import (
    DatabaseCorrupt,
    DatabaseError,
    DatabaseFull,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseUnreadable,
    ErosError,
    InvalidInput,
    NoDatabase,
)

#: SQLite stores signed 64-bit integers; a larger number can only be a caller's mistake.
SQL_INT_MIN, SQL_INT_MAX = -(2**63), 2**63 - 1
#: PostgreSQL's SQLSTATEs for a number its column type cannot hold, and a string past a VARCHAR's length.
PG_NUMERIC_OUT_OF_RANGE, PG_STRING_TOO_LONG = "22003", "22001"

# SQLite's primary result codes (https://sqlite.org/rescode.html); extended codes keep them in the low byte.
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26

_IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def no_database(where: str) -> NoDatabase:
    return NoDatabase(
        f"No EROS database at {where}: run `eros db init --sample` (or `eros demo`) first, "
        "or point EROS_DB_PATH at one."
    )


def _allowed(path: Path, mode: int, bits: int) -> bool:
    """`os.access`, and for root the permission bits too: root bypasses them, but a file an
    operator made read-only is meant to stay unwritten whoever runs EROS."""
    if not os.access(path, mode):
        return False
    try:
        return not _IS_ROOT or bool(stat.S_IMODE(path.stat().st_mode) & bits)
    except OSError:  # gone since os.access: nothing to open
        return False


def _writable(path: Path) -> bool:
    return _allowed(path, os.W_OK, 0o222)


def check_file(path: Path, *, create: bool) -> None:
    """Raise the coded fault of the SQLite file at `path` that SQLite would meet on opening it.

    Without `create` a missing or empty file is NO_DATABASE (and stays missing or empty); with
    it, only the directory must allow the new file. Damage inside the file is SQLite's to find.
    """
    directory = path.parent
    if not path.exists():
        if not create:
            raise no_database(str(path))
        if not directory.is_dir():
            raise NoDatabase(f"Cannot create a database at {path}: the directory {directory} does not exist.")
        if not _writable(directory):
            raise DatabaseReadOnly(
                f"Cannot create a database at {path}: the directory {directory} is read-only."
            )
        return
    if not path.is_file():
        raise NoDatabase(f"{path} is not a database file (it is a directory or a device).")
    if not _allowed(path, os.R_OK, 0o444):
        raise DatabaseUnreadable(f"The database {path} cannot be read: permission denied.")
    if path.stat().st_size == 0 and not create:
        raise no_database(f"{path} (the file is empty)")
    # The -wal and -shm files come and go with connections, so only SQLite can judge them
    # (SQLITE_READONLY, below); the file and its directory are the operator's to make writable.
    read_only = [p for p in (path, directory) if not _writable(p)]
    if read_only:
        raise DatabaseReadOnly(
            f"The database {path} is read-only ({', '.join(map(str, read_only))} not writable): "
            "EROS writes to it and, beside it, its -wal and -shm files. Make them writable, or "
            "point EROS_DB_PATH at a writable copy."
        )


def _sqlite_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def environment_fault(
    error: BaseException, where: str = "The database", busy_timeout_s: float | None = None
) -> ErosError | None:
    """The coded fault behind a driver error when the database's state or surroundings caused it
    (lock, permissions, damage, full disk, no schema, a number SQLite cannot store); None for an
    error in the statement itself, which stays the driver's (integrity, syntax)."""
    if isinstance(error, ErosError):
        return error
    if isinstance(error, OverflowError):
        return InvalidInput(
            f"A number is outside the range the database stores ({SQL_INT_MIN} to {SQL_INT_MAX}).",
            code="INVALID_NUMBER",
        )
    if getattr(error, "sqlstate", None) == PG_NUMERIC_OUT_OF_RANGE:  # a PostgreSQL (psycopg) error
        return InvalidInput(
            "A number is outside the range the database column stores.", code="INVALID_NUMBER"
        )
    if getattr(error, "sqlstate", None) == PG_STRING_TOO_LONG:
        return InvalidInput("A value is longer than the database column stores.", code="VALUE_TOO_LONG")
    if not isinstance(error, sqlite3.Error):
        return None
    code, text = _sqlite_code(error), str(error)
    if code in (_BUSY, _LOCKED):
        waited = f" for {busy_timeout_s:g} s" if busy_timeout_s is not None else ""
        return DatabaseLocked(
            f"{where} is locked by another process (waited{waited}): retry when it has finished."
        )
    if code == _READONLY:
        return DatabaseReadOnly(f"{where} is read-only ({text}): EROS needs to write to it.")
    if code in (_CORRUPT, _NOTADB):
        return DatabaseCorrupt(
            f"{where} is damaged ({text}). Retrying will not help: restore it from a backup, "
            "or replace it with `eros db init --force` (its data is lost)."
        )
    if code == _FULL:
        return DatabaseFull(f"{where} cannot grow: the disk is full ({text}).")
    if code in (_CANTOPEN, _PERM):
        return DatabaseUnreadable(f"{where} cannot be opened ({text}).")
    if code == _IOERR:
        return DatabaseError(
            f"{where} could not be read or written ({text}); retry later.", code="DATABASE_IO_ERROR"
        )
    if text.startswith("no such table"):
        return NoDatabase(
            f"{where} has no EROS schema ({text}): run `eros db init` for a new database, "
            "or `eros db upgrade` for one made by an older version."
        )
    return None


def is_database_failure(error: BaseException) -> TypeGuard[SQLAlchemyError | sqlite3.Error]:
    """Whether `error` came from the database layer (SQLAlchemy or the sqlite3 driver itself)."""
    return isinstance(error, SQLAlchemyError | sqlite3.Error)


def database_fault(error: SQLAlchemyError | sqlite3.Error, where: str = "The database") -> ErosError:
    """Any database failure as one coded error (the boundaries' view: the CLI, the tools)."""
    original = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    return environment_fault(original, where) or DatabaseError(
        f"{where} failed ({type(original).__name__}); retry later."
    )
