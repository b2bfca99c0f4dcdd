"""The signing key is not readable by whoever reads the schedule data (ARCHITECTURE D6, D11).

It lives in an owner-only key file beside the database (or EROS_SIGNING_KEY_FILE, or the
environment), never in `app_config`; an old installation's stored key moves out on first use;
SQLite files are created owner-only; concurrent first uses agree on one key.
"""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from eros.bootstrap import Container, bootstrap
from eros.clock import FixedClock, parse_instant
from eros.config import load_settings
from eros.db.engine import create_schema, make_engine, memory_engine
from eros.db.schema import app_config
from eros.db.signing_keys import LEGACY_CONFIG_KEY, KeyFile, SigningKeys, decode_ring, encode_ring
from eros.errors import ConfigError
from eros.validation.certificate import KeyRing

NOW = parse_instant("2026-01-04T12:00:00Z")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def container_for(db: Path, **env: str) -> Container:
    return bootstrap(load_settings({"EROS_DB_PATH": str(db), **env}), FixedClock(NOW))


def fresh_database(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}", create=True)
    create_schema(engine)
    return engine


def test_sqlite_files_are_created_owner_only_with_their_wal_and_shm(tmp_path: Path) -> None:
    path = tmp_path / "eros.db"
    engine = fresh_database(path)
    with engine.connect() as conn:  # an open connection keeps the -wal and -shm files
        conn.execute(text("SELECT count(*) FROM creators"))
        files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]
        assert all(f.exists() for f in files)
        assert [mode(f) for f in files] == [0o600, 0o600, 0o600]
    engine.dispose()


def test_the_first_use_makes_an_owner_only_key_file_and_nothing_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "eros.db"
    fresh_database(db).dispose()
    container = container_for(db)
    key = container.signing_key
    key_file = tmp_path / "eros.db.key"
    assert mode(key_file) == 0o600 and decode_ring(key_file.read_text(), key_file).current == key
    with container.engine.connect() as conn:
        assert conn.execute(select(app_config.c.key)).all() == []
    assert key not in db.read_bytes()
    assert container_for(db).signing_key == key  # the next process reads the same key


def test_an_installation_with_the_key_in_app_config_moves_it_to_the_key_file(tmp_path: Path) -> None:
    db = tmp_path / "eros.db"
    engine = fresh_database(db)
    with engine.begin() as conn:
        conn.execute(app_config.insert().values(key=LEGACY_CONFIG_KEY, value="the-old-stored-key"))
    engine.dispose()
    container = container_for(db)
    assert container.signing_key == b"the-old-stored-key"  # certificates in flight still verify
    with container.engine.connect() as conn:
        assert conn.execute(select(app_config)).all() == []
    container.engine.dispose()
    assert b"the-old-stored-key" not in db.read_bytes()  # overwritten, not left in a free page
    assert mode(tmp_path / "eros.db.key") == 0o600


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "eros.db"
    fresh_database(db).dispose()
    key_file = tmp_path / "eros.db.key"
    key_file.write_text("k\n")
    key_file.chmod(0o644)
    with pytest.raises(ConfigError) as caught:
        _ = container_for(db).signing_key
    assert caught.value.code == "KEY_FILE_UNSAFE" and "k\n" not in caught.value.message
    key_file.chmod(0o600)
    assert container_for(db).signing_key == b"k"  # a bare key line, as a mounted secret holds it


def test_eros_signing_key_file_names_the_key_file(tmp_path: Path) -> None:
    db = tmp_path / "eros.db"
    fresh_database(db).dispose()
    elsewhere = tmp_path / "secrets" / "eros.key"
    elsewhere.parent.mkdir()
    key = container_for(db, EROS_SIGNING_KEY_FILE=str(elsewhere)).signing_key
    assert decode_ring(elsewhere.read_text(), elsewhere).current == key
    assert not (tmp_path / "eros.db.key").exists()


def test_the_environment_key_wins_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "eros.db"
    fresh_database(db).dispose()
    assert container_for(db, EROS_SIGNING_KEY="from-env").signing_key == b"from-env"
    assert not (tmp_path / "eros.db.key").exists()


def test_no_key_file_is_made_for_a_database_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _ = container_for(tmp_path / "missing.db").signing_key
    assert caught.value.code == "NO_DATABASE"
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_is_not_an_sqlite_file_needs_the_setting() -> None:
    keys = SigningKeys(memory_engine(), env_key=None, key_path=None)
    with pytest.raises(ConfigError) as caught:
        keys.ring()
    assert caught.value.code == "NO_SIGNING_KEY"


def test_concurrent_first_uses_agree_on_one_key(tmp_path: Path) -> None:
    key_file = KeyFile(tmp_path / "eros.db.key")
    barrier = threading.Barrier(8)
    made: list[bytes] = []

    def first_use(n: int) -> None:
        barrier.wait()
        made.append(key_file.create(KeyRing(f"candidate-{n}".encode())).current)

    threads = [threading.Thread(target=first_use, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 1 and key_file.read().current == made[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eros.db.key"]  # no staged file left


def test_rotation_keeps_the_replaced_key_with_its_deadline(tmp_path: Path) -> None:
    db = tmp_path / "eros.db"
    fresh_database(db).dispose()
    keys = container_for(db).signing_keys
    first = keys.ring().current
    before, after = keys.rotate(NOW)
    assert before.current == first and after.current != first
    document = json.loads((tmp_path / "eros.db.key").read_text())
    assert document["retired"] == [{"key": first.decode(), "until": "2026-01-04T12:05:30Z"}]
    assert mode(tmp_path / "eros.db.key") == 0o600
    assert decode_ring(encode_ring(after), db) == after
    with pytest.raises(ConfigError) as caught:
        container_for(db, EROS_SIGNING_KEY="env").signing_keys.rotate(NOW)
    assert caught.value.code == "KEY_IN_ENVIRONMENT"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "two\nlines",
        '{"current": 1',
        '{"retired": []}',
        '{"current": ""}',
        '{"current": "k", "retired": [{"key": "", "until": "2026-01-01"}]}',
    ],
)
def test_a_key_file_eros_did_not_write_is_a_coded_error(tmp_path: Path, content: str) -> None:
    with pytest.raises(ConfigError) as caught:
        decode_ring(content, tmp_path / "k")
    assert caught.value.code == "KEY_FILE_INVALID"
