"""The installation's signing key, kept where reading the schedule data does not reveal it (D6, D11).

The key is `EROS_SIGNING_KEY`, or lives in a file only its owner may read or write (0600):
`EROS_SIGNING_KEY_FILE`, by default `<database file>.key` beside an SQLite database. The file is
made with the database (`eros db init`) or on first use. Installations from before kept the key
in `app_config`; the first use, or `eros db upgrade`, moves it into the file and deletes the row.

The file is JSON: the current key and, after `eros keys rotate`, each replaced key with the instant
it stops verifying (eros.validation.certificate.KeyRing). A file holding one bare line is read as
that key, so an operator may mount a secret as the key file. Writes are atomic (a whole file
appears or none), so concurrent first uses agree on one key.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, select

from eros.clock import iso_z, parse_instant
from eros.db.engine import require_database, sqlite_path
from eros.db.schema import app_config
from eros.errors import ConfigError
from eros.validation.certificate import KeyRing, RetiredKey

#: Where installations before the key file kept the key (app_config.key).
LEGACY_CONFIG_KEY = "signing_key"
KEY_FILE_SUFFIX = ".key"
#: The key file's format version (a bare key line needs none).
FORMAT = 1
#: Group and others may do nothing with the key file.
OWNER_ONLY = 0o600


def new_key() -> bytes:
    """256 random bits as 64 hex characters (the form `eros db init` has always made)."""
    return secrets.token_hex(32).encode()


def default_key_path(db_url: str) -> Path | None:
    """`<database file>.key` for an SQLite file; None for other databases (they need the setting)."""
    path = sqlite_path(db_url)
    return None if path is None else path.with_name(path.name + KEY_FILE_SUFFIX)


def encode_ring(ring: KeyRing) -> str:
    document = {
        "format": FORMAT,
        "current": ring.current.decode(),
        "retired": [{"key": old.key.decode(), "until": iso_z(old.until)} for old in ring.retired],
    }
    return json.dumps(document, indent=2) + "\n"


def decode_ring(text: str, path: Path) -> KeyRing:
    """The ring a key file holds; KEY_FILE_INVALID when it holds neither a bare key nor our JSON."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        if not stripped or "\n" in stripped:
            raise ConfigError(f"The key file {path} must hold one key on one line.", code="KEY_FILE_INVALID")
        return KeyRing(stripped.encode())
    try:
        document = json.loads(stripped)
        ring = KeyRing(
            str(document["current"]).encode(),
            tuple(
                RetiredKey(str(old["key"]).encode(), parse_instant(str(old["until"])))
                for old in document.get("retired", [])
            ),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        ring = KeyRing(b"")
    if not ring.current or not all(old.key for old in ring.retired):  # an empty key signs for anyone
        raise ConfigError(f"The key file {path} is not a key file EROS wrote.", code="KEY_FILE_INVALID")
    return ring


@dataclass(frozen=True)
class KeyFile:
    """One key file: read only when no one else may read it, written whole or not at all."""

    path: Path

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> KeyRing:
        try:
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if mode & 0o077:
                raise ConfigError(
                    f"The key file {self.path} may be read by others (mode {mode:o}); "
                    f"run `chmod 600 {self.path}`.",
                    code="KEY_FILE_UNSAFE",
                )
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"Cannot read the key file {self.path}: {exc}", code="KEY_FILE_UNREADABLE"
            ) from None
        return decode_ring(text, self.path)

    def create(self, ring: KeyRing) -> KeyRing:
        """Write `ring` unless a key file appeared first; the ring that is on disk afterwards."""
        staged = self._staged(ring)
        try:
            os.link(staged, self.path)
        except FileExistsError:
            return self.read()
        except OSError as exc:
            raise self._unwritable(exc) from None
        finally:
            staged.unlink(missing_ok=True)
        return ring

    def replace(self, ring: KeyRing) -> None:
        staged = self._staged(ring)
        try:
            os.replace(staged, self.path)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise self._unwritable(exc) from None

    def _staged(self, ring: KeyRing) -> Path:
        """`ring` in a fresh owner-only file beside the key file, flushed to disk."""
        staged = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            os.fchmod(fd, OWNER_ONLY)
            os.write(fd, encode_ring(ring).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return staged

    def _unwritable(self, exc: OSError) -> ConfigError:
        return ConfigError(
            f"Cannot write the key file {self.path}: {exc.strerror or exc}", code="KEY_FILE_UNWRITABLE"
        )


class SigningKeys:
    """The installation's keys: the environment's, else the key file's (made or moved on first use)."""

    def __init__(self, engine: Engine, *, env_key: str | None, key_path: Path | None) -> None:
        self.engine = engine
        self.db_url = engine.url.render_as_string(hide_password=False)
        self.env_key = env_key
        self.key_path = key_path if key_path is not None else default_key_path(self.db_url)

    @property
    def from_environment(self) -> bool:
        return self.env_key is not None

    def ring(self) -> KeyRing:
        """The keys now: EROS_SIGNING_KEY alone, else the key file (made or moved here if missing)."""
        if self.env_key is not None:
            return KeyRing(self.env_key.encode())
        key_file = self._file()
        return key_file.read() if key_file.exists() else self.ensure()

    def ensure(self) -> KeyRing:
        """The key file's ring, making the file from the legacy `app_config` key or a new key if it
        is missing; afterwards no key is left in `app_config`."""
        key_file = self._file()
        self._require_database()
        legacy = self._legacy_key()
        if key_file.exists():
            ring = key_file.read()
        else:
            ring = key_file.create(KeyRing(legacy if legacy is not None else new_key()))
        if legacy is not None:
            with self.engine.begin() as conn:
                if self.engine.dialect.name == "sqlite":  # overwrite the row's bytes, not just unlink it
                    conn.exec_driver_sql("PRAGMA secure_delete = ON")
                conn.execute(delete(app_config).where(app_config.c.key == LEGACY_CONFIG_KEY))
        return ring

    def move_legacy_key(self) -> bool:
        """`eros db upgrade`: move a key still in `app_config` into the key file; True if one was."""
        if self._legacy_key() is None:
            return False
        self.ensure()
        return True

    def rotate(self, now: datetime) -> tuple[KeyRing, KeyRing]:
        """A new current key; the old one verifies for its grace period (KEY_GRACE). Before, after."""
        if self.env_key is not None:
            raise ConfigError(
                "EROS_SIGNING_KEY is set, so the key lives in the environment: change it there "
                "(certificates in flight then save as drafts).",
                code="KEY_IN_ENVIRONMENT",
            )
        before = self.ring()
        after = before.rotated(new_key(), now)
        self._file().replace(after)
        return before, after

    def _file(self) -> KeyFile:
        if self.key_path is None:
            raise ConfigError(
                "No signing key: set EROS_SIGNING_KEY_FILE (or EROS_SIGNING_KEY) for a database "
                "that is not an SQLite file.",
                code="NO_SIGNING_KEY",
            )
        return KeyFile(self.key_path)

    def _require_database(self) -> None:
        """No key is made for a database that does not exist (nothing is created by accident)."""
        require_database(self.engine)

    def _legacy_key(self) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(app_config.c.value).where(app_config.c.key == LEGACY_CONFIG_KEY)
            ).first()
        return None if row is None else str(row[0]).encode()
