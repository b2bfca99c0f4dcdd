"""Fixtures for the eros-db tool tests: a ToolEnv and an in-process client over the shared sample."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from databases import Backend
from eros.bootstrap import Container, v5_runner
from eros.clock import FixedClock, parse_instant
from eros.config import Settings
from eros.db.engine import make_engine
from eros.infra.mcp_clients import InProcessClient
from eros.tools import ToolEnv
from support import tool_env

#: The root conftest's sample clock and signing key (module-scoped fixtures cannot use its function fixtures).
NOW = "2026-01-04T12:00:00Z"
SIGNING_KEY = b"test-signing-key-not-secret"


@pytest.fixture(scope="module")
def sample_ro(sample_ro_url: str) -> Iterator[Engine]:
    """The module's copy of the sample, for tests that only read."""
    engine = make_engine(sample_ro_url)
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


@dataclass(frozen=True)
class ApprovedWeek:
    """A week the real v5 pipeline generated and its validator signed, not yet saved, and the
    tools over a private sample copy to save it with (module-scoped: tests may save freely)."""

    env: ToolEnv
    client: InProcessClient
    creator_id: str
    week_start: str
    items: list[dict[str, Any]]
    certificate: dict[str, Any]

    def arguments(self, **changes: Any) -> dict[str, Any]:
        """save_schedule's arguments for this week (deep copies, safe to mutate)."""
        return {
            "creator_id": self.creator_id,
            "week_start": self.week_start,
            "items": copy.deepcopy(self.items),
            "validation_certificate": copy.deepcopy(self.certificate),
            **changes,
        }


@pytest.fixture(scope="module")
def approved_week(
    backend: Backend, sample_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApprovedWeek]:
    url = backend.new(tmp_path_factory.mktemp("approved") / "eros.db", sample_template)
    engine = make_engine(url)
    clock = FixedClock(parse_instant(NOW))
    container = Container(
        settings=Settings(db_url=url, signing_key=SIGNING_KEY.decode()),
        clock=clock,
        _engine=engine,
    )
    result = asyncio.run(v5_runner(container)("alexia", "2026-01-05", dry_run=True))
    assert result.validation_status == "APPROVED" and result.schedule and result.validation
    env = tool_env(engine, clock, SIGNING_KEY)
    yield ApprovedWeek(
        env=env,
        client=InProcessClient(env),
        creator_id="alexia",
        week_start="2026-01-05",
        items=list(result.schedule["items"]),
        certificate=dict(result.validation["certificate"]),
    )
    engine.dispose()
    backend.drop(url)
