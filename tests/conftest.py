"""Shared fixtures: a pinned clock and real databases — SQLite files and a real PostgreSQL server.

Every database fixture (`empty_db`, `sample_db`, `mini_db`, `sample_ro_url`) is parametrised over
both backends (test ids `[sqlite]` / `[postgresql]`). Each kind of database is built once per
session as a template; a test gets its own copy (a file copy on SQLite, `CREATE DATABASE …
TEMPLATE` on PostgreSQL), so a test may write freely.
"""

from __future__ import annotations

import os

# Rich sizes a console when it is created (module import), so whichever test imports a CLI
# module first would fix its width; one wide width for the whole session keeps tables unwrapped.
os.environ["COLUMNS"] = "200"

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from sqlalchemy import Engine

from databases import Backend, running_server
from eros.clock import FixedClock, parse_instant
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_mini_sample, build_sample

#: The sample is built as of this day, so the natural week to plan starts 2026-01-05.
AS_OF = date(2026, 1, 4)
NOW = "2026-01-04T12:00:00Z"
SEED = 7
TEST_SIGNING_KEY = "test-signing-key-not-secret"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(parse_instant(NOW))


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgreSQLExecutor]:
    """The session's PostgreSQL server (started only when a `[postgresql]` test runs)."""
    with running_server() as server:
        yield server


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    server = request.getfixturevalue("pg") if request.param == "postgresql" else None
    return Backend(request.param, server)


def _copy(backend: Backend, template: str, path: Path, *, create: bool = False) -> Iterator[Engine]:
    url = backend.new(path, template)
    engine = make_engine(url, create=create)
    yield engine
    engine.dispose()
    backend.drop(url)


def _build_empty(engine: Engine) -> None:
    create_schema(engine)


def _build_sample(engine: Engine) -> None:
    create_schema(engine)
    build_sample(engine, seed=SEED, as_of=AS_OF)


def _build_mini(engine: Engine) -> None:
    create_schema(engine)
    build_mini_sample(engine, as_of=AS_OF)


@pytest.fixture(scope="session")
def empty_template(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> str:
    return backend.template(tmp_path_factory.mktemp("empty"), _build_empty)


@pytest.fixture(scope="session")
def sample_template(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The full sample, built once per session and backend; tests copy it (`sample_db`)."""
    return backend.template(tmp_path_factory.mktemp("sample"), _build_sample)


@pytest.fixture(scope="session")
def mini_template(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> str:
    return backend.template(tmp_path_factory.mktemp("mini"), _build_mini)


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full sample as an SQLite file, for the tests about files (copies, swaps, key files)."""
    path = tmp_path_factory.mktemp("sample-file") / "eros.db"
    engine = make_engine(f"sqlite:///{path}", create=True)
    _build_sample(engine)
    engine.dispose()
    return path


@pytest.fixture
def empty_db(backend: Backend, empty_template: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database with send types, no creators."""
    yield from _copy(backend, empty_template, tmp_path / "eros.db", create=True)


@pytest.fixture
def sample_db(backend: Backend, sample_template: str, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the sample that a test may write to."""
    yield from _copy(backend, sample_template, tmp_path / "sample.db")


@pytest.fixture
def mini_db(backend: Backend, mini_template: str, tmp_path: Path) -> Iterator[Engine]:
    """The three-creator mini sample (`test`, `test_free`, `test_premium`): quick to generate."""
    yield from _copy(backend, mini_template, tmp_path / "mini.db")


@pytest.fixture(scope="module")
def sample_ro_url(
    backend: Backend, sample_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A copy of the sample one module shares, for tests that only read."""
    url = backend.new(tmp_path_factory.mktemp("sample-ro") / "eros.db", sample_template)
    yield url
    backend.drop(url)
