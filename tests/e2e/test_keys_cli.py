"""`eros keys show|rotate`, and `eros db init|upgrade` for the key file and file permissions.

The key is never printed (fingerprints only); after a rotation a certificate the old key signed
in the freshness window still saves as approved, and one the new key signs does too.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from eros.cli.app import _register
from eros.db.engine import make_engine
from eros.db.schema import app_config
from eros.db.signing_keys import LEGACY_CONFIG_KEY, decode_ring
from eros.validation.certificate import key_fingerprint
from support import cli, cli_error_code, cli_ok

NOW = "2026-01-04T12:00:00Z"


@pytest.fixture(autouse=True)
def _cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EROS_NOW", NOW)
    for name in ("EROS_DB_URL", "EROS_SIGNING_KEY", "EROS_SIGNING_KEY_FILE", "EROS_MCP_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    _register()


@pytest.fixture
def installation(sample_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "eros.db"
    shutil.copyfile(sample_db_path, target)
    monkeypatch.setenv("EROS_DB_PATH", str(target))
    return target


def key_of(db: Path) -> bytes:
    path = db.with_name(db.name + ".key")
    return decode_ring(path.read_text(), path).current


def test_init_makes_an_owner_only_database_and_key_file_and_prints_only_a_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "eros.db"
    monkeypatch.setenv("EROS_DB_PATH", str(db))
    out = cli_ok("db", "init")
    key = key_of(db)
    assert key_fingerprint(key) in out and key.decode() not in out
    for path in (db, db.with_name("eros.db.key")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    shown = cli_ok("keys", "show")
    assert key_fingerprint(key) in shown and key.decode() not in shown


def test_a_certificate_signed_before_a_rotation_still_saves_approved(installation: Path) -> None:
    generated = json.loads(cli_ok("generate", "alexia", "--week", "2026-01-05", "--dry-run", "--json"))
    items, certificate = generated["schedule"]["items"], generated["validation"]["certificate"]
    old = key_of(installation)
    rotated = cli_ok("keys", "rotate")
    assert key_of(installation) != old
    assert key_fingerprint(old) in rotated and "verifies until 2026-01-04T12:05:30Z" in rotated
    assert old.decode() not in rotated and key_of(installation).decode() not in rotated
    saved = json.loads(
        cli_ok(
            "mcp",
            "call",
            "save_schedule",
            "creator_id=alexia",
            "week_start=2026-01-05",
            f"items={json.dumps(items)}",
            f"validation_certificate={json.dumps(certificate)}",
        )
    )
    assert saved["status"] == "approved", saved["warnings"]
    # the new key signs (--replace: the save above was a person's, which generation leaves alone)
    again = json.loads(cli_ok("generate", "alexia", "--week", "2026-01-05", "--replace", "--json"))
    assert again["schedule"]["saved_status"] == "approved"


def test_rotating_a_key_from_the_environment_is_refused(
    installation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EROS_SIGNING_KEY", "from-the-environment")
    assert cli_error_code("keys", "rotate") == "KEY_IN_ENVIRONMENT"
    assert "from-the-environment" not in cli("keys", "show").output


def test_upgrade_moves_a_stored_key_out_of_the_database_and_makes_its_files_private(
    installation: Path,
) -> None:
    engine = make_engine(f"sqlite:///{installation}")
    with engine.begin() as conn:
        conn.execute(app_config.insert().values(key=LEGACY_CONFIG_KEY, value="key-from-before"))
    engine.dispose()
    installation.chmod(0o644)
    out = cli_ok("db", "upgrade")
    assert "Moved the signing key out of the database" in out and "key-from-before" not in out
    assert key_of(installation) == b"key-from-before"
    assert stat.S_IMODE(installation.stat().st_mode) == 0o600
    engine = make_engine(f"sqlite:///{installation}")
    with engine.connect() as conn:
        assert conn.execute(select(app_config).where(app_config.c.key == LEGACY_CONFIG_KEY)).first() is None
    engine.dispose()
    assert "Moved" not in cli_ok("db", "upgrade")  # nothing left to move
