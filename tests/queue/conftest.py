"""The queue's tests run on a real PostgreSQL (the session's server, `pg` in tests/conftest.py):
the three-creator mini sample with the queue's tables, copied for each test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from sqlalchemy import Engine
from tests.conftest import AS_OF, NOW, TEST_SIGNING_KEY
from tests.queue.queue_support import QueueDatabase

from databases import Backend
from eros.config import load_settings
from eros.db.engine import create_schema, make_engine
from eros.db.sample import build_mini_sample
from eros.tasks.app import queue_app
from eros.tasks.queue import apply_schema, opened
from support import subprocess_env


def _build(engine: Engine) -> None:
    create_schema(engine)
    build_mini_sample(engine, as_of=AS_OF)

    async def queue_tables() -> None:
        settings = load_settings({"EROS_DB_URL": engine.url.render_as_string(hide_password=False)})
        async with opened(queue_app(settings)) as app:
            await apply_schema(app)

    asyncio.run(queue_tables())


@pytest.fixture(scope="session")
def queue_template(pg: PostgreSQLExecutor, tmp_path_factory: pytest.TempPathFactory) -> str:
    return Backend("postgresql", pg).template(tmp_path_factory.mktemp("queue"), _build)


@pytest.fixture
def queue_db(pg: PostgreSQLExecutor, queue_template: str, tmp_path: Path) -> Iterator[QueueDatabase]:
    backend = Backend("postgresql", pg)
    url = backend.new(tmp_path / "queue.db", queue_template)
    engine = make_engine(url)
    env = subprocess_env(
        engine,
        EROS_NOW=NOW,
        EROS_SIGNING_KEY=TEST_SIGNING_KEY,
        EROS_LEARNINGS_PATH=str(tmp_path / "LEARNINGS.md"),
        EROS_V5_ENABLED="",
        EROS_V5_SHADOW_MODE="",
        EROS_V5_PERCENTAGE="",
        EROS_V5_CREATORS="",
        EROS_V4_RUNNER="",
    )
    yield QueueDatabase(engine, env)
    engine.dispose()
    backend.drop(url)
