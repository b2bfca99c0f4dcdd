"""eros.db.faults and the engine: driver errors get one code each, and opening never creates a file."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from eros.config import DEFAULT_DB_BUSY_TIMEOUT_S, busy_timeout_from_env
from eros.db.engine import database_exists, make_engine, require_database
from eros.db.faults import check_file, database_fault, environment_fault
from eros.errors import ConfigError, ErosError


def _error(statement: str, path: Path, *, uri: str = "") -> sqlite3.Error:
    """The real error SQLite raises for `statement` on `path` (opened with `uri` if given)."""
    try:
        conn = sqlite3.connect(uri or str(path), uri=bool(uri))
    except sqlite3.Error as exc:
        return exc
    try:
        conn.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError(f"{statement} did not fail")


def _code(error: BaseException) -> str | None:
    fault = environment_fault(error)
    return fault.code if fault is not None else None


def _database(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE creators (id INTEGER)")
    return path


def test_sqlites_own_errors_get_their_codes(tmp_path: Path) -> None:
    db = _database(tmp_path / "ok.db")
    assert (
        _code(_error("INSERT INTO creators VALUES (1)", db, uri=f"file:{db}?mode=ro")) == "DATABASE_READONLY"
    )
    assert _code(_error("SELECT * FROM schedules", db)) == "NO_DATABASE"
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"x" * 8192)
    assert _code(_error("SELECT 1 FROM sqlite_master", garbage)) == "DATABASE_CORRUPT"
    assert _code(_error("SELECT 1", tmp_path / "absent.db", uri=f"file:{tmp_path}/absent.db?mode=rw")) == (
        "DATABASE_UNREADABLE"
    )
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        waiting = sqlite3.connect(db, timeout=0)
        with pytest.raises(sqlite3.OperationalError) as busy:
            waiting.execute("INSERT INTO creators VALUES (2)")
        waiting.close()
    finally:
        holder.close()
    assert _code(busy.value) == "DATABASE_LOCKED"


def test_a_statement_error_is_left_to_the_driver_and_a_huge_number_is_invalid_number(tmp_path: Path) -> None:
    assert _code(_error("SELEC 1", _database(tmp_path / "ok.db"))) is None
    assert _code(OverflowError("Python int too large to convert to SQLite INTEGER")) == "INVALID_NUMBER"


def test_at_the_boundary_every_database_failure_is_coded_and_retryable_only_when_it_may_pass(
    tmp_path: Path,
) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"x" * 8192)
    damaged = _error("SELECT 1 FROM sqlite_master", garbage)
    corrupt = database_fault(OperationalError("SELECT 1", {}, damaged))  # type: ignore[arg-type]
    clash = _error("INSERT INTO t VALUES (1)", _unique(tmp_path / "u.db"))
    other = database_fault(IntegrityError("INSERT", {}, clash))  # type: ignore[arg-type]
    assert (corrupt.code, corrupt.retryable) == ("DATABASE_CORRUPT", False)
    assert "retry later" not in corrupt.message
    assert (other.code, other.retryable) == ("DATABASE_ERROR", True)


def _unique(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER UNIQUE)")
        conn.execute("INSERT INTO t VALUES (1)")
    return path


def test_check_file_names_each_problem_and_creates_nothing(tmp_path: Path) -> None:
    def code(path: Path, *, create: bool = False) -> str:
        with pytest.raises(ErosError) as caught:
            check_file(path, create=create)
        return caught.value.code

    assert code(tmp_path / "absent.db") == "NO_DATABASE"
    assert code(tmp_path / "no-such-dir" / "eros.db", create=True) == "NO_DATABASE"
    (tmp_path / "empty.db").touch()
    assert code(tmp_path / "empty.db") == "NO_DATABASE"
    check_file(tmp_path / "empty.db", create=True)
    assert code(tmp_path) == "NO_DATABASE"
    locked_down = _database(tmp_path / "ro.db")
    locked_down.chmod(stat.S_IRUSR)
    assert code(locked_down) == "DATABASE_READONLY"
    locked_down.chmod(0)
    assert code(locked_down) == "DATABASE_UNREADABLE"
    locked_down.chmod(stat.S_IRUSR | stat.S_IWUSR)
    check_file(locked_down, create=False)
    (tmp_path / "ro-dir").mkdir()
    _database(tmp_path / "ro-dir" / "eros.db")
    (tmp_path / "ro-dir").chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert code(tmp_path / "ro-dir" / "eros.db") == "DATABASE_READONLY"
        assert code(tmp_path / "ro-dir" / "new.db", create=True) == "DATABASE_READONLY"
    finally:
        (tmp_path / "ro-dir").chmod(stat.S_IRWXU)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "ro-dir", "ro.db"]


def test_an_engine_opens_only_what_exists_unless_it_may_create(tmp_path: Path) -> None:
    path = tmp_path / "eros.db"
    engine = make_engine(f"sqlite:///{path}")
    assert database_exists(engine) is False
    with pytest.raises(ErosError) as caught:
        require_database(engine)
    assert caught.value.code == "NO_DATABASE"
    assert str(path) in caught.value.message
    assert not path.exists()
    with make_engine(f"sqlite:///{path}", create=True).connect() as conn:
        conn.execute(text("CREATE TABLE creators (id INTEGER)"))
        conn.commit()
    assert database_exists(engine) is True


def test_a_file_without_tables_is_no_database_and_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "stray.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=7")
    before = path.read_bytes()
    engine = make_engine(f"sqlite:///{path}")
    assert database_exists(engine) is False
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stray.db"]


def test_the_busy_timeout_setting_is_checked_at_its_limits() -> None:
    assert busy_timeout_from_env(None) == DEFAULT_DB_BUSY_TIMEOUT_S
    assert busy_timeout_from_env("0") == 0
    assert busy_timeout_from_env("3600") == 3600
    for bad in ("3600.001", "-0.001", "nan", "inf", "soon"):
        with pytest.raises(ConfigError) as caught:
            busy_timeout_from_env(bad)
        assert caught.value.code == "INVALID_CONFIG"
