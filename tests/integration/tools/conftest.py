"""Fixtures for the eros-db tool tests: a ToolEnv and an in-process client over the shared sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from eros.clock import FixedClock, parse_instant
from eros.db.engine import make_engine
from eros.infra.mcp_clients import InProcessClient
from eros.tools import ToolEnv
from support import tool_env

#: The root conftest's sample clock and signing key (module-scoped fixtures cannot use its function fixtures).
NOW = "2026-01-04T12:00:00Z"
SIGNING_KEY = b"test-signing-key-not-secret"


@pytest.fixture(scope="module")
def sample_ro(sample_db_path: Path) -> Iterator[Engine]:
    """The session sample, for tests that only read (no copy)."""
    engine = make_engine(f"sqlite:///{sample_db_path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def env(sample_ro: Engine) -> ToolEnv:
    """Read-only tools over the shared sample, pinned to the sample's now (one server per module)."""
    return tool_env(sample_ro, FixedClock(parse_instant(NOW)), SIGNING_KEY)


@pytest.fixture
def write_env(sample_db: Engine, clock: FixedClock) -> ToolEnv:
    return tool_env(sample_db, clock, SIGNING_KEY)


@pytest.fixture(scope="module")
def read_client(env: ToolEnv) -> InProcessClient:
    return InProcessClient(env)


@pytest.fixture
def client(read_client: InProcessClient) -> InProcessClient:
    """The module's client with its call counter reset."""
    read_client.calls = 0
    return read_client


@pytest.fixture
def write_client(write_env: ToolEnv) -> InProcessClient:
    return InProcessClient(write_env)
