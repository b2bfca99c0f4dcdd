"""The Alembic history builds exactly the schema the code declares, and can be undone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select

from databases import Backend
from eros.db.engine import MIGRATIONS_DIR, make_engine, upgrade
from eros.db.schema import creators, metadata, schedule_revisions, schedules


@pytest.fixture
def fresh(backend: Backend, tmp_path: Path) -> Iterator[Engine]:
    """A database with nothing in it (no migration run), on either backend."""
    url = backend.new(tmp_path / "fresh.db")
    engine = make_engine(url, create=True)
    yield engine
    engine.dispose()
    backend.drop(url)


def test_upgrading_an_empty_database_matches_the_declared_schema(fresh: Engine) -> None:
    upgrade(fresh)
    with fresh.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == [], "schema.py changed without a migration: add one under db/migrations/versions"


def test_upgrade_is_idempotent_and_creates_every_table(fresh: Engine) -> None:
    upgrade(fresh)
    upgrade(fresh)
    tables = set(inspect(fresh).get_table_names())
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def alembic_config(engine: Engine) -> Config:
    """Alembic's config over `engine`, to step through single revisions."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def test_0002_backfills_generated_weeks_and_its_downgrade_keeps_every_revision(fresh: Engine) -> None:
    engine = fresh
    config = alembic_config(engine)
    command.upgrade(config, "0001")
    week = {"week_end": "2026-01-11", "status": "draft", "schedule_hash": "h", "items_json": "[]"}
    stamps = {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    with engine.begin() as conn:
        conn.execute(creators.insert().values(creator_id="a", page_name="a", page_type="paid"))
        conn.execute(
            schedules.insert().values(
                creator_id="a", week_start="2026-01-05", generator="v5", **week, **stamps
            )
        )
        conn.execute(schedules.insert().values(creator_id="a", week_start="2026-01-12", **week, **stamps))
        conn.execute(
            schedule_revisions.insert().values(
                schedule_id=1, revision=1, status="draft", schedule_hash="h", items_json="[]", replaced_at="t"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        authors = conn.execute(
            select(schedules.c.week_start, schedules.c.saved_by_kind, schedules.c.saved_by).order_by(
                schedules.c.week_start
            )
        ).all()
    assert [tuple(row) for row in authors] == [("2026-01-05", "generator", "v5"), ("2026-01-12", None, None)]

    command.downgrade(config, "0001")  # plain DROP COLUMN: no table rebuild cascades the revisions away
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schedule_revisions)).scalar_one() == 1
