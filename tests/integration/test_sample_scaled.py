"""`eros db init --sample --creators N`: the 37 named creators as they are, then N − 37 generated ones."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, Table, func, select

from conftest import AS_OF, SEED
from databases import Backend
from eros.db.engine import create_schema, make_engine
from eros.db.sample import SAMPLE_CREATORS
from eros.db.sample_scaled import build_scaled_sample
from eros.db.schema import (
    caption_creator_usage,
    captions,
    content_type_rankings,
    creator_personas,
    creators,
    mass_messages,
    metadata,
    tier_history,
    vault_matrix,
    volume_triggers,
)
from eros.errors import ConfigError
from support import cli_error_code, cli_ok, use_database

NAMED = {spec.page_name for spec in SAMPLE_CREATORS}
#: The tables that hold a creator's own rows (the caption bank is shared: generated creators use it too).
PER_CREATOR: tuple[Table, ...] = (
    creators,
    creator_personas,
    vault_matrix,
    mass_messages,
    caption_creator_usage,
    content_type_rankings,
    tier_history,
    volume_triggers,
)


def _scaled(backend: Backend, path: Path, total: int, seed: int = SEED) -> Iterator[Engine]:
    url = backend.new(path)
    engine = make_engine(url, create=True)
    create_schema(engine)
    build_scaled_sample(engine, creators_total=total, seed=seed, as_of=AS_OF)
    yield engine
    engine.dispose()
    backend.drop(url)


@pytest.fixture(scope="module")
def forty(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from _scaled(backend, tmp_path_factory.mktemp("forty") / "eros.db", 40)


def rows(engine: Engine, table: Table, *, named_only: bool = False) -> list[tuple[object, ...]]:
    """Every row of `table` in primary-key order (ids included: they must match too)."""
    query = select(table).order_by(*table.primary_key.columns)
    if named_only:
        query = query.where(table.c.creator_id.in_(NAMED))
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def digest(engine: Engine) -> str:
    """SHA-256 over every table's rows."""
    sha = hashlib.sha256()
    for table in metadata.sorted_tables:
        sha.update(json.dumps([table.name, rows(engine, table)], default=str).encode())
    return sha.hexdigest()


def test_forty_is_the_named_37_and_3_generated(forty: Engine) -> None:
    with forty.connect() as conn:
        names = set(conn.execute(select(creators.c.page_name)).scalars())
    assert len(names) == 40 and names >= NAMED
    generated = names - NAMED
    assert len(generated) == 3
    with forty.connect() as conn:
        for name in generated:  # simulated like the named ones: a history, a vault, an analysis
            for table in (mass_messages, vault_matrix, content_type_rankings, tier_history):
                assert conn.execute(select(table).where(table.c.creator_id == name)).first() is not None


def test_the_named_creators_are_the_plain_samples_row_for_row(forty: Engine, sample_db: Engine) -> None:
    for table in PER_CREATOR:
        assert rows(forty, table, named_only=True) == rows(sample_db, table), table.name


def test_the_same_seed_builds_the_same_database(forty: Engine, backend: Backend, tmp_path: Path) -> None:
    again = _scaled(backend, tmp_path / "again.db", 40)
    other = _scaled(backend, tmp_path / "other.db", 40, seed=SEED + 1)
    try:
        assert digest(next(again)) == digest(forty)
        assert digest(next(other)) != digest(forty)
    finally:
        again.close()
        other.close()


def test_fewer_creators_than_the_named_ones_is_a_coded_error(empty_db: Engine) -> None:
    with pytest.raises(ConfigError) as raised:
        build_scaled_sample(empty_db, creators_total=36, seed=SEED, as_of=AS_OF)
    assert raised.value.code == "TOO_FEW_CREATORS"
    with empty_db.connect() as conn:
        assert conn.execute(select(creators)).first() is None


def test_the_cli_refuses_36_before_building_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EROS_DB_PATH", str(tmp_path / "eros.db"))
    monkeypatch.delenv("EROS_DB_URL", raising=False)
    assert cli_error_code("db", "init", "--sample", "--creators", "36") == "TOO_FEW_CREATORS"
    assert cli_error_code("db", "init", "--creators", "40") == "USAGE_ERROR"
    assert not (tmp_path / "eros.db").exists()


def test_the_cli_builds_the_named_and_the_generated_creators(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = backend.new(tmp_path / "cli.db")
    engine = make_engine(url, create=True)
    use_database(monkeypatch, engine)
    monkeypatch.setenv("EROS_SIGNING_KEY", "scaled-key")
    output = cli_ok("db", "init", "--sample", "--creators", "38", "--as-of", AS_OF.isoformat())
    assert "Active creators: 38" in output
    engine.dispose()
    backend.drop(url)


def test_a_caption_added_after_the_sample_gets_a_new_id(sample_db: Engine) -> None:
    """The sample's captions carry their ids; the id sequence (PostgreSQL's) must be past them."""
    with sample_db.begin() as conn:
        largest = conn.execute(select(func.max(captions.c.caption_id))).scalar_one()
        added = conn.execute(
            captions.insert().values(
                caption_text="A new one", caption_hash="h-new", send_type_key="bump_normal", slot_class="bump"
            )
        ).inserted_primary_key
    assert added is not None and added[0] == largest + 1
