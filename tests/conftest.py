"""Shared fixtures: a pinned clock and real SQLite databases in temporary directories."""

from __future__ import annotations

import os
import shutil

# Rich sizes a console when it is created (module import), so whichever test imports a CLI
# module first would fix its width; one wide width for the whole session keeps tables unwrapped.
os.environ["COLUMNS"] = "200"

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from eros.clock import FixedClock, parse_instant
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_mini_sample, build_sample

#: The sample is built as of this day, so the natural week to plan starts 2026-01-05.
AS_OF = date(2026, 1, 4)
NOW = "2026-01-04T12:00:00Z"
SEED = 7
TEST_SIGNING_KEY = "test-signing-key-not-secret"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(parse_instant(NOW))


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Engine]:
    """A migrated database with send types, no creators."""
    engine = make_engine(f"sqlite:///{tmp_path / 'eros.db'}", create=True)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full sample, built once per session; tests that write must copy it (`sample_db`)."""
    path = tmp_path_factory.mktemp("sample") / "eros.db"
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    build_sample(engine, seed=SEED, as_of=AS_OF)
    engine.dispose()
    return path


@pytest.fixture
def sample_db(sample_db_path: Path, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the sample that a test may write to."""
    target = tmp_path / "sample.db"
    shutil.copyfile(sample_db_path, target)
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


@pytest.fixture
def mini_db(tmp_path: Path, clock: FixedClock) -> Iterator[Engine]:
    """The three-creator mini sample (`test`, `test_free`, `test_premium`): quick to generate."""
    engine = make_engine(f"sqlite:///{tmp_path / 'mini.db'}", create=True)
    create_schema(engine)
    build_mini_sample(engine, as_of=AS_OF)
    yield engine
    engine.dispose()
