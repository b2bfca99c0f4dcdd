"""Fixtures for the eros-db tool tests: a ToolEnv and an in-process client over the shared sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from eros.clients import InProcessClient
from eros.clock import FixedClock
from eros.db.engine import make_engine
from eros.tools import ToolEnv

SIGNING_KEY = b"test-signing-key-not-secret"


@pytest.fixture
def sample_ro(sample_db_path: Path) -> Iterator[Engine]:
    """The session sample, for tests that only read (no copy)."""
    engine = make_engine(f"sqlite:///{sample_db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def env(sample_ro: Engine, clock: FixedClock) -> ToolEnv:
    return ToolEnv(sample_ro, clock, SIGNING_KEY)


@pytest.fixture
def write_env(sample_db: Engine, clock: FixedClock) -> ToolEnv:
    return ToolEnv(sample_db, clock, SIGNING_KEY)


@pytest.fixture
def client(env: ToolEnv) -> InProcessClient:
    return InProcessClient(env)


@pytest.fixture
def write_client(write_env: ToolEnv) -> InProcessClient:
    return InProcessClient(write_env)
