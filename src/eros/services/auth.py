"""Users, passwords, API tokens and failed-login limits: the web app's and `/mcp`'s use cases.

Passwords are hashed with argon2id (argon2-cffi's defaults, rehashed at login when those change).
API tokens are 256 random bits shown once; only their SHA-256 is stored, which is enough for a
secret that long (no dictionary to try) and keeps each request's check fast. Every change is
written with an access-audit row naming who made it, in the same unit of work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from eros.access import Principal, Role
from eros.clock import Clock, iso_z
from eros.errors import ErosError, InvalidInput
from eros.ports import UnitOfWorkFactory

#: Failed logins allowed per user name and client within the window; the next attempt is refused.
MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
#: Every API token starts with this, so a leaked one is easy to recognise in a scan.
TOKEN_PREFIX = "eros_"
#: `last_used_at` is written at most this often (a write per request would serialise readers).
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")

_hasher = PasswordHasher()
#: Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class NotAuthenticated(ErosError):
    code = "AUTH_REQUIRED"


class Forbidden(ErosError):
    code = "FORBIDDEN"


class LoginFailed(ErosError):
    code = "LOGIN_FAILED"


class LoginRateLimited(ErosError):
    code = "LOGIN_RATE_LIMITED"


def check_name(name: str, what: str = "user") -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            f"{what} name {name!r} must be 1-64 letters, digits or _ . @ - (starting with a letter or digit)",
            code="INVALID_NAME",
        )
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long",
            code="WEAK_PASSWORD",
        )
    return password


def token_digest(token: str) -> str:
    """What is stored for a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- users ----------------------------------------------------------------------------------


def add_user(uow: UnitOfWorkFactory, clock: Clock, name: str, role: Role, password: str, *, by: str) -> None:
    check_name(name)
    hashed = _hasher.hash(check_password(password))
    at = iso_z(clock.now())
    with uow() as work:
        work.users.add_user(name, role.value, hashed, by=by, at=at)
        work.users.audit(actor=by, action="user_add", subject=name, detail=f"role {role.value}", at=at)
        work.commit()


def set_user_disabled(uow: UnitOfWorkFactory, clock: Clock, name: str, disabled: bool, *, by: str) -> None:
    at = iso_z(clock.now())
    with uow() as work:
        work.users.set_disabled(name, disabled, at=at)
        work.users.audit(actor=by, action="user_disable" if disabled else "user_enable", subject=name, at=at)
        work.commit()


def list_users(uow: UnitOfWorkFactory) -> list[dict[str, Any]]:
    with uow() as work:
        return work.users.users()


def active_user(uow: UnitOfWorkFactory, name: str) -> Principal | None:
    """The person `name` as a principal, or None when unknown or disabled (a session's re-check)."""
    with uow() as work:
        row = work.users.user_credentials(name)
    if row is None or row["disabled"]:
        return None
    return Principal(row["name"], Role(row["role"]), "user")


def login(uow: UnitOfWorkFactory, clock: Clock, username: str, password: str, client: str) -> Principal:
    """The person whose password this is; LOGIN_FAILED (nothing says whether the name exists), or
    LOGIN_RATE_LIMITED after MAX_FAILED_LOGINS failures from this client within the window."""
    now = clock.now()
    since = iso_z(now - FAILED_LOGIN_WINDOW)
    username = username[:64]
    with uow() as work:
        if work.users.login_failures_since(username, client, since) >= MAX_FAILED_LOGINS:
            raise LoginRateLimited(
                f"too many failed logins for {username!r} from this address; "
                f"try again in {int(FAILED_LOGIN_WINDOW.total_seconds() // 60)} minutes"
            )
        row = work.users.user_credentials(username)
    stored = row["password_hash"] if row is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password[:MAX_PASSWORD_LENGTH])
        ok = row is not None and not row["disabled"]
    except (VerificationError, InvalidHashError):
        ok = False
    with uow() as work:
        if not ok or row is None:
            work.users.record_login_failure(username, client, at=iso_z(now), prune_before=since)
            work.commit()
            raise LoginFailed("wrong user name or password")
        work.users.clear_login_failures(username, client)
        if _hasher.check_needs_rehash(stored):
            work.users.set_password_hash(username, _hasher.hash(password), at=iso_z(now))
        work.commit()
    return Principal(row["name"], Role(row["role"]), "user")


# --- tokens ---------------------------------------------------------------------------------


def create_token(uow: UnitOfWorkFactory, clock: Clock, name: str, role: Role, *, by: str) -> str:
    """A new bearer token: returned once, stored only as its digest."""
    check_name(name, "token")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    at = iso_z(clock.now())
    with uow() as work:
        work.users.add_token(name, role.value, token_digest(token), by=by, at=at)
        work.users.audit(actor=by, action="token_create", subject=name, detail=f"role {role.value}", at=at)
        work.commit()
    return token


def revoke_token(uow: UnitOfWorkFactory, clock: Clock, name: str, *, by: str) -> None:
    at = iso_z(clock.now())
    with uow() as work:
        work.users.revoke_token(name, at=at)
        work.users.audit(actor=by, action="token_revoke", subject=name, at=at)
        work.commit()


def list_tokens(uow: UnitOfWorkFactory) -> list[dict[str, Any]]:
    with uow() as work:
        return work.users.tokens()


def verify_token(uow: UnitOfWorkFactory, clock: Clock, token: str) -> Principal | None:
    """The named token's principal, or None for an unknown, revoked or malformed token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = token_digest(token)
    with uow() as work:
        row = work.users.active_token(digest)
        if row is None:
            return None
        now = clock.now()
        if row["last_used_at"] is None or row["last_used_at"] < iso_z(now - TOKEN_TOUCH_INTERVAL):
            work.users.touch_token(row["name"], at=iso_z(now))
            work.commit()
    return Principal(row["name"], Role(row["role"]), "token")


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets (CSRF tokens)."""
    return hmac.compare_digest(a.encode(), b.encode())
