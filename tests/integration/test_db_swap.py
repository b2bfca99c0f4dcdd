"""`eros db init --force` builds the new database beside the old one and swaps it in only when done."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from eros.cli import db_commands
from eros.cli.app import _register
from eros.clock import FixedClock
from eros.db.engine import create_schema, make_engine
from eros.db.schema import creators
from eros.db.swap import build_beside
from support import cli, cli_ok

SAMPLE_CREATORS = 3
#: Building beside the old file and swapping it in is what SQLite files do (a server database is
#: dropped and rebuilt in place: `test_db_cli`).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def creator_count(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(creators)).scalar_one()
    engine.dispose()
    return int(count)


def leftovers(directory: Path) -> list[str]:
    """Anything but the database file and its signing key: staging files, stray WAL files."""
    return sorted(p.name for p in directory.iterdir() if p.name not in {"mini.db", "mini.db.key"})


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failure_half_way_leaves_the_old_database_intact_and_no_file_behind(
    mini_db: Engine, tmp_path: Path, clock: FixedClock, failure: BaseException
) -> None:
    path = Path(str(mini_db.url.database))
    mini_db.dispose()
    before = path.read_bytes()

    def half_built(engine: Engine) -> None:
        create_schema(engine)  # the new database is half there...
        raise failure  # ...when the build dies

    with pytest.raises(type(failure)):
        build_beside(path, half_built)
    assert path.read_bytes() == before
    assert creator_count(path) == SAMPLE_CREATORS
    assert leftovers(tmp_path) == []


def test_a_finished_build_replaces_the_old_database_and_its_journal(
    mini_db: Engine, tmp_path: Path, clock: FixedClock
) -> None:
    path = Path(str(mini_db.url.database))
    mini_db.dispose()
    build_beside(path, create_schema)
    assert creator_count(path) == 0
    assert leftovers(tmp_path) == []


@pytest.fixture
def cli_db(mini_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = Path(str(mini_db.url.database))
    mini_db.dispose()
    monkeypatch.setenv("EROS_DB_PATH", str(path))
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    _register()
    return path


def test_eros_db_init_force_swaps_the_sample_in(cli_db: Path, tmp_path: Path) -> None:
    out = cli_ok("db", "init", "--sample", "--force", "--as-of", "2026-01-04")
    assert "Active creators: 37" in out
    assert creator_count(cli_db) == 37
    assert leftovers(tmp_path) == []


def test_eros_db_init_force_that_fails_half_way_keeps_the_old_database(
    cli_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def sample_dies(engine: Engine, **_: object) -> None:
        raise RuntimeError("killed while building the sample")

    monkeypatch.setattr(db_commands, "build_sample", sample_dies)  # the one failure a test can inject here
    result = cli("db", "init", "--sample", "--force")
    assert isinstance(result.exception, RuntimeError)
    assert creator_count(cli_db) == SAMPLE_CREATORS
    assert leftovers(tmp_path) == []
